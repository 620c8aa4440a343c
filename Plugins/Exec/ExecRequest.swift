import BrokerCore
import Foundation

/// The one JSON object broker writes to a plugin's stdin. It holds the token, so it goes to
/// stdin only and is never quoted in an error.
struct ExecRequest: Encodable {
    static let version = 1

    var version = ExecRequest.version
    var provider: String
    var audience: String
    var token: String
    var settings: [String: JSONValue]

    init(settings: ExecSettings, token: IdentityToken) {
        provider = settings.name
        audience = settings.audience
        self.token = token.jwt.reveal
        self.settings = settings.pluginSettings
    }

    /// One line of compact JSON with a trailing newline, so `read` in a shell plugin works too.
    func encoded() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(self) + Data("\n".utf8)
    }
}

import BrokerCore
import Foundation

/// Builds the error for a plugin that failed: what went wrong plus its stderr (at most 4 KB),
/// with the token and any secret it answered with cut out, since the plugin may echo them.
struct PluginFailure {
    var provider: String
    var program: String
    var stderr: Data
    /// Values that must not appear in the message: the token, and secrets of a rejected answer.
    var secrets: [String]

    func error(_ what: String) -> BrokerError {
        var text = String(decoding: stderr, as: UTF8.self)
        for secret in secrets where !secret.isEmpty {
            text = text.replacingOccurrences(of: secret, with: "<redacted>")
        }
        let quoted = Data(text.utf8).excerpt()
        return .failure("exec provider '\(provider)': plugin \(program) \(what)"
                            + (quoted.isEmpty ? " (its stderr was empty)" : "; its stderr:\n\(quoted)"),
                        hint: "run the plugin by hand to see more; the protocol is in docs/plugin-protocol.md")
    }
}

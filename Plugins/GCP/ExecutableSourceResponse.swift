import BrokerCore
import Foundation

/// What an executable credential source prints (Google's "executable-sourced credentials"):
/// version 1, and either the token with its type and expiry or `success: false` with a code and
/// a message. The libraries cache a successful answer in `GOOGLE_EXTERNAL_ACCOUNT_OUTPUT_FILE`.
public struct ExecutableSourceResponse: Codable, Sendable, Equatable {
    public var version = 1
    public var success: Bool
    public var token_type: String?
    public var id_token: String?
    /// Seconds since 1970: the libraries use a cached answer until then.
    public var expiration_time: Int?
    public var code: String?
    public var message: String?

    public static func token(_ token: IdentityToken) -> ExecutableSourceResponse {
        let expiry = token.expiresAt.map { Int(max(0, min(4e9, $0.timeIntervalSince1970))) }
        return ExecutableSourceResponse(success: true, token_type: GCPSettings.subjectTokenType, id_token: token.jwt.reveal, expiration_time: expiry)
    }

    public static func failure(code: String, message: String) -> ExecutableSourceResponse {
        ExecutableSourceResponse(success: false, code: code, message: message)
    }

    public func encoded() throws -> Data { try JSONOutput.encode(self) }
}

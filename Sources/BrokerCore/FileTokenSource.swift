import Foundation

/// A token file such as a Kubernetes projected service-account token. It is re-read on every
/// request because kubelet rotates it in place.
public struct FileTokenSource: TokenSource {
    public let path: String
    public init(path: String) { self.path = path }

    public var name: String { "file \(path)" }

    public func token(audience: String) async throws -> IdentityToken {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw BrokerError.failure("cannot read the token file \(path)",
                                      hint: "check that the path exists and is readable by this user")
        }
        let text = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard !text.isEmpty else { throw BrokerError.failure("the token file \(path) is empty") }
        return try IdentityToken(jwt: text)
    }
}

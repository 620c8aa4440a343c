import Foundation

/// A token file such as a Kubernetes projected service-account token. It is re-read on every
/// request because kubelet rotates it in place.
public struct FileTokenSource: TokenSource {
    public let path: String
    public init(path: String) { self.path = path }

    public var name: String { "file \(path)" }

    /// A token file larger than this is not an identity token.
    public static let maxBytes = 64 * 1024

    public func token(audience: String) async throws -> IdentityToken {
        // Read through a handle: FileManager gives nothing for /dev/null or a pipe.
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw BrokerError.failure("cannot read the token file \(path)",
                                      hint: "check that the path exists and is readable by this user")
        }
        defer { try? handle.close() }
        let data = (try? handle.read(upToCount: Self.maxBytes + 1)) ?? Data()
        guard data.count <= Self.maxBytes else {
            throw BrokerError.failure("the token file \(path) is larger than \(Self.maxBytes / 1024) KB", hint: "point it at an identity token file")
        }
        let text = String(decoding: data, as: UTF8.self).trimmingWhitespace
        guard !text.isEmpty else { throw BrokerError.failure("the token file \(path) is empty") }
        return try IdentityToken(jwt: text)
    }
}

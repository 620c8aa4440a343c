/// Where identity tokens come from: the embedded issuer, a CI platform, a file, a variable
/// or a command. A source is asked once per distinct audience.
public protocol TokenSource: Sendable {
    /// Names the source for `--verbose` and error messages (never the token).
    var name: String { get }
    func token(audience: String) async throws -> IdentityToken
}

import Foundation

/// A token handed over in an environment variable (GitLab's `id_tokens`, for one).
public struct EnvTokenSource: TokenSource {
    public let variable: String
    public let environment: [String: String]

    public init(variable: String, environment: [String: String]) {
        self.variable = variable
        self.environment = environment
    }

    public var name: String { "environment variable \(variable)" }

    public func token(audience: String) async throws -> IdentityToken {
        guard let value = environment[variable]?.trimmingWhitespace, !value.isEmpty else {
            throw BrokerError.failure("the environment variable \(variable) is not set or empty",
                                      hint: "export the identity token in \(variable), or pick another token source")
        }
        return try IdentityToken(jwt: value)
    }
}

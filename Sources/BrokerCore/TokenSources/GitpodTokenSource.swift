import Foundation

/// A Gitpod workspace's OIDC token from `gp idp token`. `gp` talks to the workspace's
/// supervisor, which it finds through the environment, so the injected one is passed whole.
public struct GitpodTokenSource: TokenSource {
    public let timeout: TimeInterval
    public let environment: [String: String]

    public init(timeout: TimeInterval = 30, environment: [String: String]) {
        self.timeout = timeout
        self.environment = environment
    }

    public var name: String { "Gitpod (gp idp token)" }

    public func arguments(audience: String) -> [String] {
        ["gp", "idp", "token", "--audience", audience]
    }

    public func token(audience: String) async throws -> IdentityToken {
        try await CLITokenFetch.run(
            arguments(audience: audience), environment: environment, timeout: timeout, platform: "Gitpod",
            hint: "run this inside a Gitpod workspace, where gp can reach the workspace supervisor")
    }
}

import Foundation

/// A Bitbucket Pipelines step's OIDC token: with `oidc: true` on the step, Bitbucket puts it in
/// `BITBUCKET_STEP_OIDC_TOKEN`, for the one audience the workspace's OpenID Connect settings
/// name (by default `ari:cloud:bitbucket::workspace/UUID`); a token for any other is refused here.
public struct BitbucketTokenSource: TokenSource {
    public static let variable = "BITBUCKET_STEP_OIDC_TOKEN"
    public let environment: [String: String]

    public init(environment: [String: String]) { self.environment = environment }

    public var name: String { "Bitbucket Pipelines (\(Self.variable))" }

    public func token(audience: String) async throws -> IdentityToken {
        try PlatformVariableToken.read(Self.variable, environment: environment, audience: audience, platform: "Bitbucket Pipelines", hints: .init(
            missing: "add `oidc: true` to the step in bitbucket-pipelines.yml",
            notJWT: "leave \(Self.variable) to Bitbucket: it is set by `oidc: true`, not as a repository variable",
            audience: "Bitbucket issues one audience per workspace: use it as the provider's audience, or trust the workspace's default audience in the cloud"))
    }
}

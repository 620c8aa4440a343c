import Foundation

/// A GitLab CI job's OIDC token. GitLab has no token endpoint: a job declares
/// `id_tokens: { NAME: { aud: ... } }` in .gitlab-ci.yml and GitLab puts the JWT in `$NAME`.
/// broker reads `BROKER_ID_TOKEN` unless configured otherwise (`source.variable`,
/// `--token-env`). The audience is fixed in the YAML, so a mismatch is reported here rather
/// than left for the cloud to reject.
public struct GitLabTokenSource: TokenSource {
    public static let defaultVariable = "BROKER_ID_TOKEN"

    public let variable: String
    public let environment: [String: String]

    public init(variable: String = GitLabTokenSource.defaultVariable, environment: [String: String]) {
        self.variable = variable
        self.environment = environment
    }

    public var name: String { "GitLab CI id_tokens variable \(variable)" }

    public func token(audience: String) async throws -> IdentityToken {
        try PlatformVariableToken.read(variable, environment: environment, audience: audience, platform: "GitLab CI", hints: .init(
            missing: "add `id_tokens: { \(variable): { aud: \(audience) } }` to the job in .gitlab-ci.yml",
            notJWT: "declare \(variable) under the job's id_tokens in .gitlab-ci.yml, not as a plain CI/CD variable",
            audience: "set `aud: \(audience)` for \(variable) under id_tokens in .gitlab-ci.yml (aud may be a list)"))
    }
}

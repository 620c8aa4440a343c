import Foundation

/// A CircleCI job's OIDC token: `circleci run oidc get --claims '{"aud": "..."}'` mints one for any
/// audience; without the CLI, `CIRCLE_OIDC_TOKEN_V2` holds one for the default audience (the
/// organization ID), and a request for another audience is refused with how to get it.
public struct CircleCITokenSource: TokenSource {
    public static let variable = "CIRCLE_OIDC_TOKEN_V2"
    public let timeout: TimeInterval
    public let environment: [String: String]

    public init(timeout: TimeInterval = 30, environment: [String: String]) {
        self.timeout = timeout
        self.environment = environment
    }

    public var name: String {
        ProcessRunner.locate("circleci", environment: environment) != nil ? "CircleCI (circleci run oidc get)" : "CircleCI (\(Self.variable))"
    }

    /// The command line for `audience` (the audience is not a secret), as JSON claims.
    public func arguments(audience: String) -> [String] {
        let claims = (try? JSONSerialization.data(withJSONObject: ["aud": audience], options: [.withoutEscapingSlashes]))
            .map { String(decoding: $0, as: UTF8.self) } ?? "{}"
        return ["circleci", "run", "oidc", "get", "--claims", claims]
    }

    public func token(audience: String) async throws -> IdentityToken {
        if ProcessRunner.locate("circleci", environment: environment) != nil {
            return try await CLITokenFetch.run(arguments(audience: audience), environment: environment, timeout: timeout, platform: "CircleCI",
                                               hint: "run this inside a CircleCI job with a context, where the circleci CLI can reach the job's API")
        }
        return try PlatformVariableToken.read(Self.variable, environment: environment, audience: audience, platform: "CircleCI", hints: .init(
            missing: "run the job with a context, which gives it OIDC tokens",
            notJWT: "leave \(Self.variable) to CircleCI: it is set for jobs that use a context",
            audience: "\(Self.variable) carries only the organization ID as audience: install the circleci CLI in the image for '\(audience)', or trust the organization ID in the cloud"))
    }
}

import Foundation

/// A Buildkite job's OIDC token from `buildkite-agent oidc request-token`. The agent finds
/// its job through the environment (`BUILDKITE_AGENT_ACCESS_TOKEN`, `BUILDKITE_JOB_ID`), so
/// the injected environment is passed to it whole.
public struct BuildkiteTokenSource: TokenSource {
    /// Requested token lifetime in seconds; nil leaves it to Buildkite's default.
    public let lifetime: TimeInterval?
    public let timeout: TimeInterval
    public let environment: [String: String]

    public init(lifetime: TimeInterval? = nil, timeout: TimeInterval = 30, environment: [String: String]) {
        self.lifetime = lifetime
        self.timeout = timeout
        self.environment = environment
    }

    public var name: String { "Buildkite (buildkite-agent oidc request-token)" }

    /// The command line for `audience`; the audience is not a secret, so argv is fine.
    public func arguments(audience: String) -> [String] {
        var argv = ["buildkite-agent", "oidc", "request-token", "--audience", audience]
        // The agent takes whole seconds; round up so a requested lifetime is never cut short.
        if let lifetime, lifetime > 0 { argv += ["--lifetime", String(Int(lifetime.rounded(.up)))] }
        return argv
    }

    public func token(audience: String) async throws -> IdentityToken {
        try await CLITokenFetch.run(
            arguments(audience: audience), environment: environment, timeout: timeout, platform: "Buildkite",
            hint: "run this inside a Buildkite job step, where buildkite-agent can reach the agent API")
    }
}

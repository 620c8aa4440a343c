import Foundation

/// The token source a run uses and why it was chosen (for `--verbose` and `broker doctor`).
public struct SourceChoice: Sendable {
    public let source: any TokenSource
    public let reason: String

    public init(source: any TokenSource, reason: String) {
        self.source = source
        self.reason = reason
    }

    /// The source `block` (the config's `source`, with the flags laid over it) names; `auto`
    /// detects the CI platform from `environment`. `embedded` builds broker's own issuer, asked
    /// only when that is the choice (it lives in BrokerIssuer, which this module does not know).
    public static func make(_ block: SettingsBlock, environment: [String: String],
                            embedded: () throws -> any TokenSource) throws -> SourceChoice {
        let name = block.string("type") ?? SourceType.auto.rawValue
        guard let type = SourceType(rawValue: name) else {
            throw block.error("type", "'\(name)' is not one of \(SourceType.names.joined(separator: ", "))")
        }
        let timeout = try block.duration(BrokerConfig.sourceKeys[named: "timeout"]) ?? 30
        func required(_ key: String) throws -> String {
            guard let value = block.string(key) else { throw block.error(key, "is required for source type '\(type)'") }
            return value
        }
        switch type {
        case .file:
            return SourceChoice(source: FileTokenSource(path: try required("path")), reason: "token file chosen")
        case .env:
            return SourceChoice(source: EnvTokenSource(variable: try required("variable"), environment: environment),
                                reason: "environment variable chosen")
        case .command:
            return SourceChoice(source: try CommandTokenSource(commandLine: required("command"), timeout: timeout), reason: "command chosen")
        case .embedded:
            return SourceChoice(source: try embedded(), reason: "embedded issuer chosen")
        case .auto:
            let detection = TokenSourceDetector.detect(environment: environment,
                                                       gitlabVariable: block.string("variable") ?? GitLabTokenSource.defaultVariable)
            let platform = detection.platform
            let reason = detection.reason
            if platform == .embedded {
                // A CI job whose platform cannot issue a token is misconfigured: falling back to
                // the local issuer only moves the failure to the cloud, with the wrong hint.
                if let unavailable = detection.unavailable.first {
                    throw BrokerError.usage(unavailable.problem, hint: unavailable.fix
                        + "; to use broker's own issuer in CI anyway, pass --source embedded (config: \"source\": {\"type\": \"embedded\"})")
                }
                return SourceChoice(source: try embedded(), reason: reason)
            }
            return SourceChoice(source: try ciSource(platform.rawValue, block: block, environment: environment, timeout: timeout),
                                reason: reason)
        case .github, .gitlab, .buildkite, .gitpod, .circleci, .bitbucket, .azurepipelines:
            return SourceChoice(source: try ciSource(type.rawValue, block: block, environment: environment, timeout: timeout),
                                reason: "\(type.rawValue) chosen")
        }
    }

    static func ciSource(_ type: String, block: SettingsBlock, environment: [String: String], timeout: TimeInterval) throws -> any TokenSource {
        switch type {
        case "github":
            return GitHubActionsTokenSource(environment: environment,
                                            retry: RetryPolicy(maxAttempts: 5, baseDelay: 0.5, maxDelay: 5, deadline: timeout),
                                            attemptTimeout: min(timeout, 10))
        case "gitlab":
            let fallback = GitLabTokenSource(variable: block.string("variable") ?? GitLabTokenSource.defaultVariable, environment: environment)
            guard let variables = block.stringMap("variables"), !variables.isEmpty else { return fallback }
            return AudienceRoutedSource(routes: variables.mapValues { GitLabTokenSource(variable: $0, environment: environment) },
                                        fallback: fallback)
        case "buildkite":
            return BuildkiteTokenSource(lifetime: try block.duration(BrokerConfig.sourceKeys[named: "lifetime"]), timeout: timeout, environment: environment)
        case "gitpod":
            return GitpodTokenSource(timeout: timeout, environment: environment)
        case "circleci":
            return CircleCITokenSource(timeout: timeout, environment: environment)
        case "bitbucket":
            return BitbucketTokenSource(environment: environment)
        case "azurepipelines":
            let connection = block.string("serviceConnection")
            if connection?.isEmpty == true {
                throw block.error("serviceConnection", "is empty", hint: "the service connection's ID, or leave it out for $\(AzurePipelinesTokenSource.connectionVariable)")
            }
            return AzurePipelinesTokenSource(environment: environment, serviceConnection: connection, timeout: min(timeout, 10))
        default:
            throw BrokerError.usage("source type '\(type)' is not one of \(BrokerConfig.sourceTypes.joined(separator: ", "))")
        }
    }
}

/// GitLab gives one `id_tokens` variable per audience: pick the variable for each audience.
public struct AudienceRoutedSource: TokenSource {
    public let routes: [String: GitLabTokenSource]
    public let fallback: GitLabTokenSource

    public init(routes: [String: GitLabTokenSource], fallback: GitLabTokenSource) {
        self.routes = routes
        self.fallback = fallback
    }

    public var name: String { "GitLab CI id_tokens variables " + routes.values.map(\.variable).sorted().joined(separator: ", ") }

    public func token(audience: String) async throws -> IdentityToken {
        try await (routes[audience] ?? fallback).token(audience: audience)
    }
}

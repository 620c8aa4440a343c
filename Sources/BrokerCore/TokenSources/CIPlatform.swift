/// The CI platforms broker can take an identity token from, plus `embedded` (broker's own
/// issuer) for everywhere else. The raw values are the config's `source.type` words; `auto`,
/// `file`, `env` and `command` are not platforms and are parsed by the caller.
public enum CIPlatform: String, Sendable, CaseIterable {
    case github, gitlab, buildkite, gitpod, circleci, bitbucket, azurepipelines, embedded

    /// The platform's own name, for messages.
    public var displayName: String {
        switch self {
        case .github: "GitHub Actions"
        case .gitlab: "GitLab CI"
        case .buildkite: "Buildkite"
        case .gitpod: "Gitpod"
        case .circleci: "CircleCI"
        case .bitbucket: "Bitbucket Pipelines"
        case .azurepipelines: "Azure Pipelines"
        case .embedded: "the embedded issuer"
        }
    }
}

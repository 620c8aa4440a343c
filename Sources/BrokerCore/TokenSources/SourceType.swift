/// Where a run's identity tokens come from: the config's `source.type` and `--source`. `auto`
/// picks a CI platform, else the embedded issuer; `file`, `env` and `command` read a token the
/// user points at. The one list that config validation, the schema, flags and help read.
public enum SourceType: String, Sendable, CaseIterable {
    case auto, github, gitlab, buildkite, gitpod, circleci, bitbucket, azurepipelines, embedded, file, env, command

    /// The CI platform (or the embedded issuer) this type names, if it names one.
    public var platform: CIPlatform? { CIPlatform(rawValue: rawValue) }

    public static var names: [String] { allCases.map(\.rawValue) }
}

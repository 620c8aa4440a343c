import Foundation

/// Picks the token source for `source.type: auto` from the environment alone, and says why,
/// for `--verbose` and `broker doctor`. Order: GitHub Actions, GitLab CI, Buildkite, Gitpod,
/// else the embedded issuer. A platform that is present but cannot issue a token (GitHub
/// without `id-token: write`, say) is skipped with a warning instead of failing later.
public enum TokenSourceDetector {
    public struct Detection: Sendable, Equatable {
        public var platform: CIPlatform
        /// One human sentence on why `platform` was chosen, followed by any warnings.
        public var reason: String
        /// Platforms that were detected but skipped, each with what to fix.
        public var warnings: [String]

        init(_ platform: CIPlatform, _ why: String, warnings: [String]) {
            self.platform = platform
            self.warnings = warnings
            reason = ([why] + warnings).joined(separator: "; ")
        }
    }

    /// `gitlabVariable` is the variable a GitLab job's `id_tokens` entry fills (see GitLabTokenSource).
    public static func detect(
        environment: [String: String], gitlabVariable: String = GitLabTokenSource.defaultVariable
    ) -> Detection {
        func isSet(_ name: String) -> Bool { !(environment[name] ?? "").isEmpty }
        func isTrue(_ name: String) -> Bool { environment[name]?.lowercased() == "true" }
        var warnings: [String] = []

        let url = GitHubActionsTokenSource.urlVariable, token = GitHubActionsTokenSource.tokenVariable
        if isSet(url) && isSet(token) {
            return Detection(.github, "GitHub Actions: \(url) and \(token) are set", warnings: warnings)
        }
        if isTrue("GITHUB_ACTIONS") {
            let missing = [url, token].filter { !isSet($0) }
            let verb = missing.count == 1 ? "is" : "are"
            warnings.append("GitHub Actions detected (GITHUB_ACTIONS=true) but \(missing.joined(separator: " and ")) \(verb) not set: the job lacks `permissions: id-token: write`")
        }

        if isTrue("GITLAB_CI") {
            if isSet(gitlabVariable) {
                return Detection(.gitlab, "GitLab CI: GITLAB_CI=true and \(gitlabVariable) is set", warnings: warnings)
            }
            warnings.append("GitLab CI detected (GITLAB_CI=true) but \(gitlabVariable) is not set: add `id_tokens: { \(gitlabVariable): { aud: <audience> } }` to the job")
        }

        if isTrue("BUILDKITE") {
            if let agent = ProcessRunner.locate("buildkite-agent", environment: environment) {
                return Detection(.buildkite, "Buildkite: BUILDKITE=true and buildkite-agent is at \(agent)", warnings: warnings)
            }
            warnings.append("Buildkite detected (BUILDKITE=true) but buildkite-agent is not on PATH")
        }

        if isSet("GITPOD_WORKSPACE_ID") {
            if let gp = ProcessRunner.locate("gp", environment: environment) {
                return Detection(.gitpod, "Gitpod: GITPOD_WORKSPACE_ID is set and gp is at \(gp)", warnings: warnings)
            }
            warnings.append("Gitpod detected (GITPOD_WORKSPACE_ID is set) but gp is not on PATH")
        }

        return Detection(.embedded, "no CI platform can issue a token here: using broker's embedded issuer", warnings: warnings)
    }
}

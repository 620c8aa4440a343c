import Foundation

/// Picks the token source for `source.type: auto` from the environment alone, and says why,
/// for `--verbose` and `broker doctor`. Order: GitHub Actions, GitLab CI, Buildkite, Gitpod,
/// CircleCI, Bitbucket Pipelines, Azure Pipelines, else the embedded issuer. A platform that is present but cannot issue a token (GitHub
/// without `id-token: write`, say) is listed in `unavailable` with its fix; `auto` then stops
/// rather than fall back to the embedded issuer.
public enum TokenSourceDetector {
    public struct Detection: Sendable, Equatable {
        public var platform: CIPlatform
        /// One human sentence on why `platform` was chosen, followed by any warnings.
        public var reason: String
        /// Platforms that were detected but skipped, each with what to fix.
        public var warnings: [String] { unavailable.map(\.problem) }
        /// The same, with each platform's fix apart.
        public var unavailable: [Unavailable]

        init(_ platform: CIPlatform, _ why: String, unavailable: [Unavailable]) {
            self.platform = platform
            self.unavailable = unavailable
            reason = ([why] + unavailable.map(\.problem)).joined(separator: "; ")
        }
    }

    /// A CI platform that is present but cannot issue a token, and the change that fixes it.
    public struct Unavailable: Sendable, Equatable {
        public var platform: CIPlatform
        public var problem: String
        public var fix: String
    }

    /// `gitlabVariable` is the variable a GitLab job's `id_tokens` entry fills (see GitLabTokenSource).
    public static func detect(
        environment: [String: String], gitlabVariable: String = GitLabTokenSource.defaultVariable
    ) -> Detection {
        func isSet(_ name: String) -> Bool { !(environment[name] ?? "").isEmpty }
        func isTrue(_ name: String) -> Bool { environment[name]?.lowercased() == "true" }
        var unavailable: [Unavailable] = []

        let url = GitHubActionsTokenSource.urlVariable, token = GitHubActionsTokenSource.tokenVariable
        if isSet(url) && isSet(token) {
            return Detection(.github, "GitHub Actions: \(url) and \(token) are set", unavailable: unavailable)
        }
        if isTrue("GITHUB_ACTIONS") {
            let missing = [url, token].filter { !isSet($0) }
            let verb = missing.count == 1 ? "is" : "are"
            unavailable.append(Unavailable(
                platform: .github,
                problem: "GitHub Actions detected (GITHUB_ACTIONS=true) but \(missing.joined(separator: " and ")) \(verb) not set: the job lacks `permissions: id-token: write`",
                fix: "add `permissions: { id-token: write, contents: read }` to the job or workflow (pull requests from forks never get an ID token)"))
        }

        if isTrue("GITLAB_CI") {
            if isSet(gitlabVariable) {
                return Detection(.gitlab, "GitLab CI: GITLAB_CI=true and \(gitlabVariable) is set", unavailable: unavailable)
            }
            unavailable.append(Unavailable(
                platform: .gitlab,
                problem: "GitLab CI detected (GITLAB_CI=true) but \(gitlabVariable) is not set: add `id_tokens: { \(gitlabVariable): { aud: <audience> } }` to the job",
                fix: "add `id_tokens: { \(gitlabVariable): { aud: <audience> } }` to the job (one entry per audience; name others in source.variables)"))
        }

        if isTrue("BUILDKITE") {
            if let agent = ProcessRunner.locate("buildkite-agent", environment: environment) {
                return Detection(.buildkite, "Buildkite: BUILDKITE=true and buildkite-agent is at \(agent)", unavailable: unavailable)
            }
            unavailable.append(Unavailable(platform: .buildkite, problem: "Buildkite detected (BUILDKITE=true) but buildkite-agent is not on PATH",
                                           fix: "run broker on a Buildkite agent host, with buildkite-agent on PATH"))
        }

        if isSet("GITPOD_WORKSPACE_ID") {
            if let gp = ProcessRunner.locate("gp", environment: environment) {
                return Detection(.gitpod, "Gitpod: GITPOD_WORKSPACE_ID is set and gp is at \(gp)", unavailable: unavailable)
            }
            unavailable.append(Unavailable(platform: .gitpod, problem: "Gitpod detected (GITPOD_WORKSPACE_ID is set) but gp is not on PATH",
                                           fix: "run broker inside the Gitpod workspace, where the gp CLI is on PATH"))
        }

        if isTrue("CIRCLECI") {
            if let cli = ProcessRunner.locate("circleci", environment: environment) {
                return Detection(.circleci, "CircleCI: CIRCLECI=true and the circleci CLI is at \(cli)", unavailable: unavailable)
            }
            if isSet(CircleCITokenSource.variable) {
                return Detection(.circleci, "CircleCI: CIRCLECI=true and \(CircleCITokenSource.variable) is set (its default audience only)", unavailable: unavailable)
            }
            unavailable.append(Unavailable(platform: .circleci, problem: "CircleCI detected (CIRCLECI=true) but the job has no OIDC token: it runs without a context",
                                           fix: "run the job with a context (CircleCI issues OIDC tokens only then)"))
        }

        if isSet("BITBUCKET_BUILD_NUMBER") {
            if isSet(BitbucketTokenSource.variable) {
                return Detection(.bitbucket, "Bitbucket Pipelines: BITBUCKET_BUILD_NUMBER and \(BitbucketTokenSource.variable) are set", unavailable: unavailable)
            }
            unavailable.append(Unavailable(platform: .bitbucket, problem: "Bitbucket Pipelines detected (BITBUCKET_BUILD_NUMBER is set) but \(BitbucketTokenSource.variable) is not",
                                           fix: "add `oidc: true` to the step in bitbucket-pipelines.yml"))
        }

        if environment["TF_BUILD"]?.lowercased() == "true" {
            let url = AzurePipelinesTokenSource.urlVariable, token = AzurePipelinesTokenSource.tokenVariable
            if isSet(url) && isSet(token) {
                return Detection(.azurepipelines, "Azure Pipelines: TF_BUILD=True and \(url) and \(token) are set", unavailable: unavailable)
            }
            unavailable.append(Unavailable(platform: .azurepipelines,
                                           problem: "Azure Pipelines detected (TF_BUILD=True) but \(isSet(url) ? token : url) is not set: the step does not map the job's access token",
                                           fix: "add `env: { SYSTEM_ACCESSTOKEN: $(System.AccessToken) }` to the step"))
        }

        return Detection(.embedded, "no CI platform can issue a token here: using broker's embedded issuer", unavailable: unavailable)
    }
}

import BrokerCore
import Foundation
import Testing

/// A PATH directory holding executables with the given names (their content does not matter:
/// detection only looks for them).
private func pathWith(_ names: String...) throws -> String {
    let directory = temporaryDirectory()
    for name in names {
        try "#!/bin/sh\nexit 0\n".write(toFile: directory + "/" + name, atomically: true, encoding: .utf8)
        chmod(directory + "/" + name, 0o755)
    }
    return directory
}

private let githubVariables = [GitHubActionsTokenSource.urlVariable: "https://example.invalid/idtoken?api-version=2.0",
                      GitHubActionsTokenSource.tokenVariable: "request-token"]

@Suite struct CITokenSourceDetectorTests {
    @Test func github() {
        let detection = TokenSourceDetector.detect(environment: CITokenSourceDetectorTests.githubEnvironment)
        #expect(detection.platform == .github)
        #expect(detection.reason == "GitHub Actions: ACTIONS_ID_TOKEN_REQUEST_URL and ACTIONS_ID_TOKEN_REQUEST_TOKEN are set")
        #expect(detection.warnings.isEmpty)
    }

    static let githubEnvironment = githubVariables.merging(["GITHUB_ACTIONS": "true"]) { a, _ in a }

    @Test func gitlab() {
        let detection = TokenSourceDetector.detect(environment: ["GITLAB_CI": "true", "BROKER_ID_TOKEN": "x.y.z"])
        #expect(detection.platform == .gitlab)
        #expect(detection.reason.contains("GITLAB_CI=true and BROKER_ID_TOKEN is set"))
    }

    @Test func gitlabWithAConfiguredVariable() {
        let environment = ["GITLAB_CI": "true", "AWS_ID_TOKEN": "x.y.z"]
        #expect(TokenSourceDetector.detect(environment: environment).platform == .embedded)
        #expect(TokenSourceDetector.detect(environment: environment, gitlabVariable: "AWS_ID_TOKEN").platform == .gitlab)
    }

    @Test func gitlabWithoutTheVariableSaysWhatToAdd() {
        let detection = TokenSourceDetector.detect(environment: ["GITLAB_CI": "true"])
        #expect(detection.platform == .embedded)
        #expect(detection.reason.contains("id_tokens: { BROKER_ID_TOKEN: { aud: <audience> } }"))
    }

    @Test func buildkiteNeedsTheAgentOnPath() throws {
        let path = try pathWith("buildkite-agent")
        let detection = TokenSourceDetector.detect(environment: ["BUILDKITE": "true", "PATH": path])
        #expect(detection.platform == .buildkite)
        #expect(detection.reason == "Buildkite: BUILDKITE=true and buildkite-agent is at \(path)/buildkite-agent")
        let without = TokenSourceDetector.detect(environment: ["BUILDKITE": "true", "PATH": temporaryDirectory()])
        #expect(without.platform == .embedded)
        #expect(without.warnings == ["Buildkite detected (BUILDKITE=true) but buildkite-agent is not on PATH"])
    }

    @Test func gitpodNeedsGpOnPath() throws {
        let path = try pathWith("gp")
        let detection = TokenSourceDetector.detect(environment: ["GITPOD_WORKSPACE_ID": "ws-1", "PATH": path])
        #expect(detection.platform == .gitpod)
        #expect(detection.reason.contains("GITPOD_WORKSPACE_ID is set and gp is at \(path)/gp"))
        #expect(TokenSourceDetector.detect(environment: ["GITPOD_WORKSPACE_ID": "ws-1", "PATH": temporaryDirectory()]).platform == .embedded)
    }

    @Test func nothingMeansTheEmbeddedIssuer() {
        let detection = TokenSourceDetector.detect(environment: ["PATH": "/nonexistent", "GITLAB_CI": "false", "BUILDKITE": ""])
        #expect(detection.platform == .embedded)
        #expect(detection.reason.contains("embedded issuer"))
        #expect(detection.warnings.isEmpty)
    }

    @Test func precedenceFollowsGitHubGitLabBuildkiteGitpod() throws {
        let path = try pathWith("buildkite-agent", "gp")
        var environment = githubVariables.merging(["GITLAB_CI": "true", "BROKER_ID_TOKEN": "x.y.z", "BUILDKITE": "true",
                                          "GITPOD_WORKSPACE_ID": "ws-1", "PATH": path]) { a, _ in a }
        #expect(TokenSourceDetector.detect(environment: environment).platform == .github)
        environment[GitHubActionsTokenSource.tokenVariable] = nil
        #expect(TokenSourceDetector.detect(environment: environment).platform == .gitlab)
        environment["BROKER_ID_TOKEN"] = nil
        #expect(TokenSourceDetector.detect(environment: environment).platform == .buildkite)
        environment["BUILDKITE"] = nil
        #expect(TokenSourceDetector.detect(environment: environment).platform == .gitpod)
    }

    @Test func githubWithoutIdTokenPermissionFallsThroughWithAWarning() throws {
        let path = try pathWith("buildkite-agent")
        let detection = TokenSourceDetector.detect(environment: ["GITHUB_ACTIONS": "true", "BUILDKITE": "true", "PATH": path])
        #expect(detection.platform == .buildkite)
        #expect(detection.warnings.count == 1)
        #expect(detection.reason.contains("GITHUB_ACTIONS=true"))
        #expect(detection.reason.contains("permissions: id-token: write"))

        let alone = TokenSourceDetector.detect(environment: ["GITHUB_ACTIONS": "true", "PATH": "/nonexistent"])
        #expect(alone.platform == .embedded)
        #expect(alone.reason.contains("ACTIONS_ID_TOKEN_REQUEST_URL and ACTIONS_ID_TOKEN_REQUEST_TOKEN are not set"))
        #expect(alone.reason.contains("permissions: id-token: write"))
    }
}

import BrokerCore
import Foundation
import Testing

/// A fake platform CLI (`buildkite-agent`, `gp`) in a fresh directory: it records its
/// arguments one per line, then prints `output` (or writes `fail` to stderr and exits 1).
private func fakeCLI(_ name: String, output: String = fakeJWT(#"{"sub":"job","aud":"sts.amazonaws.com"}"#),
                     fail: String? = nil, sleep: Int = 0) throws -> (environment: [String: String], argsFile: String) {
    let directory = temporaryDirectory()
    let argsFile = directory + "/args"
    var script = "#!/bin/sh\nfor a in \"$@\"; do printf '%s\\n' \"$a\"; done > '\(argsFile)'\n"
    if sleep > 0 { script += "exec sleep \(sleep)\n" }
    if let fail {
        script += "echo '\(fail)' >&2\nexit 1\n"
    } else {
        script += "printf '\\n  %s  \\n\\n' '\(output)'\n"
    }
    try installExecutable(directory + "/" + name, script)
    return (["PATH": "\(directory):/usr/bin:/bin", "BUILDKITE_JOB_ID": "j1"], argsFile)
}

/// The script is written by a child shell, not by this process: a write descriptor we held
/// could leak into a process another test is spawning at that moment, and running the script
/// would then fail with ETXTBSY ("text file busy").
private func installExecutable(_ path: String, _ content: String) throws {
    let result = try ProcessRunner.run(["/bin/sh", "-c", "cat > \"$1\" && chmod 755 \"$1\"", "sh", path],
                                       stdin: Data(content.utf8), timeout: 10, what: "installing \(path)")
    guard result.status == 0 else { throw BrokerError.failure("cannot install \(path): \(result.stderr.excerpt())") }
}

private func recordedArguments(_ file: String) throws -> [String] {
    try String(contentsOfFile: file, encoding: .utf8).split(separator: "\n").map(String.init)
}

@Suite struct CITokenSourceBuildkiteTests {
    @Test func requestsATokenForTheAudience() async throws {
        let fake = try fakeCLI("buildkite-agent")
        let token = try await BuildkiteTokenSource(environment: fake.environment).token(audience: "sts.amazonaws.com")
        #expect(token.subject == "job")
        #expect(try recordedArguments(fake.argsFile) == ["oidc", "request-token", "--audience", "sts.amazonaws.com"])
    }

    @Test func passesTheLifetimeInWholeSeconds() async throws {
        let fake = try fakeCLI("buildkite-agent")
        let source = BuildkiteTokenSource(lifetime: 299.5, environment: fake.environment)
        _ = try await source.token(audience: "sts.amazonaws.com")
        #expect(try recordedArguments(fake.argsFile) == ["oidc", "request-token", "--audience", "sts.amazonaws.com", "--lifetime", "300"])
    }

    @Test func aFailingAgentIsQuoted() async throws {
        let fake = try fakeCLI("buildkite-agent", fail: "fatal: BUILDKITE_AGENT_ACCESS_TOKEN is missing")
        do {
            _ = try await BuildkiteTokenSource(environment: fake.environment).token(audience: "a")
            Issue.record("expected an error")
        } catch {
            #expect("\(error)".contains("status 1"))
            #expect("\(error)".contains("fatal: BUILDKITE_AGENT_ACCESS_TOKEN is missing"))
        }
    }

    @Test func aHungAgentIsStopped() async throws {
        let fake = try fakeCLI("buildkite-agent", sleep: 300)
        let started = Date()
        do {
            _ = try await BuildkiteTokenSource(timeout: 0.5, environment: fake.environment).token(audience: "a")
            Issue.record("expected a timeout")
        } catch { #expect("\(error)".contains("did not finish")) }
        // ProcessRunner's SIGTERM may be blocked in the child; its SIGKILL follows 2s later.
        #expect(Date().timeIntervalSince(started) < 60)  // far below the 300 s sleep
    }

    @Test func outputThatIsNotAJWTIsNeverQuoted() async throws {
        let fake = try fakeCLI("buildkite-agent", output: "bkua_secretish")
        do {
            _ = try await BuildkiteTokenSource(environment: fake.environment).token(audience: "a")
            Issue.record("expected an error")
        } catch {
            #expect("\(error)".contains("not a JWT"))
            #expect(!"\(error)".contains("bkua_secretish"))
        }
    }

    @Test func aMissingAgentIsNamed() async throws {
        do {
            _ = try await BuildkiteTokenSource(environment: ["PATH": temporaryDirectory()]).token(audience: "a")
            Issue.record("expected an error")
        } catch { #expect("\(error)".contains("buildkite-agent")) }
    }
}

@Suite struct CITokenSourceGitpodTests {
    @Test func requestsATokenForTheAudience() async throws {
        let fake = try fakeCLI("gp")
        let token = try await GitpodTokenSource(environment: fake.environment).token(audience: "api://AzureADTokenExchange")
        #expect(token.subject == "job")
        #expect(try recordedArguments(fake.argsFile) == ["idp", "token", "--audience", "api://AzureADTokenExchange"])
    }

    @Test func aFailingGpIsQuoted() async throws {
        let fake = try fakeCLI("gp", fail: "not running in a Gitpod workspace")
        do {
            _ = try await GitpodTokenSource(environment: fake.environment).token(audience: "a")
            Issue.record("expected an error")
        } catch {
            #expect("\(error)".contains("gp idp token"))
            #expect("\(error)".contains("not running in a Gitpod workspace"))
        }
    }
}

@Suite struct CITokenSourceCircleCITests {
    @Test func theCLIMintsForAnyAudienceWithTheAudienceAsJSONClaims() async throws {
        let fake = try fakeCLI("circleci", output: fakeJWT(#"{"sub":"org/o/project/p/user/u","aud":"api://AzureADTokenExchange"}"#))
        let token = try await CircleCITokenSource(environment: fake.environment).token(audience: "api://AzureADTokenExchange")
        #expect(token.audiences == ["api://AzureADTokenExchange"])
        #expect(try recordedArguments(fake.argsFile) == ["run", "oidc", "get", "--claims", #"{"aud":"api://AzureADTokenExchange"}"#])
    }

    @Test func withoutTheCLIOnlyTheDefaultAudienceOfTheVariable() async throws {
        let environment = ["PATH": temporaryDirectory(), CircleCITokenSource.variable: fakeJWT(#"{"sub":"s","aud":"org-uuid"}"#)]
        let source = CircleCITokenSource(environment: environment)
        #expect(try await source.token(audience: "org-uuid").audiences == ["org-uuid"])
        await #expect {
            _ = try await source.token(audience: "sts.amazonaws.com")
        } throws: { error in
            (error as? BrokerError)?.exitCode == 2 && "\(error)".contains("install the circleci CLI")
        }
    }

    @Test func detection() throws {
        let fake = try fakeCLI("circleci")
        #expect(TokenSourceDetector.detect(environment: fake.environment.merging(["CIRCLECI": "true"]) { $1 }).platform == .circleci)
        let variable = TokenSourceDetector.detect(environment: ["CIRCLECI": "true", "PATH": "/nonexistent", CircleCITokenSource.variable: "x.y.z"])
        #expect(variable.platform == .circleci && variable.reason.contains("default audience only"))
        let none = TokenSourceDetector.detect(environment: ["CIRCLECI": "true", "PATH": "/nonexistent"])
        #expect(none.platform == .embedded && none.unavailable.first?.fix.contains("context") == true)
    }
}

@Suite struct CITokenSourceBitbucketTests {
    static let token = fakeJWT(#"{"sub":"{repo-uuid}:{step-uuid}","aud":"ari:cloud:bitbucket::workspace/ws-uuid"}"#)

    @Test func theStepTokenForItsOneAudience() async throws {
        let source = BitbucketTokenSource(environment: [BitbucketTokenSource.variable: Self.token])
        #expect(try await source.token(audience: "ari:cloud:bitbucket::workspace/ws-uuid").subject == "{repo-uuid}:{step-uuid}")
        await #expect {
            _ = try await source.token(audience: "sts.amazonaws.com")
        } throws: { "\($0)".contains("one audience per workspace") && (($0 as? BrokerError)?.exitCode == 2) }
        await #expect {
            _ = try await BitbucketTokenSource(environment: [:]).token(audience: "a")
        } throws: { "\($0)".contains("oidc: true") }
    }

    @Test func detection() {
        let found = TokenSourceDetector.detect(environment: ["BITBUCKET_BUILD_NUMBER": "12", BitbucketTokenSource.variable: Self.token])
        #expect(found.platform == .bitbucket)
        let missing = TokenSourceDetector.detect(environment: ["BITBUCKET_BUILD_NUMBER": "12"])
        #expect(missing.platform == .embedded && missing.unavailable.first?.fix == "add `oidc: true` to the step in bitbucket-pipelines.yml")
        #expect(throws: BrokerError.self) {
            _ = try SourceChoice.make(SettingsBlock([:], path: "source"), environment: ["BITBUCKET_BUILD_NUMBER": "12"]) { BitbucketTokenSource(environment: [:]) }
        }
    }
}

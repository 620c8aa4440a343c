import BrokerCore
import Foundation
import Testing

@Suite struct TokenSourceTests {
    @Test func fileSourceRereadsEveryTime() async throws {
        let path = temporaryDirectory() + "/token"
        let source = FileTokenSource(path: path)
        try Data((fakeJWT(#"{"sub":"one"}"#) + "\n").utf8).write(to: URL(fileURLWithPath: path))
        #expect(try await source.token(audience: "a").subject == "one")
        try Data(fakeJWT(#"{"sub":"two"}"#).utf8).write(to: URL(fileURLWithPath: path))
        #expect(try await source.token(audience: "a").subject == "two")
    }

    @Test func fileSourceNamesAMissingFile() async {
        do {
            _ = try await FileTokenSource(path: "/nonexistent/token").token(audience: "a")
            Issue.record("expected an error")
        } catch { #expect("\(error)".contains("/nonexistent/token")) }
    }

    @Test func envSource() async throws {
        let source = EnvTokenSource(variable: "MY_TOKEN", environment: ["MY_TOKEN": fakeJWT()])
        #expect(try await source.token(audience: "a").subject == "test")
        await #expect(throws: BrokerError.self) {
            _ = try await EnvTokenSource(variable: "MISSING", environment: [:]).token(audience: "a")
        }
    }

    @Test func commandSourceRunsWithoutAShellAndTrims() async throws {
        let script = temporaryDirectory() + "/print-token"
        try "#!/bin/sh\necho \"$1\" > \"$(dirname \"$0\")/args\"\nprintf '  %s\\n\\n' '\(fakeJWT())'\n"
            .write(toFile: script, atomically: true, encoding: .utf8)
        chmod(script, 0o755)
        let source = try CommandTokenSource(commandLine: "\(script) 'aud={audience};$(reboot)'")
        let token = try await source.token(audience: "sts.amazonaws.com")
        #expect(token.subject == "test")
        let args = try String(contentsOfFile: (script as NSString).deletingLastPathComponent + "/args", encoding: .utf8)
        #expect(args == "aud=sts.amazonaws.com;$(reboot)\n")
    }

    @Test func commandSourceTimesOut() async throws {
        let source = try CommandTokenSource(commandLine: "sleep 300", timeout: 0.5)
        let start = Date()
        do {
            _ = try await source.token(audience: "a")
            Issue.record("expected a timeout")
        } catch { #expect("\(error)".contains("did not finish")) }
        // Far below the 300 s sleep; generous because parallel tests can starve the cooperative pool.
        #expect(Date().timeIntervalSince(start) < 60)
    }

    @Test func commandSourceReportsFailureWithStderr() async throws {
        let source = try CommandTokenSource(commandLine: "sh -c 'echo nope >&2; exit 3'")
        do {
            _ = try await source.token(audience: "a")
            Issue.record("expected an error")
        } catch {
            #expect("\(error)".contains("status 3"))
            #expect("\(error)".contains("nope"))
        }
    }

    @Test func notAJWTIsAClearError() async {
        await #expect(throws: BrokerError.self) {
            _ = try await EnvTokenSource(variable: "T", environment: ["T": "not-a-token"]).token(audience: "a")
        }
    }

    @Test func tokenDescriptionNeverShowsTheJWT() throws {
        let jwt = fakeJWT()
        let token = try IdentityToken(jwt: jwt)
        #expect(!"\(token)".contains(jwt))
        #expect("\(token.jwt)" == "<redacted>")
    }
}

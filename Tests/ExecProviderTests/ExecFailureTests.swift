@testable import ExecProvider
import BrokerCore
import Foundation
import Testing

/// Every way a plugin can fail gives a failure that quotes its stderr, never the token, and
/// leaves the disk as it was.
@Suite struct ExecFailureTests {
    /// A plugin that would write `~/written` if broker accepted its answer.
    func failing(_ body: String, home: String, timeout: String = "10s") throws -> any Provider {
        let argv = try shellPlugin(body, in: home + "/bin")
        return try makeProvider(["command": command(argv), "timeout": .string(timeout)], name: "flaky", context: context(home: home))
    }

    @Test func aPluginThatHangsIsKilledAtTheTimeout() async throws {
        let home = temporaryDirectory()
        let provider = try failing("""
            echo $$ > "$HOME/pid"
            echo 'still thinking' >&2
            exec sleep 300
            """, home: home, timeout: "1s")
        let before = listing(home)
        let started = Date()
        let error = try #require(await loginError(provider, token: makeToken()))
        #expect(Date().timeIntervalSince(started) < 60)  // far below the 300 s sleep
        #expect(error.kind == .failure)
        #expect(error.message.contains("exec provider 'flaky'"))
        #expect(error.message.contains("did not answer within 1s and was stopped"))
        #expect(error.message.contains("still thinking"))
        let pid = try #require(pid_t(readText(home + "/pid").trimmingCharacters(in: .whitespacesAndNewlines)))
        #expect(kill(pid, 0) == -1 && errno == ESRCH, "the plugin process is gone")
        #expect(listing(home) == before + ["pid"])
    }

    @Test func aPluginGetsSIGTERMFirstSoItCanCleanUp() async throws {
        let home = temporaryDirectory()
        let provider = try failing("""
            sleep 30 < /dev/null > /dev/null 2>&1 &
            trap 'kill $!; echo "stopped, cleaned up" >&2; exit 1' TERM
            wait
            """, home: home, timeout: "1s")
        let error = try #require(await loginError(provider, token: makeToken()))
        #expect(error.message.contains("did not answer within 1s and was stopped"))
        // Only a delivered SIGTERM runs the trap; SIGKILL cannot be caught.
        #expect(error.message.contains("stopped, cleaned up"))
    }

    @Test func aNonZeroExitQuotesStderrWithTheTokenRedacted() async throws {
        let home = temporaryDirectory()
        let token = try makeToken()
        let provider = try failing("""
            request=$(cat)
            echo "registry said: permission denied for role deploy" >&2
            echo "request was: $request" >&2
            echo '{"version": 1, "identity": "x", "files": [{"path": "~/written", "content": "no"}]}'
            exit 3
            """, home: home)
        let before = listing(home)
        let error = try #require(await loginError(provider, token: token))
        #expect(error.kind == .failure)
        #expect(error.message.contains("exited with status 3"))
        #expect(error.message.contains("registry said: permission denied for role deploy"))
        #expect(!error.description.contains(token.jwt.reveal))
        #expect(error.message.contains("<redacted>"))
        #expect(listing(home) == before)
    }

    @Test func stderrIsQuotedAtMostFourKilobytes() async throws {
        let home = temporaryDirectory()
        let provider = try failing("cat > /dev/null; yes xxxxxxxx | head -c 20000 >&2; exit 1", home: home)
        let error = try #require(await loginError(provider, token: makeToken()))
        #expect(error.message.count < 4096 + 200)
        #expect(error.message.hasSuffix("…"))
    }

    static let badAnswers: [(stdout: String, expected: String)] = [
        ("this is not json", "did not print valid JSON on stdout"),
        ("", "printed nothing on stdout"),
        (#"["version", 1]"#, "printed JSON that is not an object"),
        (#"{"identity": "x"}"#, #"answered without "version""#),
        (#"{"version": 2, "identity": "x", "files": [{"path": "~/written", "content": "no"}]}"#,
         "answered with protocol version 2; broker speaks version 1"),
        (#"{"version": "1", "identity": "x"}"#, #"answered with protocol version "1";"#),
        (#"{"version": 1, "files": [{"path": "~/written", "content": "no"}]}"#, #"answered without "identity""#),
        (#"{"version": 1, "identity": ""}"#, "identity: expected a non-empty string"),
        (#"{"version": 1, "identity": "x", "expiration": "tomorrow"}"#, "expiration: expected an ISO 8601 time"),
        (#"{"version": 1, "identity": "x", "secrets": {"a": 1}}"#, "secrets.a: expected a string"),
        (#"{"version": 1, "identity": "x", "env": {"BAD NAME": "v"}}"#, "env: 'BAD NAME' is not an environment variable name"),
        (#"{"version": 1, "identity": "x", "env": {"1X": "v"}}"#, "env: '1X' is not an environment variable name"),
        (#"{"version": 1, "identity": "x", "files": [{"path": "~/written", "content": "ok"}, {"path": "relative/file", "content": "no"}]}"#,
         "files[1].path: 'relative/file' is not an absolute path"),
        (#"{"version": 1, "identity": "x", "files": [{"path": "~/written", "content": "ok"}, {"path": "~/b"}]}"#, "files[1].content: is missing"),
        (#"{"version": 1, "identity": "x", "files": [{"path": "~/written", "content": "ok", "mode": "0999"}]}"#,
         #"files[0].mode: expected an octal mode string like "0600", found 0999"#),
        (#"{"version": 1, "identity": "x", "files": [{"path": "~/written", "content": "ok", "mode": "4755"}]}"#, "files[0].mode"),
        (#"{"version": 1, "identity": "x", "files": [{"path": "~/written", "content": "ok", "mode": 384}]}"#, "files[0].mode"),
        (#"{"version": 1, "identity": "x", "files": [{"path": "~/written", "content": "a"}, {"path": "~/written", "content": "b"}]}"#,
         "is listed twice"),
        (#"{"version": 1, "identity": "x", "files": [{"path": "~/written", "content": "a", "logout": "never"}]}"#,
         #"files[0].logout: expected "remove" or "keep""#),
        (#"{"version": 1, "identity": "x", "owned": ["~/written", "tmp/x"]}"#, "owned[1]: 'tmp/x' is not an absolute path"),
        (#"{"version": 1, "identity": "x", "files": [{"path": "~user/written", "content": "a"}]}"#, "is not an absolute path"),
    ]

    @Test(arguments: badAnswers)
    func aBadAnswerIsRejectedBeforeAnythingIsWritten(_ answer: (stdout: String, expected: String)) async throws {
        let home = temporaryDirectory()
        try writeText(answer.stdout, to: home + "/bin/answer.json")
        let provider = try failing(#"cat > /dev/null; echo 'some diagnostics' >&2; cat "$HOME/bin/answer.json""#, home: home)
        let before = listing(home)
        let error = try #require(await loginError(provider, token: makeToken()))
        #expect(error.kind == .failure)
        #expect(error.message.contains(answer.expected), "\(error.message)")
        #expect(error.message.contains("some diagnostics"))
        #expect(listing(home) == before)
    }

    @Test func aRejectedAnswerNeverEchoesItsSecrets() async throws {
        let home = temporaryDirectory()
        let provider = try failing(#"""
            cat > /dev/null
            echo 'got secret s3cr3t-value from the API' >&2
            echo '{"version": 2, "identity": "x", "secrets": {"k": "s3cr3t-value"}}'
            """#, home: home)
        let error = try #require(await loginError(provider, token: makeToken()))
        #expect(!error.description.contains("s3cr3t-value"))
        #expect(error.message.contains("got secret <redacted> from the API"))
    }

    @Test func aMissingProgramSaysSo() async throws {
        let home = temporaryDirectory()
        let provider = try makeProvider(["command": command([home + "/no-such-plugin"])], context: context(home: home))
        let error = try #require(await loginError(provider, token: makeToken()))
        #expect(error.message.contains("was not found on PATH or is not executable"))
    }
}

extension ExecFailureTests {
    /// Waiting for the background child would take three minutes: the time limit, not a wall-clock
    /// bound that a loaded machine can break, is what fails then.
    @Test(.timeLimit(.minutes(1))) func anAnswerCountsEvenWhenABackgroundChildStillHoldsStdout() async throws {
        let home = temporaryDirectory()
        let argv = try shellPlugin("""
            cat > /dev/null
            echo '{"version": 1, "identity": "bot", "secrets": {}}'
            sleep 180 &
            """, in: home + "/bin")
        let provider = try makeProvider(["command": command(argv)], context: context(home: home))
        let result = try await provider.login(token: makeToken(), journal: .unrecorded())
        #expect(result.credentials.identity == "bot")
    }

    @Test func outputIsBoundedAndSaidSo() async throws {
        let home = temporaryDirectory()
        let provider = try failing("""
            cat > /dev/null
            head -c 6000000 /dev/zero | tr '\\0' 'x'
            head -c 500000 /dev/zero | tr '\\0' 'e' >&2
            """, home: home)
        let error = try #require(await loginError(provider, token: makeToken()))
        #expect(error.message.contains("printed more than 4 MiB on stdout"))
        #expect(error.description.count < 100_000)
    }
}

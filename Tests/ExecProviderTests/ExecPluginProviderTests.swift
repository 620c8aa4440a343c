@testable import ExecProvider
import BrokerCore
import Foundation
import Testing

@Suite struct ExecPluginProviderTests {
    @Test func theTokenTravelsOnStdinOnlyNeverInArgvOrEnvironment() async throws {
        let home = temporaryDirectory()
        let token = try makeToken()
        let argv = try shellPlugin("""
            printf '%s\\n' "$0" "$@" > "$HOME/argv"
            env > "$HOME/environment"
            cat > "$HOME/stdin"
            echo '{"version": 1, "identity": "someone"}'
            """, in: home)
        // An `env` token source leaves the token in broker's own environment; it must not reach the plugin.
        let provider = try makeProvider([
            "command": command(argv + ["--flag", "value"]),
            "env": .object(["EXTRA_SETTING": .string("on")]),
            "settings": .object(["region": .string("north"), "depth": .number(3)]),
        ], name: "tool", audience: "tool-audience", context: context(home: home, extra: ["BROKER_TOKEN": token.jwt.reveal]))
        let result = try await provider.login(token: token, journal: .unrecorded())
        #expect(result.credentials.identity == "someone")

        let recordedArgv = try readText(home + "/argv")
        #expect(recordedArgv.contains("--flag\nvalue\n"))
        #expect(!recordedArgv.contains(token.jwt.reveal))
        let environment = try readText(home + "/environment")
        #expect(environment.contains("EXTRA_SETTING=on"))
        #expect(!environment.contains(token.jwt.reveal))
        #expect(!environment.contains("BROKER_TOKEN"))

        let request = try JSONDecoder().decode(JSONValue.self, from: Data(readText(home + "/stdin").utf8))
        #expect(request == .object([
            "version": .number(1), "provider": .string("tool"), "audience": .string("tool-audience"),
            "token": .string(token.jwt.reveal),
            "settings": .object(["region": .string("north"), "depth": .number(3)]),
        ]))
    }

    @Test func writesTheFilesWithTheirModesAndRecordsThem() async throws {
        let home = temporaryDirectory()
        let argv = try shellPlugin("""
            cat > /dev/null
            touch "$HOME/self-written"
            cat <<JSON
            {"version": 1, "identity": "svc@example", "expiration": "2030-01-02T03:04:05Z",
             "files": [{"path": "~/app/credentials", "content": "key=1\\n"},
                       {"path": "$HOME/app/shared.conf", "content": "shared", "mode": "0640"}],
             "owned": ["~/self-written"]}
            JSON
            """, in: home)
        let provider = try makeProvider(["command": command(argv)], context: context(home: home))
        let result = try await provider.login(token: makeToken(), journal: .unrecorded())

        #expect(try readText(home + "/app/credentials") == "key=1\n")
        #expect(fileMode(home + "/app/credentials") == 0o600)
        #expect(fileMode(home + "/app/shared.conf") == 0o640)
        #expect(fileMode(home + "/app") == 0o700)
        #expect(result.written == [
            WrittenTarget(kind: .file, path: home + "/app/credentials"),
            WrittenTarget(kind: .file, path: home + "/app/shared.conf"),
            WrittenTarget(kind: .file, path: home + "/self-written"),
        ])
        #expect(result.credentials.expiration == Date(timeIntervalSince1970: 1_893_553_445))
        #expect(result.credentials.details == ["plugin": "/bin/sh"])
    }

    @Test func aModeIsEnforcedEvenWhenTheContentIsUnchanged() async throws {
        let home = temporaryDirectory()
        try writeText("same", to: home + "/file")
        chmod(home + "/file", 0o644)
        let argv = try shellPlugin(#"cat > /dev/null; echo '{"version": 1, "identity": "x", "files": [{"path": "~/file", "content": "same"}]}'"#, in: home)
        _ = try await makeProvider(["command": command(argv)], context: context(home: home)).login(token: makeToken(), journal: .unrecorded())
        #expect(fileMode(home + "/file") == 0o600)
    }

    @Test func envValuesCarryingASecretAreMarkedSecret() async throws {
        let home = temporaryDirectory()
        let token = try makeToken()
        let argv = try shellPlugin("""
            cat > /dev/null
            cat <<'JSON'
            {"version": 1, "identity": "x",
             "secrets": {"apiKey": "k-123456", "empty": ""},
             "env": {"API_KEY": "k-123456", "AUTH_HEADER": "Bearer k-123456", "REGION": "north", "EMPTY": "",
                     "RAW_TOKEN": "\(token.jwt.reveal)"}}
            JSON
            """, in: home)
        let result = try await makeProvider(["command": command(argv)], context: context(home: home)).login(token: token, journal: .unrecorded())
        let variables = result.credentials.environment
        #expect(variables.map(\.name) == ["API_KEY", "AUTH_HEADER", "EMPTY", "RAW_TOKEN", "REGION"])
        #expect(variables.filter(\.isSecret).map(\.name) == ["API_KEY", "AUTH_HEADER", "RAW_TOKEN"])
        #expect(variables.first { $0.name == "REGION" }?.value == "north")
        #expect(result.credentials.secrets["apiKey"]?.reveal == "k-123456")
        // Details go to the state file, so no value from the answer's env or secrets lands there.
        #expect(!result.credentials.details.values.contains { $0.contains("k-123456") })
    }

    @Test func noExpirationAndNullMembersAreFine() async throws {
        let home = temporaryDirectory()
        let argv = try shellPlugin(#"cat > /dev/null; echo '{"version": 1, "identity": "x", "expiration": null, "files": null, "future": {"ignored": true}}'"#, in: home)
        let result = try await makeProvider(["command": command(argv)], context: context(home: home)).login(token: makeToken(), journal: .unrecorded())
        #expect(result.credentials.expiration == nil)
        #expect(result.written.isEmpty)
    }

    @Test func fractionalSecondsInTheExpirationAreAccepted() throws {
        let response = try ExecResponse(parsing: Data(#"{"version": 1, "identity": "x", "expiration": "2030-01-02T03:04:05.250Z"}"#.utf8), home: "/h")
        #expect(response.expiration == Date(timeIntervalSince1970: 1_893_553_445.25))
    }

    @Test func aPluginThatIgnoresStdinStillWorks() async throws {
        let home = temporaryDirectory()
        let argv = try shellPlugin(#"echo '{"version": 1, "identity": "x"}'"#, in: home)
        let provider = try makeProvider(["command": command(argv)], context: context(home: home))
        for _ in 0..<20 { _ = try await provider.login(token: makeToken(), journal: .unrecorded()) }
    }
}

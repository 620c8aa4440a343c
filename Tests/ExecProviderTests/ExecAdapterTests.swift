@testable import ExecProvider
import BrokerCore
import Foundation
import Testing

@Suite struct ExecAdapterTests {
    @Test func describesItself() {
        let descriptor = ExecAdapter.descriptor
        #expect(descriptor.adapter == "exec")
        #expect(descriptor.defaultAudience == nil)
        #expect(descriptor.keys.map(\.name) == ["command", "timeout", "env", "settings"])
        #expect(descriptor.target(SettingsBlock([:], path: "providers.x"), context(home: "/h")) == nil)
    }

    func settings(_ values: [String: JSONValue]) throws -> ExecSettings {
        let block = SettingsBlock(values, path: "providers.tool", file: "broker.json")
        try block.check(against: ExecAdapter.keys)
        return try ExecSettings(block: block, name: "tool", audience: "aud")
    }

    @Test func decodesItsSettings() throws {
        let decoded = try settings(["command": command(["/opt/p", "-v"]), "timeout": .string("1m"),
                                    "env": .object(["A_1": .string("x")]), "settings": .object(["k": .bool(true)])])
        var expected = ExecSettings(name: "tool", audience: "aud", command: ["/opt/p", "-v"])
        expected.timeout = 60
        expected.environment = ["A_1": "x"]
        expected.pluginSettings = ["k": .bool(true)]
        #expect(decoded == expected)
        #expect(try settings(["command": command(["p"])]).timeout == 30)
    }

    @Test(arguments: [
        (["timeout": .string("5s")], "providers.tool.command: is required"),
        (["command": .string("/opt/p --flag")], "providers.tool.command: expected an array of strings"),
        (["command": .array([])], "providers.tool.command: needs at least the program"),
        (["command": command([""])], "providers.tool.command: needs at least the program"),
        (["command": command(["p"]), "timeout": .string("0s")], "providers.tool.timeout: expected a duration like \"15m\" or a number of seconds, from 1s to 1h, found 0s"),
        (["command": command(["p"]), "env": .object(["A-B": .string("x")])], "providers.tool.env: 'A-B' is not an environment variable name"),
        (["command": command(["p"]), "settings": .string("x")], "providers.tool.settings: expected an object"),
    ] as [([String: JSONValue], String)])
    func rejectsBadSettings(_ values: [String: JSONValue], _ expected: String) throws {
        let error = try #require(throws: BrokerError.self) { try settings(values) }
        #expect(error.kind == .usage)
        #expect(error.message.contains(expected), "\(error.message)")
    }

    @Test func logoutRemovesTheRecordedFilesAndTheirLocks() async throws {
        let home = temporaryDirectory()
        let argv = try shellPlugin("""
            cat > /dev/null
            echo owned > "$HOME/owned.txt"
            echo '{"version": 1, "identity": "x", "files": [{"path": "~/a/one", "content": "1"}, {"path": "~/two", "content": "2", "mode": "0644"}], "owned": ["~/owned.txt", "~/never-written"]}'
            """, in: home)
        let result = try await makeProvider(["command": command(argv)], context: context(home: home)).login(token: makeToken(), journal: .unrecorded())
        #expect(!FileManager.default.fileExists(atPath: home + "/two.lock"))  // removed with the lock
        let record = StateStore.Record(name: "plugin", adapter: "exec", identity: "x", expiration: nil,
                                       written: result.written, details: result.credentials.details)
        let lines = try await ExecAdapter.descriptor.logout(record, context(home: home))
        #expect(lines == ["removed \(home)/a/one", "removed \(home)/two", "removed \(home)/owned.txt"])
        #expect(listing(home) == ["a", argv[1].replacingOccurrences(of: home + "/", with: "")])
    }
}

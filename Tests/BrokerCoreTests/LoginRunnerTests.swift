import BrokerCore
import Foundation
import Testing

/// The login flow through the library, in-process, with a temporary home: what every login
/// command runs.
@Suite struct LoginRunnerTests {
    /// Hands out a token per audience and counts the requests.
    actor CountingSource: TokenSource {
        nonisolated var name: String { "test source" }
        var requests: [String] = []
        let audienceOverride: String?

        init(audienceOverride: String? = nil) { self.audienceOverride = audienceOverride }

        func token(audience: String) async throws -> IdentityToken {
            requests.append(audience)
            let exp = Int(Date().timeIntervalSince1970) + 600
            return try IdentityToken(jwt: fakeJWT(#"{"sub":"s","aud":"\#(audienceOverride ?? audience)","exp":\#(exp)}"#))
        }
    }

    /// Writes one file through the journal, or fails.
    struct FileProvider: Provider {
        let audience: String
        let path: String
        var fails = false

        func login(token: IdentityToken, journal: LoginJournal) async throws -> LoginResult {
            if fails { throw BrokerError.failure("refused") }
            try journal.writeFile(path, contents: Data("secret".utf8), brokerOwned: true)
            let credentials = IssuedCredentials(identity: "id-\(audience)", expiration: Date().addingTimeInterval(3600),
                                                secrets: ["token": SecretValue("secret")], details: [:], environment: [])
            return LoginResult(credentials: credentials, written: [WrittenTarget(kind: .file, path: path)])
        }
    }

    func jobs(_ root: String, failing: Set<String> = []) -> [LoginRunner.Job] {
        [("a", "aud-1"), ("b", "aud-2"), ("c", "aud-1")].map { name, audience in
            LoginRunner.Job(name: name, adapter: "test", provider: FileProvider(audience: audience, path: "\(root)/\(name)", fails: failing.contains(name)))
        }
    }

    @Test func oneTokenPerAudienceEveryLoginRecordedFailuresApart() async throws {
        let root = temporaryDirectory()
        let state = StateStore(home: BrokerHome(path: root + "/home"))
        let source = CountingSource()
        let outcomes = await LoginRunner(source: source, state: state, sourceArguments: []).run(jobs(root, failing: ["b"]))
        #expect(outcomes.map(\.name) == ["a", "b", "c"])
        #expect(outcomes.map(\.succeeded) == [true, false, true])
        #expect(await source.requests.sorted() == ["aud-1", "aud-2"])
        let records = try state.records()
        #expect(Set(records.map(\.name)) == ["a", "c"] && records.allSatisfy { !$0.isPending })
        #expect(FileManager.default.fileExists(atPath: root + "/a") && !FileManager.default.fileExists(atPath: root + "/b"))
    }

    @Test func aTokenForAnotherAudienceNeverReachesTheProvider() async throws {
        let root = temporaryDirectory()
        let state = StateStore(home: BrokerHome(path: root + "/home"))
        let outcomes = await LoginRunner(source: CountingSource(audienceOverride: "other"), state: state, sourceArguments: [])
            .run(jobs(root))
        #expect(outcomes.allSatisfy { !$0.succeeded })
        if case .failure(let error as BrokerError)? = outcomes[0].result {
            #expect(error.kind == .usage && error.message.contains("not 'aud-1'"))
        } else {
            Issue.record("expected a usage error")
        }
        #expect(!FileManager.default.fileExists(atPath: root + "/a"))
    }

    @Test func minRemainingSkipsFreshLoginsWhoseFilesStillExist() async throws {
        let root = temporaryDirectory()
        let state = StateStore(home: BrokerHome(path: root + "/home"))
        _ = await LoginRunner(source: CountingSource(), state: state, sourceArguments: []).run(jobs(root))
        try FileManager.default.removeItem(atPath: root + "/c")
        let records = try state.records()
        let (skipped, toRun) = LoginRunner.partition(jobs(root), records: records, minimum: 15 * 60, registry: ProviderRegistry())
        #expect(skipped.map(\.name) == ["a", "b"] && skipped.allSatisfy { $0.skipped?.hasPrefix("still valid for") == true })
        #expect(toRun.map(\.name) == ["c"])  // its file is gone
        let (none, all) = LoginRunner.partition(jobs(root), records: records, minimum: 2 * 3600, registry: ProviderRegistry())
        #expect(none.isEmpty && all.count == 3)
        #expect(LoginRunner.partition(jobs(root), records: records, minimum: nil, registry: ProviderRegistry()).toRun.count == 3)
    }

    // --- LoginSession: `login NAME... | --all` and `--min-remaining` as one library call -------

    /// A `file` adapter: each entry's `path` setting gets a file; `fails: true` refuses.
    func registry() -> ProviderRegistry {
        var registry = ProviderRegistry()
        registry.register(AdapterDescriptor(
            adapter: "file", summary: "test", defaultAudience: "aud-1",
            keys: [SettingKey("path", .string, required: true, help: ""), SettingKey("fails", .boolean, help: "")],
            target: { block, _ in block.string("path") },
            make: { entry, _ in FileProvider(audience: entry.audience, path: entry.settings.string("path")!, fails: entry.settings.bool("fails") ?? false) },
            logout: { record, _ in try record.undoFiles() },
            recordedExports: { record in [.init("FROM_RECORD", record.name)] }))
        return registry
    }

    func entries(_ root: String, failing: Set<String> = []) -> [ProviderEntry] {
        ["a", "b"].map { name in
            ProviderEntry(name: name, adapter: "file", audience: "aud-\(name)",
                          settings: SettingsBlock(["path": .string("\(root)/\(name)"), "fails": .bool(failing.contains(name))], path: "providers.\(name)"),
                          export: name == "a")
        }
    }

    func session(_ root: String, minimum: TimeInterval? = nil, exports: Bool = false) -> LoginSession {
        let home = BrokerHome(path: root + "/home")
        return LoginSession(registry: registry(), context: ProviderContext(home: root, brokerHome: home, environment: [:]),
                            state: StateStore(home: home), minimum: minimum, exports: exports)
    }

    @Test func aSessionLogsEveryEntryInAndSaysHowItEnded() async throws {
        let root = temporaryDirectory()
        let report = try await session(root).run(entries(root, failing: ["b"])) { CountingSource() }
        #expect(report.outcomes.map(\.name) == ["a", "b"] && report.outcomes.map(\.succeeded) == [true, false])
        #expect(report.exitCode == 1)
        #expect(try StateStore(home: BrokerHome(path: root + "/home")).records().map(\.name) == ["a"])
    }

    @Test func minRemainingThroughTheSessionSkipsWithoutAskingForAToken() async throws {
        let root = temporaryDirectory()
        _ = try await session(root).run(entries(root)) { CountingSource() }
        struct NoToken: Error {}
        let report = try await session(root, minimum: 15 * 60, exports: true).run(entries(root)) { throw NoToken() }
        #expect(report.outcomes.allSatisfy { $0.skipped != nil } && report.exitCode == 0)
        // Exports of skipped providers come from their records, never their secrets.
        #expect(report.exports.map(\.value) == ["a"] && report.exported.isEmpty)
        // Longer than what is left: every provider logs in again.
        let source = CountingSource()
        let again = try await session(root, minimum: 2 * 3600).run(entries(root)) { source }
        let requests = await source.requests
        #expect(again.outcomes.allSatisfy { $0.result != nil && $0.succeeded } && requests.sorted() == ["aud-a", "aud-b"])
    }

    @Test func badSettingsFailTheSessionBeforeAnyToken() async throws {
        let root = temporaryDirectory()
        var broken = entries(root)
        broken[1].adapter = "no-such-adapter"
        struct NoToken: Error {}
        await #expect(throws: BrokerError.self) { _ = try await session(root).run(broken) { throw NoToken() } }
        #expect(!FileManager.default.fileExists(atPath: root + "/a"))
    }
}

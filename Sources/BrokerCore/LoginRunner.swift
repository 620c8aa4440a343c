import Foundation

/// The login flow every login command runs: providers concurrently (bounded), one token per
/// distinct audience (checked before it is sent), each login journaled and recorded in the
/// state file. Failures are collected, never cut the others short.
public struct LoginRunner: Sendable {
    public struct Job: Sendable {
        public var name: String
        public var adapter: String
        public var provider: any Provider

        public init(name: String, adapter: String, provider: any Provider) {
            self.name = name
            self.adapter = adapter
            self.provider = provider
        }
    }

    public struct Outcome: Sendable {
        public var name: String
        public var adapter: String
        public var result: Result<LoginResult, any Error>?
        /// Why the login was not run (`--min-remaining`).
        public var skipped: String?
        public var succeeded: Bool { if case .success = result { true } else { skipped != nil } }

        public init(name: String, adapter: String, result: Result<LoginResult, any Error>?, skipped: String? = nil) {
            self.name = name
            self.adapter = adapter
            self.result = result
            self.skipped = skipped
        }
    }

    public let source: any TokenSource
    public let state: StateStore
    public let sourceArguments: [String]
    public var concurrency = 4

    public init(source: any TokenSource, state: StateStore, sourceArguments: [String]) {
        self.source = source
        self.state = state
        self.sourceArguments = sourceArguments
    }

    public func run(_ jobs: [Job]) async -> [Outcome] {
        let tokens = TokenCache(source: source)
        var outcomes: [Outcome] = []
        await withTaskGroup(of: Outcome.self) { group in
            var pending = jobs[...]
            func startNext() {
                guard let job = pending.popFirst() else { return }
                group.addTask { await login(job, tokens: tokens) }
            }
            for _ in 0..<concurrency { startNext() }
            for await outcome in group {
                outcomes.append(outcome)
                startNext()
            }
        }
        return jobs.compactMap { job in outcomes.first { $0.name == job.name } }
    }

    /// The provider writes through a journal that records each change in the state file before
    /// it is made; the record is marked finished only after the whole login succeeded.
    private func login(_ job: Job, tokens: TokenCache) async -> Outcome {
        do {
            let token = try await tokens.token(audience: job.provider.audience)
            let journal = LoginJournal(name: job.name, adapter: job.adapter, state: state)
            let result = try await job.provider.login(token: token, journal: journal)
            let refresh = result.tokenFile.map {
                StateStore.Refresh(tokenFile: $0, audience: job.provider.audience, sourceArguments: sourceArguments)
            }
            try state.finish(.init(name: job.name, adapter: job.adapter, identity: result.credentials.identity,
                                   expiration: result.credentials.expiration, written: result.written, refresh: refresh,
                                   details: result.credentials.details.isEmpty ? nil : result.credentials.details,
                                   adapterRecord: result.adapterRecord, loginID: journal.loginID))
            return Outcome(name: job.name, adapter: job.adapter, result: .success(result))
        } catch {
            return Outcome(name: job.name, adapter: job.adapter, result: .failure(error))
        }
    }
}

/// One token per audience, fetched once even when several providers ask at the same time.
public actor TokenCache {
    let source: any TokenSource
    private var tasks: [String: Task<IdentityToken, any Error>] = [:]

    public init(source: any TokenSource) { self.source = source }

    public func token(audience: String) async throws -> IdentityToken {
        if let task = tasks[audience] { return try await task.value }
        let source = self.source
        let task = Task { try await source.checkedToken(audience: audience) }
        tasks[audience] = task
        return try await task.value
    }
}

extension LoginRunner {
    /// `--min-remaining`: jobs whose recorded login still has more than `minimum` of real time
    /// left (see `ProviderRegistry.realExpiration`) and whose files all exist are skipped.
    public static func partition(_ jobs: [Job], records: [StateStore.Record], minimum: TimeInterval?,
                                 registry: ProviderRegistry, now: Date = Date()) -> (skipped: [Outcome], toRun: [Job]) {
        guard let minimum else { return ([], jobs) }
        var skipped: [Outcome] = []
        var toRun: [Job] = []
        for job in jobs {
            if let record = records.first(where: { $0.name == job.name }), let expiration = registry.realExpiration(of: record),
               expiration.timeIntervalSince(now) > minimum,
               record.written.allSatisfy({ FileManager.default.fileExists(atPath: $0.path) }) {
                skipped.append(Outcome(name: job.name, adapter: job.adapter, result: nil,
                                       skipped: "still valid for \(DurationText.format(expiration.timeIntervalSince(now)))"))
            } else {
                toRun.append(job)
            }
        }
        return (skipped, toRun)
    }

    /// The providers whose credentials `--output env|github` exports: those marked `"export":
    /// true`, else all. Two of one adapter would set the same variables, the last one winning
    /// silently: refused before anything runs. `purpose` says what would do it.
    public static func exporters(_ entries: [ProviderEntry], purpose: String = "--output would export") throws -> Set<String> {
        let marked = entries.filter(\.export)
        let chosen = marked.isEmpty ? entries : marked
        for adapter in Set(chosen.map(\.adapter)).sorted() {
            let same = chosen.filter { $0.adapter == adapter }.map(\.name)
            guard same.count > 1 else { continue }
            throw BrokerError.usage("\(purpose) the credentials of \(same.count) \(adapter) providers (\(same.joined(separator: ", "))), and the last would win",
                                    hint: marked.isEmpty ? "name one provider, or mark one \"export\": true in the config"
                                        : "mark only one \(adapter) provider \"export\": true")
        }
        return Set(chosen.map(\.name))
    }
}

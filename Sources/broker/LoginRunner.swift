import BrokerCore
import Foundation

/// Runs logins concurrently (bounded), fetching one token per distinct audience, and records
/// each success in the state file. Failures are collected, never cut the others short.
struct LoginRunner {
    struct Job {
        var name: String
        var adapter: String
        var provider: any Provider
    }

    struct Outcome {
        var name: String
        var adapter: String
        var result: Result<LoginResult, any Error>?
        var skipped: String?
        var succeeded: Bool { if case .success = result { true } else { skipped != nil } }
    }

    let source: any TokenSource
    let state: StateStore
    let sourceArguments: [String]
    var concurrency = 4

    func run(_ jobs: [Job]) async -> [Outcome] {
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
                                   loginID: journal.loginID))
            return Outcome(name: job.name, adapter: job.adapter, result: .success(result))
        } catch {
            return Outcome(name: job.name, adapter: job.adapter, result: .failure(error))
        }
    }
}

/// One token per audience, fetched once even when several providers ask at the same time.
actor TokenCache {
    let source: any TokenSource
    private var tasks: [String: Task<IdentityToken, any Error>] = [:]

    init(source: any TokenSource) { self.source = source }

    func token(audience: String) async throws -> IdentityToken {
        if let task = tasks[audience] { return try await task.value }
        let source = self.source
        let task = Task { try await source.checkedToken(audience: audience) }
        tasks[audience] = task
        return try await task.value
    }
}

import Foundation

/// One `broker login` of config entries (`login NAME...`, `login --all`, and the flags-first
/// `login <adapter>`), as a library call the commands share: every provider is built first (bad
/// settings fail the run before any token is fetched), `--min-remaining` skips what is still
/// valid, the rest log in through `LoginRunner`, and what `--output env|github` exports is
/// collected. The command parses, calls `run`, and prints.
public struct LoginSession: Sendable {
    public struct Report: Sendable {
        /// In the order of the entries.
        public var outcomes: [LoginRunner.Outcome]
        /// The exported providers' variables (for a skipped one, what its record says, never secrets).
        public var exports: [EnvironmentExport.Variable]
        /// The exported providers that logged in now, for step outputs.
        public var exported: [(name: String, result: LoginResult)]

        public var runsBrokerLater: Bool {
            outcomes.contains { if case .success(let result)? = $0.result { result.runsBrokerLater } else { false } }
        }

        /// Exit 2 only when every failure was bad usage or configuration (nothing was attempted), 1 for any other failure.
        public var exitCode: Int32 {
            let failures = outcomes.compactMap { outcome -> (any Error)? in
                if case .failure(let error)? = outcome.result { error } else { nil }
            }
            if failures.isEmpty { return 0 }
            return failures.allSatisfy { ($0 as? BrokerError)?.exitCode == 2 } ? 2 : 1
        }
    }

    public var registry: ProviderRegistry
    public var context: ProviderContext
    public var state: StateStore
    /// `--min-remaining`.
    public var minimum: TimeInterval?
    /// `--output env|github`: collect the exporters' variables (and refuse two of one adapter).
    public var exports: Bool

    public init(registry: ProviderRegistry, context: ProviderContext, state: StateStore, minimum: TimeInterval? = nil, exports: Bool = false) {
        self.registry = registry
        self.context = context
        self.state = state
        self.minimum = minimum
        self.exports = exports
    }

    /// `source` is asked only when some provider is to log in.
    public func run(_ entries: [ProviderEntry], source: () throws -> any TokenSource) async throws -> Report {
        let exporters = exports ? try LoginRunner.exporters(entries) : []
        try state.checkWritable()
        let jobs = try entries.map { LoginRunner.Job(name: $0.name, adapter: $0.adapter, provider: try registry.makeProvider($0, context: context)) }
        let (skipped, toRun) = LoginRunner.partition(jobs, records: minimum == nil ? [] : try state.records(), minimum: minimum, registry: registry)
        var outcomes = skipped
        if !toRun.isEmpty {
            outcomes += await LoginRunner(source: try source(), state: state, sourceArguments: context.sourceArguments).run(toRun)
        }
        outcomes.sort { a, b in entries.firstIndex { $0.name == a.name }! < entries.firstIndex { $0.name == b.name }! }
        let chosen = outcomes.filter { exporters.contains($0.name) }
        let records = chosen.contains { $0.skipped != nil } ? try state.records() : []
        let variables = chosen.flatMap { outcome -> [EnvironmentExport.Variable] in
            if case .success(let result)? = outcome.result { return result.credentials.environment }
            guard outcome.skipped != nil, let record = records.first(where: { $0.name == outcome.name }) else { return [] }
            return registry.descriptor(named: outcome.adapter)?.recordedExports(record) ?? []
        }
        let exported = chosen.compactMap { outcome -> (name: String, result: LoginResult)? in
            if case .success(let result)? = outcome.result { (outcome.name, result) } else { nil }
        }
        return Report(outcomes: outcomes, exports: variables, exported: exported)
    }
}

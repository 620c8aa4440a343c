import ArgumentParser
import BrokerCore
import Foundation

struct LoginCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "login",
        abstract: "Exchange identity tokens for cloud credentials and write them where each cloud's tools look.",
        usage: """
            broker login aws --role-arn <arn> [<options>]
            broker login <name> ... [<options>]
            broker login --all [<options>]
            """,
        discussion: """
            'broker login aws --role-arn ...' needs no config. 'broker login NAME [NAME...]' or \
            'broker login --all' runs the config's providers concurrently, one token per audience.
            """,
        subcommands: [LoginProvidersCommand.self, LoginAWSCommand.self],
        defaultSubcommand: LoginProvidersCommand.self
    )
}

/// `broker login NAME... | --all` (the default when the first word is not an adapter command).
struct LoginProvidersCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "providers",
        abstract: "Log into the config's providers by name, or all of them.",
        usage: "broker login <name> ... | --all [<options>]",
        discussion: """
            Runs the providers concurrently, fetching one token per distinct audience. A summary table goes \
            to stderr; --output json prints one report. Exit 0 only when every provider succeeded; \
            otherwise 1, after attempting all.
            """
    )

    @Argument(help: "Providers from the config to log into.")
    var names: [String] = []

    @Flag(help: "Log into every provider in the config.")
    var all = false

    @Option(help: "Skip a provider whose earlier credentials are still valid for longer than this (e.g. 15m).")
    var minRemaining: String?

    @Option(help: "text (summary on stderr only), json (one report), env (export lines) or github ($GITHUB_ENV, masked).")
    var output = OutputFormat.text

    @Flag(help: "Say which token source was chosen and why.")
    var verbose = false

    @OptionGroup var source: TokenSourceOptions

    @OptionGroup var configOption: ConfigOption

    func validate() throws {
        guard all != !names.isEmpty else {
            throw ValidationError(all ? "give provider names or --all, not both" : "name the providers to log into, or use --all (or 'broker login aws ...')")
        }
        if let minRemaining { _ = try DurationText.parse(minRemaining, name: "--min-remaining", range: 0 ... 12 * 3600) }
    }

    func run() async throws {
        let runtime = try BrokerRuntime(configOption: configOption.config)
        runtime.noteConfig()
        try runtime.requireTrust()
        let entries = all ? runtime.config.providers : try names.map { try runtime.config.provider(named: $0) }
        if entries.isEmpty {
            throw BrokerError.usage("\(runtime.configPath ?? "no config file was found"): there are no providers to log into",
                                    hint: "add entries under \"providers\" (see config.example.json)")
        }
        let exporters = output.exports ? try LoginRunner.exporters(entries) : []
        _ = try runtime.brokerHome.prepare()
        // Every output target is checked before anything is written.
        if output == .github { try EnvironmentExport.checkGitHubEnv(environment: runtime.environment) }
        try StateStore(home: runtime.brokerHome).checkWritable()
        let context = runtime.context(sourceArguments: source.arguments)
        // Build every provider first: bad settings fail the whole run before any token is fetched.
        let jobs = try entries.map { LoginRunner.Job(name: $0.name, adapter: $0.adapter, provider: try runtime.registry.makeProvider($0, context: context)) }
        let state = StateStore(home: runtime.brokerHome)
        let minimum = try minRemaining.map { try DurationText.parse($0, name: "--min-remaining", range: 0 ... 12 * 3600) }
        let (skipped, toRun) = LoginRunner.partition(jobs, records: minimum == nil ? [] : try state.records(), minimum: minimum,
                                                     registry: runtime.registry)
        var outcomes = skipped
        if !toRun.isEmpty {
            let choice = try source.makeSource(runtime: runtime)
            if verbose { Terminal.note("token source: \(choice.source.name) (\(choice.reason))") }
            outcomes += await LoginRunner(source: choice.source, state: state, sourceArguments: context.sourceArguments).run(toRun)
        }
        outcomes.sort { a, b in entries.firstIndex { $0.name == a.name }! < entries.firstIndex { $0.name == b.name }! }
        let records = try state.records()
        let variables = outcomes.filter { exporters.contains($0.name) }.flatMap { outcome -> [EnvironmentExport.Variable] in
            if case .success(let result)? = outcome.result { return result.credentials.environment }
            // Skipped by --min-remaining: what the record says, never its secrets.
            guard outcome.skipped != nil, let record = records.first(where: { $0.name == outcome.name }) else { return [] }
            return runtime.registry.descriptor(named: outcome.adapter)?.recordedExports(record) ?? []
        }
        switch output {
        case .env: Terminal.output(EnvironmentExport(variables).shellExports)
        case .github:
            Terminal.output(try EnvironmentExport(variables).appendToGitHubEnv(environment: runtime.environment))
            let exported = outcomes.filter { exporters.contains($0.name) }.compactMap { outcome -> (String, LoginResult)? in
                if case .success(let result)? = outcome.result { return (outcome.name, result) } else { return nil }
            }
            // Each provider's outputs under its name; with one provider, also without a prefix.
            var values = exported.flatMap { StepOutputs.values(identity: $1.credentials.identity, expiration: $1.credentials.expiration, prefix: "\($0)-") }
            if exported.count == 1 { values += StepOutputs.values(identity: exported[0].1.credentials.identity, expiration: exported[0].1.credentials.expiration) }
            try StepOutputs.write(values, environment: runtime.environment)
        case .text, .json: break
        }
        LoginSummary(outcomes: outcomes).print(json: output == .json)
        if outcomes.contains(where: { if case .success(let result)? = $0.result { result.runsBrokerLater } else { false } }) {
            runtime.noteEmbeddedConfig()
        }
        let failures = outcomes.compactMap { outcome -> (any Error)? in
            if case .failure(let error)? = outcome.result { return error }
            return nil
        }
        // Exit 2 only when every failure was bad usage or configuration: nothing was attempted.
        if !failures.isEmpty {
            throw ExitFailure(code: failures.allSatisfy { ($0 as? BrokerError)?.exitCode == 2 } ? 2 : 1)
        }
    }
}

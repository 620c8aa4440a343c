import ArgumentParser
import BrokerCore
import Foundation

/// `broker exec NAME... -- COMMAND`: log in as `login` does, but hand the credentials to one
/// command's environment only, as `aws-vault exec` does, for every adapter. Nothing is written
/// and nothing recorded; the command's exit status is broker's.
struct ExecCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "exec",
        abstract: "Run a command with fresh credentials in its environment only; nothing is written.",
        usage: """
            broker exec <name> ... -- <command> [<argument> ...]
            broker exec --all -- <command> [<argument> ...]
            """,
        discussion: """
            Each provider logs in as 'broker login' would, but its credentials go only into the \
            command's environment (AWS keys and region, VAULT_TOKEN, Google's external-account file and \
            Azure's federated token as in-memory files that last while broker runs, each adapter's \
            exports). No credentials file, no state record. The command runs without a shell; a \
            variable already set is replaced (said on stderr), never merged. SIGINT, SIGTERM, SIGHUP \
            and SIGQUIT sent to broker reach the command. Exit status: the command's (128 + signal \
            when a signal ended it; 126/127 when it cannot start); 1 or 2 when a login failed, and \
            then the command does not run. With --all and two providers of one adapter, the one \
            marked "export": true is used.
            """
    )

    @Argument(help: ArgumentHelp("Providers from the config whose credentials the command gets, then -- and the command.",
                                 valueName: "name"), completion: Completions.providerNames)
    var words: [String] = []

    @Flag(help: "Every provider in the config.")
    var all = false

    @Flag(help: "Say which token source was chosen and who each provider logged in as.")
    var verbose = false

    @OptionGroup var source: TokenSourceOptions

    @OptionGroup var configOption: ConfigOption

    /// argument-parser allows one list of positionals, so the words after `--` arrive in `words`
    /// too; the process's own arguments say how many they are.
    static func split(_ words: [String], arguments: [String] = CommandLine.arguments) -> (names: [String], command: [String]) {
        guard let terminator = arguments.firstIndex(of: "--") else { return (words, []) }
        let count = min(arguments.count - terminator - 1, words.count)
        return (Array(words.dropLast(count)), Array(words.suffix(count)))
    }

    var names: [String] { Self.split(words).names }
    var command: [String] { Self.split(words).command }

    func validate() throws {
        guard all != !names.isEmpty else {
            throw ValidationError(all ? "give provider names or --all, not both" : "name the providers whose credentials the command gets, or use --all")
        }
        guard !command.isEmpty else { throw ValidationError("give the command to run after --, e.g. broker exec aws-prod -- aws sts get-caller-identity") }
    }

    func run() async throws {
        let runtime = try BrokerRuntime(configOption: configOption.config)
        // The command's stderr is broker's: say only what matters unless asked.
        if verbose { runtime.noteConfig() }
        try runtime.requireTrust()
        let named = all ? runtime.config.providers : try names.map { try runtime.config.provider(named: $0) }
        if named.isEmpty {
            throw BrokerError.usage("\(runtime.configPath ?? "no config file was found"): there are no providers", hint: "add entries under \"providers\" (see config.example.json)")
        }
        let chosen = try LoginRunner.exporters(named, purpose: "the command would get")
        let entries = named.filter { chosen.contains($0.name) }
        let context = runtime.context(sourceArguments: source.arguments)
        let jobs = try entries.map { (name: $0.name, provider: try runtime.registry.makeProvider($0, context: context)) }
        let choice = try source.makeSource(runtime: runtime)
        if verbose { Terminal.note("token source: \(choice.source.name) (\(choice.reason))") }

        let files = EphemeralFiles(environment: runtime.environment)
        defer { files.close() }
        let sessions = await Self.sessions(jobs, tokens: TokenCache(source: choice.source), files: files)
        let failures = sessions.compactMap { name, result -> (String, any Error)? in
            if case .failure(let error) = result { (name, error) } else { nil }
        }
        guard failures.isEmpty else {
            for (name, error) in failures { Terminal.error("\(name): \(error)") }
            Terminal.error("the command was not run")
            throw ExitFailure(code: failures.allSatisfy { ($0.1 as? BrokerError)?.exitCode == 2 } ? 2 : 1)
        }
        let ready = sessions.compactMap { name, result in (try? result.get()).map { (name: name, session: $0) } }
        for (name, session) in ready {
            session.warnings.forEach { Terminal.warn("\(name): \($0)") }
            if verbose {
                let expires = session.expiration.map { ", expires in \(DurationText.format($0.timeIntervalSinceNow))" } ?? ""
                Terminal.note("\(name): \(session.identity)\(expires)")
            }
        }
        let environment = try ChildEnvironment.compose(base: runtime.environment, sessions: ready)
        environment.notes.forEach(Terminal.note)
        let status: Int32
        do { status = try ChildProcess.run(command, environment: environment.variables) } catch let failure as ChildProcess.StartFailure {
            Terminal.error(failure.description)
            throw ExitFailure(code: failure.code)
        }
        if status != 0 { throw ExitFailure(code: status) }
    }

    /// Every provider's exchange at once, one token per audience, in the order given.
    static func sessions(_ jobs: [(name: String, provider: any Provider)], tokens: TokenCache,
                         files: EphemeralFiles) async -> [(String, Result<ChildSession, any Error>)] {
        await withTaskGroup(of: (Int, Result<ChildSession, any Error>).self) { group in
            for (index, job) in jobs.enumerated() {
                group.addTask {
                    do {
                        let token = try await tokens.token(audience: job.provider.audience)
                        return (index, .success(try await job.provider.childSession(token: token, files: files)))
                    } catch {
                        return (index, .failure(error))
                    }
                }
            }
            var results: [(Int, Result<ChildSession, any Error>)] = []
            for await result in group { results.append(result) }
            return results.sorted { $0.0 < $1.0 }.map { (jobs[$0.0].name, $0.1) }
        }
    }
}

import ArgumentParser
import BrokerCore
import Foundation

struct LoginCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "login",
        abstract: "Exchange identity tokens for cloud credentials and write them where each cloud's tools look.",
        usage: """
            broker login aws --role-arn <arn> [<options>]
            broker login gcp --workload-identity-provider <name> [--service-account <email>] [<options>]
            broker login azure --tenant-id <id> --client-id <id> [--subscription-id <id>] [<options>]
            broker login vault --address <url> --role <role> [<options>]
            broker login <name> ... [<options>]
            broker login --all [<options>]
            """,
        discussion: """
            'broker login aws --role-arn ...' needs no config. 'broker login NAME [NAME...]' or \
            'broker login --all' runs the config's providers concurrently, one token per audience.
            """,
        subcommands: [LoginProvidersCommand.self, LoginAWSCommand.self, AdapterLoginCommand<GCPLogin>.self, AdapterLoginCommand<AzureLogin>.self, AdapterLoginCommand<VaultLogin>.self],
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

    @Argument(help: "Providers from the config to log into.", completion: Completions.providerNames)
    var names: [String] = []

    @Flag(help: "Log into every provider in the config.")
    var all = false

    @OptionGroup var options: ConfigLoginOptions

    func validate() throws {
        guard all != !names.isEmpty else {
            throw ValidationError(all ? "give provider names or --all, not both" : "name the providers to log into, or use --all (or 'broker login aws ...')")
        }
    }

    func run() async throws {
        let runtime = try BrokerRuntime(configOption: options.configOption.config)
        runtime.noteConfig()
        try runtime.requireTrust()
        let entries = all ? runtime.config.providers : try names.map { try runtime.config.provider(named: $0) }
        if entries.isEmpty {
            throw BrokerError.usage("\(runtime.configPath ?? "no config file was found"): there are no providers to log into",
                                    hint: "add entries under \"providers\" (see config.example.json)")
        }
        try await LoginSummary.run(entries, runtime: runtime, options: options)
    }
}

/// The options every login of config entries shares (`login NAME...`, `login --all`, the
/// flags-first `login <adapter>`).
struct ConfigLoginOptions: ParsableArguments {
    @Option(help: "Skip a provider whose earlier credentials are still valid for longer than this (e.g. 15m).")
    var minRemaining: String?

    @Option(help: "text (summary on stderr only), json (one report), env (export lines), github ($GITHUB_ENV, masked) or access-token (the access token alone, for curl: Google Cloud, Azure).")
    var output = OutputFormat.text

    @Flag(help: "Say which token source was chosen and why.")
    var verbose = false

    @OptionGroup var source: TokenSourceOptions

    @OptionGroup var configOption: ConfigOption

    func validate() throws {
        _ = try minimum()
        if output == .accessToken, minRemaining != nil {
            throw ValidationError("--output access-token cannot skip a login: --min-remaining would leave no token to print (broker keeps none)")
        }
    }

    func minimum() throws -> TimeInterval? {
        try minRemaining.map { try DurationText.parse($0, name: "--min-remaining", range: 0 ... 12 * 3600) }
    }
}

import AWSProvider
import ExecProvider
import AzureProvider
import GCPProvider
import TokenExchangeProvider
import VaultProvider
import ArgumentParser
import BrokerCore
import Foundation

/// What every command that reads the config needs: environment, homes, the adapter registry
/// and the loaded config. Built once per command from the injected environment.
struct BrokerRuntime {
    static let registry: ProviderRegistry = {
        var registry = ProviderRegistry()
        registry.register(AWSAdapter.descriptor)
        registry.register(VaultAdapter.descriptor)
        registry.register(TokenExchangeAdapter.descriptor)
        registry.register(ExecAdapter.descriptor)
        registry.register(GCPAdapter.descriptor)
        registry.register(AzureAdapter.descriptor)
        return registry
    }()

    let environment: [String: String]
    let brokerHome: BrokerHome
    let config: BrokerConfig
    let configLocation: ConfigLocation?
    var configPath: String? { configLocation?.path }

    var registry: ProviderRegistry { Self.registry }

    init(configOption: String?, environment: [String: String] = CommandContext.variables) throws {
        self.environment = environment
        brokerHome = BrokerHome(environment: environment)
        // A relative --config is the command's working directory's, whatever the process's.
        configLocation = ConfigLocation.find(explicit: configOption.map(CommandContext.current.absolute), environment: environment,
                                             workingDirectory: CommandContext.current.workingDirectory)
        config = try BrokerConfig.load(path: configLocation?.path, registry: Self.registry,
                                       context: ProviderContext(home: Self.userHome(environment), brokerHome: brokerHome, environment: environment,
                                                                workingDirectory: CommandContext.current.workingDirectory))
    }

    /// Called before a command acts on the config (runs its source or plugins, sends tokens):
    /// a config found from the working directory that would run commands or send tokens to
    /// endpoints of its own needs `broker config trust` first, unless this is a CI job building
    /// the repository it lies in.
    func requireTrust() throws {
        guard let location = configLocation, location.origin == .workingDirectory else { return }
        let concerns = config.trustConcerns(registry: registry, environment: environment)
        guard !concerns.isEmpty, !ConfigTrust.isInsideCIWorkspace(location.path, environment: environment) else { return }
        let contents = FileManager.default.contents(atPath: location.path) ?? Data()
        guard !ConfigTrust(home: brokerHome).isTrusted(path: location.path, contents: contents) else { return }
        throw BrokerError.usage(
            "\(location.path) was found from the working directory and is not trusted; it \(concerns.count == 1 ? "does" : "does these"): "
                + concerns.joined(separator: "; "),
            hint: "read it, then run 'broker config trust' (until the file changes), or name it with --config; a config of your own belongs in $BROKER_HOME/config.json")
    }

    /// Lines run later (`credential_process`, `broker refresh`) name the config with `--config`
    /// so they find it from any directory: say so when the file was found, not named.
    func noteEmbeddedConfig() {
        guard let location = configLocation, location.origin == .workingDirectory else { return }
        Terminal.note("later runs (credential_process lines, 'broker refresh') use --config \(location.path), found from the working directory: "
            + "moving or changing that file changes what they do")
    }

    /// The line every login prints, naming the config file it used.
    func noteConfig() {
        if let configLocation { Terminal.note("config: \(configLocation.description)") }
    }

    func context(sourceArguments: [String]) -> ProviderContext {
        var arguments = sourceArguments
        if let configPath { arguments += ["--config", CommandContext.current.absolute(configPath)] }
        return ProviderContext(home: Self.userHome(environment), brokerHome: brokerHome, environment: environment,
                               brokerPath: SelfExecutable.path(environment: environment), sourceArguments: arguments,
                               workingDirectory: CommandContext.current.workingDirectory)
    }

    static func userHome(_ environment: [String: String]) -> String {
        CommandContext(environment: environment, workingDirectory: "/", output: .process).userHome
    }
}

/// `--config FILE`, for every command that reads the config.
struct ConfigOption: ParsableArguments {
    @Option(help: "Config file (default: $BROKER_CONFIG, broker.json from here up to the repository root, $BROKER_HOME/config.json).")
    var config: String?
}

enum SelfExecutable {
    /// How lines other programs run later (`credential_process`) name this binary: `broker`
    /// when that resolves on PATH to this very file (so an upgrade in place keeps working),
    /// else the path it was invoked by (a symlink stays a symlink, not `.build/...`).
    static func path(environment: [String: String]) -> String {
        let running = realPath("/proc/self/exe")
        if let onPath = ProcessRunner.locate("broker", environment: environment), let running, realPath(onPath) == running {
            return "broker"
        }
        let invoked = CommandLine.arguments[0]
        if invoked.contains("/") { return CommandContext.current.absolute(invoked) }
        if let found = ProcessRunner.locate(invoked, environment: environment) { return CommandContext.current.absolute(found) }
        return running ?? invoked
    }

    static func realPath(_ path: String) -> String? {
        guard let resolved = realpath(path, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
    }
}

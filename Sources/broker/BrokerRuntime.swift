import AWSProvider
import ExecProvider
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
        return registry
    }()

    let environment: [String: String]
    let brokerHome: BrokerHome
    let config: BrokerConfig
    let configLocation: ConfigLocation?
    var configPath: String? { configLocation?.path }

    var registry: ProviderRegistry { Self.registry }

    init(configOption: String?, environment: [String: String] = ProcessInfo.processInfo.environment) throws {
        self.environment = environment
        brokerHome = BrokerHome(environment: environment)
        configLocation = ConfigLocation.find(explicit: configOption, environment: environment,
                                             workingDirectory: FileManager.default.currentDirectoryPath)
        config = try BrokerConfig.load(path: configLocation?.path, registry: Self.registry,
                                       context: ProviderContext(home: Self.userHome(environment), brokerHome: brokerHome, environment: environment))
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

    /// The line every login prints, naming the config file it used.
    func noteConfig() {
        if let configLocation { Terminal.note("config: \(configLocation.description)") }
    }

    func context(sourceArguments: [String]) -> ProviderContext {
        var arguments = sourceArguments
        if let configPath { arguments += ["--config", TokenSourceOptions.absolute(configPath)] }
        return ProviderContext(home: Self.userHome(environment), brokerHome: brokerHome, environment: environment,
                               brokerPath: SelfExecutable.path, sourceArguments: arguments)
    }

    static func userHome(_ environment: [String: String]) -> String {
        environment["HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? NSHomeDirectory()
    }
}

/// `--config FILE`, for every command that reads the config.
struct ConfigOption: ParsableArguments {
    @Option(help: "Config file (default: $BROKER_CONFIG, broker.json from here up to the repository root, $BROKER_HOME/config.json).")
    var config: String?
}

enum SelfExecutable {
    /// The absolute path of this broker binary, for lines other programs run later.
    static var path: String {
        if let resolved = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") { return resolved }
        let first = CommandLine.arguments[0]
        if first.hasPrefix("/") { return first }
        return ProcessRunner.locate(first).map(TokenSourceOptions.absolute) ?? first
    }
}

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
    let configPath: String?

    var registry: ProviderRegistry { Self.registry }

    init(configOption: String?, environment: [String: String] = ProcessInfo.processInfo.environment) throws {
        self.environment = environment
        brokerHome = BrokerHome(environment: environment)
        configPath = BrokerConfig.locate(explicit: configOption, environment: environment,
                                         workingDirectory: FileManager.default.currentDirectoryPath)
        config = try BrokerConfig.load(path: configPath, registry: Self.registry,
                                       context: ProviderContext(home: Self.userHome(environment), brokerHome: brokerHome, environment: environment))
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
    @Option(help: "Config file (default: $BROKER_CONFIG, ./broker.json, $BROKER_HOME/config.json).")
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

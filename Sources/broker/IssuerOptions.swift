import ArgumentParser
import BrokerCore
import BrokerIssuer
import Foundation

/// Flags that shape the embedded issuer, shared by every `idp` command that mints or publishes.
struct IssuerOptions: ParsableArguments {
    @Option(name: .customLong("issuer"), help: "Issuer URL (env BROKER_ISSUER_URL, config issuer.url; default \(IssuerSettings.defaultURL)).")
    var issuerURL: String?

    @Option(help: "Signing algorithm for a new key (default RS256).")
    var algorithm: SigningAlgorithm?

    @OptionGroup var configOption: ConfigOption

    func settings(environment: [String: String] = CommandContext.variables,
                  fallbackURL: String? = nil) throws -> IssuerSettings {
        let runtime = try BrokerRuntime(configOption: configOption.config, environment: environment)
        return try Self.resolve(issuerURL: issuerURL, algorithm: algorithm, config: runtime.config,
                                environment: environment, fallbackURL: fallbackURL)
    }

    /// Flags win over the environment, which wins over the config file.
    static func resolve(issuerURL: String?, algorithm: SigningAlgorithm?, config: BrokerConfig,
                        environment: [String: String], fallbackURL: String? = nil) throws -> IssuerSettings {
        try IssuerSettings.resolve(url: issuerURL, algorithm: algorithm, block: config.issuer, environment: environment, fallbackURL: fallbackURL)
    }
}

extension ConfigOption {
    /// The config's issuer (keys and request tokens where `issuer.keys` / `issuer.requestTokens`
    /// say), for the commands that manage it rather than mint with flags.
    func configuredIssuer(algorithm: SigningAlgorithm? = nil) throws -> (issuer: Issuer, runtime: BrokerRuntime) {
        let runtime = try BrokerRuntime(configOption: config)
        let settings = try IssuerOptions.resolve(issuerURL: nil, algorithm: algorithm, config: runtime.config, environment: runtime.environment)
        return (Issuer(settings: settings, home: try runtime.brokerHome.prepare()), runtime)
    }
}

/// `--algorithm rs256` as well as `RS256`; argument-parser lists the choices in help and errors.
extension SigningAlgorithm: ExpressibleByArgument {
    public init?(argument: String) { self.init(rawValue: argument.uppercased()) }
}

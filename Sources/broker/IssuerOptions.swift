import ArgumentParser
import BrokerCore
import BrokerIssuer
import Foundation

/// Flags that shape the embedded issuer, shared by every `idp` command that mints or publishes.
struct IssuerOptions: ParsableArguments {
    @Option(name: .customLong("issuer"), help: "Issuer URL (env BROKER_ISSUER_URL, config issuer.url; default \(IssuerSettings.defaultURL)).")
    var issuerURL: String?

    @Option(help: "Signing algorithm for a new key: RS256 (default) or ES256.")
    var algorithm: String?

    @OptionGroup var configOption: ConfigOption

    func settings(environment: [String: String] = ProcessInfo.processInfo.environment,
                  fallbackURL: String? = nil) throws -> IssuerSettings {
        let runtime = try BrokerRuntime(configOption: configOption.config, environment: environment)
        return try Self.resolve(issuerURL: issuerURL, algorithm: algorithm, config: runtime.config,
                                environment: environment, fallbackURL: fallbackURL)
    }

    /// Flags win over the environment, which wins over the config file.
    static func resolve(issuerURL: String?, algorithm: String?, config: BrokerConfig,
                        environment: [String: String], fallbackURL: String? = nil) throws -> IssuerSettings {
        let block = config.issuer
        var settings = IssuerSettings()
        let fromEnvironment = environment["BROKER_ISSUER_URL"].flatMap { $0.isEmpty ? nil : $0 }
        if let url = issuerURL ?? fromEnvironment ?? block.string("url") ?? fallbackURL {
            let name = issuerURL != nil ? "--issuer" : fromEnvironment != nil ? "BROKER_ISSUER_URL" : block.string("url") != nil ? block.location("url") : "issuer URL"
            settings.url = try IssuerSettings.validateURL(url, name: name)
        }
        if let chosen = algorithm ?? block.string("algorithm") {
            settings.algorithm = try SigningAlgorithm.parse(chosen, name: algorithm != nil ? "--algorithm" : block.location("algorithm"))
        }
        if let lifetime = try block.duration(BrokerConfig.issuerKeys[named: "lifetime"]) { settings.lifetime = lifetime }
        settings.subject = block.string("subject")
        if let claims = block.values["claims"]?.objectValue {
            try Issuer.checkExtraClaims(claims, source: block.location("claims"))
            settings.claims = claims
        }
        return settings
    }
}

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

    @Option(help: "Config file (default: $BROKER_CONFIG, ./broker.json, $BROKER_HOME/config.json).")
    var config: String?

    /// Flags win over the environment, which wins over the config file.
    func settings(environment: [String: String] = ProcessInfo.processInfo.environment,
                  fallbackURL: String? = nil) throws -> IssuerSettings {
        try Self.resolve(issuerURL: issuerURL, algorithm: algorithm, config: config, environment: environment, fallbackURL: fallbackURL)
    }

    static func resolve(issuerURL: String?, algorithm: String?, config: String?,
                        environment: [String: String] = ProcessInfo.processInfo.environment,
                        fallbackURL: String? = nil) throws -> IssuerSettings {
        let file = try IssuerConfig.load(explicitPath: config, environment: environment)
        var settings = IssuerSettings()
        if let url = issuerURL ?? environment["BROKER_ISSUER_URL"].flatMap({ $0.isEmpty ? nil : $0 }) ?? file?.url ?? fallbackURL {
            settings.url = try IssuerSettings.validateURL(url, name: issuerURL != nil ? "--issuer" : "issuer URL")
        }
        if let chosen = algorithm ?? file?.algorithm {
            settings.algorithm = try SigningAlgorithm.parse(chosen, name: algorithm != nil ? "--algorithm" : "issuer.algorithm")
        }
        if let lifetime = file?.lifetime { settings.lifetime = try TokenLifetime.parse(lifetime, name: "issuer.lifetime") }
        settings.subject = file?.subject
        if let claims = file?.claims {
            try Issuer.checkExtraClaims(claims, source: "issuer.claims")
            settings.claims = claims
        }
        return settings
    }
}

/// The `issuer` block of the config file (the rest of the file belongs to providers).
struct IssuerConfig: Decodable {
    var url: String?
    var algorithm: String?
    var lifetime: String?
    var subject: String?
    var claims: [String: JSONValue]?

    private struct File: Decodable { var issuer: IssuerConfig? }

    static func load(explicitPath: String?, environment: [String: String]) throws -> IssuerConfig? {
        guard let path = ConfigLocator.path(explicit: explicitPath, environment: environment) else { return nil }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw BrokerError.usage("cannot read the config file \(path)")
        }
        do {
            return try JSONDecoder().decode(File.self, from: data).issuer
        } catch {
            throw BrokerError.usage("\(path): issuer: \(error)", hint: "see config.example.json for the expected shape")
        }
    }
}

enum ConfigLocator {
    /// `--config`, then `$BROKER_CONFIG`, `./broker.json`, `$BROKER_HOME/config.json`.
    static func path(explicit: String?, environment: [String: String]) -> String? {
        if let explicit { return explicit }
        if let path = environment["BROKER_CONFIG"], !path.isEmpty { return path }
        if FileManager.default.fileExists(atPath: "broker.json") { return "broker.json" }
        let homeConfig = BrokerHome(environment: environment).file("config.json")
        return FileManager.default.fileExists(atPath: homeConfig) ? homeConfig : nil
    }
}

import BrokerCore
import Foundation

/// How the embedded issuer mints tokens, already resolved from flags, environment and config.
public struct IssuerSettings: Sendable {
    /// Used when nothing names an issuer URL: the address `broker idp serve` listens on by default.
    public static let defaultURL = "http://127.0.0.1:8417"

    public var url: String
    public var algorithm: SigningAlgorithm?
    public var lifetime: TimeInterval
    public var subject: String?
    public var claims: [String: JSONValue]
    /// `issuer.keys` and `issuer.requestTokens`: files here, or OpenBao for a fleet.
    public var backends = IssuerBackendSettings()

    public init(url: String = IssuerSettings.defaultURL, algorithm: SigningAlgorithm? = nil,
                lifetime: TimeInterval = TokenLifetime.default, subject: String? = nil, claims: [String: JSONValue] = [:]) {
        self.url = url
        self.algorithm = algorithm
        self.lifetime = lifetime
        self.subject = subject
        self.claims = claims
    }

    /// The issuer's settings from `--issuer`/`--algorithm` (`url`, `algorithm`), else
    /// `BROKER_ISSUER_URL`, else the config's `issuer` block, else `fallbackURL`. Errors name
    /// where the bad value came from.
    public static func resolve(url flagURL: String?, algorithm flagAlgorithm: SigningAlgorithm?, block: SettingsBlock,
                               environment: [String: String], fallbackURL: String? = nil) throws -> IssuerSettings {
        var settings = IssuerSettings()
        let fromEnvironment = environment["BROKER_ISSUER_URL"].flatMap { $0.isEmpty ? nil : $0 }
        if let url = flagURL ?? fromEnvironment ?? block.string("url") ?? fallbackURL {
            let name = flagURL != nil ? "--issuer" : fromEnvironment != nil ? "BROKER_ISSUER_URL" : block.string("url") != nil ? block.location("url") : "issuer URL"
            settings.url = try validateURL(url, name: name)
        }
        if let flagAlgorithm {
            settings.algorithm = flagAlgorithm
        } else if let chosen = block.string("algorithm") {
            settings.algorithm = try SigningAlgorithm.parse(chosen, name: block.location("algorithm"))
        }
        if let lifetime = try block.duration(BrokerConfig.issuerKeys[named: "lifetime"]) { settings.lifetime = lifetime }
        settings.subject = block.string("subject")
        settings.backends = try IssuerBackendSettings.resolve(block, environment: environment)
        if let claims = block.values["claims"]?.objectValue {
            try Issuer.checkExtraClaims(claims, source: block.location("claims"))
            settings.claims = claims
        }
        return settings
    }

    /// Checks an issuer URL: http(s), a host, no query or fragment, no trailing slash kept.
    public static func validateURL(_ text: String, name: String) throws -> String {
        _ = try HTTPURL.parse(text, name: name)
        guard let components = URLComponents(string: text), components.query == nil, components.fragment == nil else {
            throw BrokerError.usage("\(name): '\(text)' has a query or fragment", hint: "an OIDC issuer URL is scheme, host and optional path only")
        }
        var url = text
        while url.hasSuffix("/") { url.removeLast() }
        return url
    }

    /// Audiences of the clouds that fetch the issuer's keys themselves over https (AWS STS,
    /// Google workload identity): only tokens for them need an https issuer.
    public static func isCloudAudience(_ audience: String) -> Bool {
        let lowered = audience.lowercased()
        return lowered.contains("amazonaws.com") || lowered.hasPrefix("//iam.googleapis.com/")
            || lowered.hasPrefix("https://iam.googleapis.com/")
    }

    /// AWS and Google only trust https issuers without a port; say so instead of failing later.
    public var warnings: [String] {
        var result: [String] = []
        if url.lowercased().hasPrefix("http://") {
            result.append("issuer \(url) is not https: AWS and Google accept only https:// issuers (fine for local use and Vault/OpenBao)")
        } else if let port = URLComponents(string: url)?.port {
            result.append("issuer \(url) has a port (\(port)): AWS accepts only issuers without a port")
        }
        return result
    }

    public var jwksURL: String { url + "/.well-known/jwks.json" }
    public var discoveryURL: String { url + "/.well-known/openid-configuration" }
}

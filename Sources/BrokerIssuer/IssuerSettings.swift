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

    public init(url: String = IssuerSettings.defaultURL, algorithm: SigningAlgorithm? = nil,
                lifetime: TimeInterval = TokenLifetime.default, subject: String? = nil, claims: [String: JSONValue] = [:]) {
        self.url = url
        self.algorithm = algorithm
        self.lifetime = lifetime
        self.subject = subject
        self.claims = claims
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

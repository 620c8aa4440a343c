import BrokerCore
import Foundation

/// The keys `broker idp verify` checks a token against, and the issuer it must name: a JWKS
/// from `--jwks` (a URL or a file; any issuer), else the issuer's discovery document (its
/// `jwks_uri`; the issuer must match), else what `local` gives (the embedded issuer's own).
public struct VerificationKeys: Sendable {
    public var keys: JWKSet
    /// nil: any issuer.
    public var issuer: String?

    public init(keys: JWKSet, issuer: String?) {
        self.keys = keys
        self.issuer = issuer
    }

    public static func resolve(jwks: String?, issuer: String?, http: HTTPClient,
                               local: () async throws -> VerificationKeys) async throws -> VerificationKeys {
        if let jwks {
            if jwks.hasPrefix("http://") || jwks.hasPrefix("https://") {
                return VerificationKeys(keys: try await http.getJSON(jwks, as: JWKSet.self, what: "--jwks"), issuer: issuer)
            }
            guard let data = FileManager.default.contents(atPath: jwks) else {
                throw BrokerError.usage("--jwks: cannot read \(jwks)")
            }
            do { return VerificationKeys(keys: try JSONDecoder().decode(JWKSet.self, from: data), issuer: issuer) } catch {
                throw BrokerError.usage("--jwks: \(jwks) is not a JWKS document: \(error)")
            }
        }
        if let issuer {
            let url = try IssuerSettings.validateURL(issuer, name: "--issuer")
            let discovery = try await http.getJSON(url + "/.well-known/openid-configuration", as: DiscoveryDocument.self, what: "discovery")
            guard discovery.issuer == url else {
                throw BrokerError.failure("discovery at \(url) names issuer '\(discovery.issuer)', not '\(url)'")
            }
            return VerificationKeys(keys: try await http.getJSON(discovery.jwksURI, as: JWKSet.self, what: "jwks_uri"), issuer: url)
        }
        return try await local()
    }
}

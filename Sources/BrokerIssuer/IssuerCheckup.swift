import BrokerCore
import Foundation

/// What `broker doctor` checks of the embedded issuer: AWS, Google and Azure fetch its discovery
/// document and JWKS from `iss` over https, from the internet; the key that signs must be there.
public enum IssuerCheckup {
    /// `cloudsNeedIt`: a configured provider is one of the clouds (a failure), not only Vault (a warning).
    public static func checks(url: String, signingKid: String?, transport: any HTTPTransport, cloudsNeedIt: Bool) async -> [HealthCheck] {
        let severity: HealthCheck.Status = cloudsNeedIt ? .fail : .warn
        guard url.hasPrefix("https://"), URL(string: url) != nil else {
            return [HealthCheck("issuer", severity, "\(url) is not https: AWS, Google and Azure fetch an issuer's keys over https only (Vault accepts it)",
                                advice: "publish the keys ('broker idp publish site') at an https URL and set issuer.url or BROKER_ISSUER_URL to it")]
        }
        var checks = [HealthCheck("issuer", .ok, "\(url) is https")]
        let discoveryURL = URL(string: url.hasSuffix("/") ? url + ".well-known/openid-configuration" : url + "/.well-known/openid-configuration")!
        do {
            let discovery = try await json(discoveryURL, transport: transport)
            guard discovery["issuer"]?.stringValue == url else {
                checks.append(HealthCheck("issuer discovery", severity, "\(discoveryURL.absoluteString) names the issuer \(discovery["issuer"]?.displayText ?? "(none)"), not \(url)",
                                          advice: "publish the discovery document of this issuer URL ('broker idp publish site --issuer \(url)')"))
                return checks
            }
            checks.append(HealthCheck("issuer discovery", .ok, "\(discoveryURL.absoluteString) answers"))
            guard let jwksText = discovery["jwks_uri"]?.stringValue, let jwksURL = URL(string: jwksText) else {
                checks.append(HealthCheck("issuer JWKS", severity, "the discovery document has no jwks_uri", advice: "publish it again with 'broker idp publish site'"))
                return checks
            }
            let keys: [JSONValue]
            do {
                keys = try await json(jwksURL, transport: transport)["keys"]?.arrayValue ?? []
            } catch {
                checks.append(HealthCheck("issuer JWKS", severity, "\(jwksURL.absoluteString) is unreachable: \(error)",
                                          advice: "publish the JWKS with the discovery document ('broker idp publish site')"))
                return checks
            }
            let kids = keys.compactMap { $0.objectValue?["kid"]?.stringValue }
            if let kid = signingKid, !kids.contains(kid) {
                checks.append(HealthCheck("issuer JWKS", severity, "\(jwksURL.absoluteString) lacks the signing key \(kid) (it has \(kids.isEmpty ? "none" : kids.joined(separator: ", ")))",
                                          advice: "publish the current keys again ('broker idp publish site') after every 'broker idp rotate-key'"))
            } else if let kid = signingKid {
                checks.append(HealthCheck("issuer JWKS", .ok, "\(jwksURL.absoluteString) has the signing key \(kid)"))
            } else {
                checks.append(HealthCheck("issuer JWKS", .warn, "\(jwksURL.absoluteString) answers; the signing key was not checked (no token was minted)"))
            }
        } catch {
            checks.append(HealthCheck("issuer discovery", severity, "\(discoveryURL.absoluteString) is unreachable: \(error)",
                                      advice: "serve the published site at \(url) (the clouds fetch it from the internet)"))
        }
        return checks
    }

    static func json(_ url: URL, transport: any HTTPTransport) async throws -> [String: JSONValue] {
        let response = try await transport.send(HTTPRequest("GET", url: url), timeout: 5, caCertFile: nil)
        guard response.status == 200 else { throw BrokerError.failure("HTTP \(response.status)") }
        guard let object = (try? StrictJSON.parse(response.body))?.objectValue else { throw BrokerError.failure("not a JSON object") }
        return object
    }
}

import BrokerCore
import Foundation

/// What Google STS verifies that broker can check first, so a token it must reject is never
/// sent: the signature algorithm (RS256 or ES256, nothing else) and a lifetime under 48 hours.
enum GoogleTokenRules {
    static let algorithms = ["RS256", "ES256"]
    static let longestLifetime: TimeInterval = 48 * 3600

    static func check(_ token: IdentityToken) throws {
        let algorithm = token.header["alg"]?.stringValue ?? "(none)"
        guard algorithms.contains(algorithm) else {
            throw BrokerError.usage("Google STS verifies only RS256 and ES256 signatures; the identity token is signed with \(algorithm.prefix(20))",
                                    hint: "have the token source sign with RS256 or ES256")
        }
        if let expires = token.claims["exp"]?.numberValue, let issued = token.claims["iat"]?.numberValue,
           expires - issued > longestLifetime {
            throw BrokerError.usage("Google STS refuses identity tokens that live longer than 48 hours; this one lives \(DurationText.format(expires - issued))",
                                    hint: "issue a shorter-lived token")
        }
    }
}

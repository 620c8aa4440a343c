import BrokerCore
import Foundation

/// The default token source on any machine: broker's own issuer, minting locally.
public struct EmbeddedIssuerSource: TokenSource {
    public let issuer: Issuer
    public init(issuer: Issuer) { self.issuer = issuer }

    public var name: String { "embedded issuer \(issuer.settings.url)" }

    public func token(audience: String) async throws -> IdentityToken {
        let jwt = try await issuer.signer().sign(issuer.claims(audiences: [audience]))
        return try IdentityToken(jwt: jwt)
    }
}

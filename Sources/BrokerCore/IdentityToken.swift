import Foundation

/// An OIDC identity token on its way to a provider. The compact JWT is a secret; only its
/// decoded (unverified) claims may be shown, for diagnosis.
public struct IdentityToken: Sendable, CustomStringConvertible {
    public let jwt: SecretValue
    public let header: [String: JSONValue]
    public let claims: [String: JSONValue]

    public init(jwt: String) throws {
        let parts = jwt.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3,
              let headerData = Base64URL.decode(String(parts[0])),
              let payloadData = Base64URL.decode(String(parts[1])),
              let header = try? JSONDecoder().decode([String: JSONValue].self, from: headerData),
              let claims = try? JSONDecoder().decode([String: JSONValue].self, from: payloadData)
        else {
            throw BrokerError.failure("the token is not a JWT (expected three base64url parts: header.payload.signature)",
                                      hint: "check that the token source returns an OIDC identity token")
        }
        self.jwt = SecretValue(jwt)
        self.header = header
        self.claims = claims
    }

    public var issuer: String? { claims["iss"]?.stringValue }
    public var subject: String? { claims["sub"]?.stringValue }
    public var audiences: [String] {
        switch claims["aud"] {
        case .string(let one): [one]
        case .array(let many): many.compactMap(\.stringValue)
        default: []
        }
    }
    public var expiresAt: Date? { claims["exp"]?.numberValue.map { Date(timeIntervalSince1970: $0) } }

    public var description: String {
        "IdentityToken(iss: \(issuer ?? "-"), sub: \(subject ?? "-"), aud: \(audiences.joined(separator: ",")))"
    }
}

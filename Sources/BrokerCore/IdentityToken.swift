import Foundation

/// An OIDC identity token on its way to a provider. The compact JWT is a secret; only its
/// decoded (unverified) claims may be shown, for diagnosis.
public struct IdentityToken: Sendable, CustomStringConvertible {
    public let jwt: SecretValue
    public let header: [String: JSONValue]
    public let claims: [String: JSONValue]

    /// Header and payload are read strictly (`StrictJSON`): RFC 7519 section 4 has a parser
    /// either refuse a claim named twice or take the last, and a provider may take either, so
    /// broker refuses it rather than send a token whose claims it read differently.
    public init(jwt: String) throws {
        let parts = jwt.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3, let headerData = Base64URL.decode(String(parts[0])),
              let payloadData = Base64URL.decode(String(parts[1])) else {
            throw Self.notAJWT
        }
        self.jwt = SecretValue(jwt)
        self.header = try Self.object(headerData, part: "header")
        self.claims = try Self.object(payloadData, part: "payload")
    }

    private static let notAJWT = BrokerError.failure("the token is not a JWT (expected three base64url parts: header.payload.signature)",
                                                     hint: "check that the token source returns an OIDC identity token")

    private static func object(_ data: Data, part: String) throws -> [String: JSONValue] {
        do {
            guard let object = try StrictJSON.parse(data).objectValue else { throw notAJWT }
            return object
        } catch let failure as StrictJSON.Failure {
            guard let duplicate = failure.duplicate else { throw notAJWT }
            throw BrokerError.failure("the token's \(part) names \(duplicate) twice, so providers may read it differently (RFC 7519 section 4)",
                                      hint: "fix the token's issuer; broker does not send such a token")
        }
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

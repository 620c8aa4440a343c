import BrokerCore
import Foundation
import JWTKit

/// Verifies an identity token against a JWKS and says exactly which check failed, with the
/// value seen. Signatures are checked by jwt-kit; alg, kid and claim checks happen here first
/// so the failure can be precise.
public struct TokenVerifier: Sendable {
    public struct Failure: Error, CustomStringConvertible, Sendable {
        /// The check that failed: `format`, `alg`, `kid`, `signature`, `exp`, `nbf`, `iat`, `iss`, `aud`.
        public let check: String
        public let message: String
        public var description: String { "invalid token: \(check): \(message)" }
    }

    public struct Verified: Sendable {
        public let header: [String: JSONValue]
        public let claims: [String: JSONValue]
    }

    public static let leeway: TimeInterval = 60
    static let acceptedAlgorithms: Set<String> = ["RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384"]

    public let keys: JWKSet
    public let issuer: String?
    public let audience: String?

    public init(keys: JWKSet, issuer: String?, audience: String?) {
        self.keys = keys
        self.issuer = issuer
        self.audience = audience
    }

    public func verify(_ token: String, now: Date = Date()) async throws -> Verified {
        let token = token.trimmingCharacters(in: .whitespacesAndNewlines)
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3 else {
            throw Failure(check: "format", message: "expected three dot-separated parts (header.payload.signature), found \(parts.count)")
        }
        guard let headerData = Base64URL.decode(String(parts[0])),
              let header = try? JSONDecoder().decode([String: JSONValue].self, from: headerData) else {
            throw Failure(check: "format", message: "the header is not base64url-encoded JSON")
        }
        guard let payloadData = Base64URL.decode(String(parts[1])),
              let claims = try? JSONDecoder().decode([String: JSONValue].self, from: payloadData) else {
            throw Failure(check: "format", message: "the payload is not base64url-encoded JSON")
        }
        guard let alg = header["alg"]?.stringValue else { throw Failure(check: "alg", message: "the header has no alg") }
        if alg.lowercased() == "none" {
            throw Failure(check: "alg", message: "alg 'none' (an unsigned token) is never accepted")
        }
        if alg.uppercased().hasPrefix("HS") {
            throw Failure(check: "alg", message: "HMAC algorithm '\(alg)' is not accepted: identity tokens must be signed with a public-key algorithm")
        }
        guard Self.acceptedAlgorithms.contains(alg) else {
            throw Failure(check: "alg", message: "unsupported algorithm '\(alg)'")
        }
        guard let kid = header["kid"]?.stringValue else {
            throw Failure(check: "kid", message: "the header has no kid, so no key can be chosen")
        }
        guard let jwk = keys.keys.first(where: { $0.kid == kid }) else {
            let known = keys.keys.compactMap(\.kid)
            throw Failure(check: "kid", message: "unknown kid '\(kid)'; the JWKS has \(known.isEmpty ? "no keys" : known.joined(separator: ", "))")
        }
        let keyType = alg.hasPrefix("ES") ? "EC" : "RSA"
        guard jwk.kty == keyType else {
            throw Failure(check: "alg", message: "alg '\(alg)' does not fit key '\(kid)' of type \(jwk.kty)")
        }
        try await checkSignature(token, alg: alg, jwk: jwk)
        try checkClaims(claims, now: now)
        return Verified(header: header, claims: claims)
    }

    private func checkSignature(_ token: String, alg: String, jwk: PublicJWK) async throws {
        var signingKey = jwk
        signingKey.alg = alg
        let collection = JWTKeyCollection()
        do {
            let json = try JSONOutput.encode(signingKey)
            try await collection.add(jwk: JWK(json: String(decoding: json, as: UTF8.self)))
        } catch {
            throw Failure(check: "kid", message: "key '\(jwk.kid ?? "?")' in the JWKS cannot be used: \(error)")
        }
        do {
            _ = try await collection.verify(token, as: TokenClaims.self)
        } catch {
            throw Failure(check: "signature", message: "the signature does not verify with key '\(jwk.kid ?? "?")' (\(alg)): the token was altered or signed by another key")
        }
    }

    private func checkClaims(_ claims: [String: JSONValue], now: Date) throws {
        let clock = now.timeIntervalSince1970
        guard let exp = claims["exp"]?.numberValue else { throw Failure(check: "exp", message: "the token has no exp claim") }
        if clock > exp + Self.leeway {
            throw Failure(check: "exp", message: "expired at \(Self.iso(exp)) (\(DurationText.format(clock - exp)) ago, leeway \(Int(Self.leeway))s)")
        }
        if let nbf = claims["nbf"]?.numberValue, clock + Self.leeway < nbf {
            throw Failure(check: "nbf", message: "not valid before \(Self.iso(nbf)) (in \(DurationText.format(nbf - clock)))")
        }
        if let iat = claims["iat"]?.numberValue, iat > clock + Self.leeway {
            throw Failure(check: "iat", message: "issued in the future at \(Self.iso(iat)) (\(DurationText.format(iat - clock)) ahead of this clock)")
        }
        if let issuer {
            let seen = claims["iss"]?.stringValue
            guard seen == issuer else {
                throw Failure(check: "iss", message: "iss is '\(seen ?? "(missing)")', expected '\(issuer)'")
            }
        }
        if let audience {
            let audiences: [String] = switch claims["aud"] {
            case .string(let one): [one]
            case .array(let many): many.compactMap(\.stringValue)
            default: []
            }
            guard audiences.contains(audience) else {
                throw Failure(check: "aud", message: "aud is \(audiences.isEmpty ? "(missing)" : audiences.map { "'\($0)'" }.joined(separator: ", ")), expected '\(audience)'")
            }
        }
    }

    static func iso(_ seconds: Double) -> String {
        ISOTime.format(Date(timeIntervalSince1970: seconds))
    }
}

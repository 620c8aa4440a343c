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
    /// Public-key algorithms only (RFC 8725 §3.1): RSA PKCS#1 v1.5 and PSS, and ECDSA on the
    /// curves jwt-kit verifies. HMAC and `none` are never accepted.
    static let acceptedAlgorithms: Set<String> = ["RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384"]
    /// Identity tokens are a few kilobytes; anything this large is refused before parsing.
    public static let maxTokenBytes = 64 * 1024
    /// Header parameters of RFC 7515 §4.1 that `crit` may not list.
    static let registeredHeaders: Set<String> = ["alg", "jku", "jwk", "kid", "x5u", "x5c", "x5t", "x5t#S256", "typ", "cty", "crit"]

    public let keys: JWKSet
    public let issuer: String?
    public let audience: String?

    public init(keys: JWKSet, issuer: String?, audience: String?) {
        self.keys = keys
        self.issuer = issuer
        self.audience = audience
    }

    public func verify(_ token: String, now: Date = Date()) async throws -> Verified {
        let (token, header, claims) = try Self.parse(token)
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
        let jwk = try key(for: header, alg: alg)
        try await checkSignature(token, alg: alg, jwk: jwk)
        try checkClaims(claims, now: now)
        return Verified(header: header, claims: claims)
    }

    /// Every check that needs no key: size, shape, canonical base64url, strict JSON, `crit`.
    public static func parse(_ token: String) throws -> (token: String, header: [String: JSONValue], claims: [String: JSONValue]) {
        guard token.utf8.count <= maxTokenBytes else {
            throw Failure(check: "format", message: "the token has \(token.utf8.count) bytes; at most \(maxTokenBytes) are accepted")
        }
        let token = token.trimmingWhitespace
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3 else {
            throw Failure(check: "format", message: "expected three dot-separated parts (header.payload.signature), found \(parts.count)")
        }
        let header = try object(String(parts[0]), "header")
        let claims = try object(String(parts[1]), "payload")
        guard Base64URL.decodeCanonical(String(parts[2])) != nil else {
            throw Failure(check: "format", message: "the signature is not canonical base64url")
        }
        try checkCritical(header)
        return (token, header, claims)
    }

    /// A header or payload: canonical base64url of a JSON object with no member given twice.
    static func object(_ part: String, _ name: String) throws -> [String: JSONValue] {
        guard let data = Base64URL.decodeCanonical(part) else {
            throw Failure(check: "format", message: "the \(name) is not canonical base64url")
        }
        let value: JSONValue
        do { value = try StrictJSON.parse(data) } catch let failure as StrictJSON.Failure {
            throw Failure(check: "format", message: failure.duplicate.map { "the \(name) gives \($0) twice" } ?? "the \(name) is not JSON (\(failure.message))")
        }
        guard case .object(let members) = value else { throw Failure(check: "format", message: "the \(name) is not a JSON object") }
        return members
    }

    /// RFC 7515 §4.1.11: broker understands no extension, so any `crit` entry is fatal; a
    /// malformed `crit` is too.
    static func checkCritical(_ header: [String: JSONValue]) throws {
        guard let crit = header["crit"] else { return }
        guard case .array(let items) = crit, !items.isEmpty, items.allSatisfy({ $0.stringValue != nil }) else {
            throw Failure(check: "crit", message: "crit must be a non-empty array of header parameter names")
        }
        let names = items.compactMap(\.stringValue)
        if let registered = names.first(where: registeredHeaders.contains) {
            throw Failure(check: "crit", message: "crit lists '\(registered)', a standard header parameter, which RFC 7515 forbids")
        }
        throw Failure(check: "crit", message: "the token requires extension\(names.count == 1 ? "" : "s") \(names.map { "'\($0)'" }.joined(separator: ", ")), which broker does not understand")
    }

    /// The key the header names (`kid`), or the one usable key when the header names none. The
    /// key decides (RFC 8725 §3.1): its own `alg`, `use`, `key_ops` and curve must allow this use.
    func key(for header: [String: JSONValue], alg: String) throws -> PublicJWK {
        let keyType = alg.hasPrefix("ES") ? "EC" : "RSA"
        let jwk: PublicJWK
        if let kidValue = header["kid"] {
            guard let kid = kidValue.stringValue else { throw Failure(check: "kid", message: "kid is not a string") }
            guard let found = keys.keys.first(where: { $0.kid == kid }) else {
                let known = keys.keys.compactMap(\.kid)
                throw Failure(check: "kid", message: "unknown kid '\(kid)'; the JWKS has \(known.isEmpty ? "no keys" : known.joined(separator: ", "))")
            }
            jwk = found
        } else {
            let usable = keys.keys.filter { $0.kty == keyType && (try? Self.checkKey($0, alg: alg)) != nil }
            guard usable.count == 1 else {
                throw Failure(check: "kid", message: "the header has no kid and the JWKS has \(usable.count) keys usable with \(alg), so none can be chosen")
            }
            jwk = usable[0]
        }
        try Self.checkKey(jwk, alg: alg)
        return jwk
    }

    static func checkKey(_ jwk: PublicJWK, alg: String) throws {
        let name = jwk.kid.map { "key '\($0)'" } ?? "the key"
        let keyType = alg.hasPrefix("ES") ? "EC" : "RSA"
        guard jwk.kty == keyType else {
            throw Failure(check: "alg", message: "alg '\(alg)' does not fit \(name) of type \(jwk.kty)")
        }
        if let keyAlg = jwk.alg, keyAlg != alg {
            throw Failure(check: "alg", message: "the token says alg '\(alg)' but \(name) is for '\(keyAlg)' only")
        }
        if let use = jwk.use, use != "sig" {
            throw Failure(check: "alg", message: "\(name) has use '\(use)', not 'sig'")
        }
        if let operations = jwk.key_ops, !operations.contains("verify") {
            throw Failure(check: "alg", message: "\(name) has key_ops \(operations), which do not include 'verify'")
        }
        if keyType == "EC" {
            let curve = ["ES256": "P-256", "ES384": "P-384"][alg]
            guard jwk.crv == curve else {
                throw Failure(check: "alg", message: "alg '\(alg)' needs curve \(curve ?? "?"), \(name) is on \(jwk.crv ?? "no curve")")
            }
        }
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
        // RFC 7519 §4.1.4-6: present time claims are NumericDates.
        for name in ["exp", "nbf", "iat"] {
            if let value = claims[name], value.numberValue == nil {
                throw Failure(check: name, message: "\(name) is \(value.displayText), not a NumericDate (seconds since 1970)")
            }
        }
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

import BrokerCore
import Crypto
import Foundation

/// A public signing key as published in the JWKS (RFC 7517), with its RFC 7638 thumbprint.
public struct PublicJWK: Codable, Sendable, Equatable {
    public var kty: String
    public var use: String?
    public var alg: String?
    public var kid: String?
    public var n: String?
    public var e: String?
    public var crv: String?
    public var x: String?
    public var y: String?
    /// RFC 7517 §4.3: what the key may be used for; a verifying key must allow "verify".
    public var key_ops: [String]?

    public init(kty: String, use: String? = nil, alg: String? = nil, kid: String? = nil, n: String? = nil, e: String? = nil,
                crv: String? = nil, x: String? = nil, y: String? = nil) {
        self.kty = kty
        self.use = use
        self.alg = alg
        self.kid = kid
        self.n = n
        self.e = e
        self.crv = crv
        self.x = x
        self.y = y
    }

    public static func rsa(modulus: Data, exponent: Data) -> PublicJWK {
        var jwk = PublicJWK(kty: "RSA", use: "sig", alg: "RS256", n: Base64URL.encode(modulus.droppingLeadingZeros()),
                            e: Base64URL.encode(exponent.droppingLeadingZeros()))
        jwk.kid = jwk.thumbprint
        return jwk
    }

    public static func ec(x: String, y: String) -> PublicJWK {
        var jwk = PublicJWK(kty: "EC", use: "sig", alg: "ES256", crv: "P-256", x: x, y: y)
        jwk.kid = jwk.thumbprint
        return jwk
    }

    /// RFC 7638: SHA-256 over the required members in lexicographic order, no whitespace.
    public var thumbprint: String {
        let canonical: String
        if kty == "RSA" {
            canonical = #"{"e":"\#(e ?? "")","kty":"RSA","n":"\#(n ?? "")"}"#
        } else {
            canonical = #"{"crv":"\#(crv ?? "")","kty":"EC","x":"\#(x ?? "")","y":"\#(y ?? "")"}"#
        }
        return Base64URL.encode(Data(SHA256.hash(data: Data(canonical.utf8))))
    }
}

/// The JWKS document (`{"keys": [...]}`).
public struct JWKSet: Codable, Sendable, Equatable {
    public var keys: [PublicJWK]
    public init(keys: [PublicJWK]) { self.keys = keys }
}

extension Data {
    fileprivate func droppingLeadingZeros() -> Data {
        let trimmed = drop(while: { $0 == 0 })
        return trimmed.isEmpty ? Data([0]) : Data(trimmed)
    }
}

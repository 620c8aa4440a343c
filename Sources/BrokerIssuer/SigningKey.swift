import BrokerCore
import Crypto
import CryptoExtras
import Foundation
import JWTKit

/// A private signing key loaded from its PEM file.
public struct SigningKey: Sendable {
    public let algorithm: SigningAlgorithm
    public let pem: String
    public let publicJWK: PublicJWK
    /// Parsed once: an RSA key's parse and consistency checks cost about a millisecond.
    private let parsed: Parsed

    private enum Parsed: Sendable {
        case rsa(JWTKit.Insecure.RSA.PrivateKey)
        case es256(ES256PrivateKey)
    }

    public var kid: String { publicJWK.kid! }

    public static func generate(_ algorithm: SigningAlgorithm) throws -> SigningKey {
        switch algorithm {
        case .rs256:
            let key = try _RSA.Signing.PrivateKey(keySize: .bits2048)
            return try SigningKey(algorithm: .rs256, pem: key.pemRepresentation)
        case .es256:
            return try SigningKey(algorithm: .es256, pem: P256.Signing.PrivateKey().pemRepresentation)
        }
    }

    public init(algorithm: SigningAlgorithm, pem: String) throws {
        self.algorithm = algorithm
        self.pem = pem
        switch algorithm {
        case .rs256:
            let key = try Insecure.RSA.PrivateKey(pem: pem)
            let primitives = try key.publicKey.getKeyPrimitives()
            publicJWK = PublicJWK.rsa(modulus: primitives.modulus, exponent: primitives.publicExponent)
            parsed = .rsa(key)
        case .es256:
            let key = try ES256PrivateKey(pem: pem)
            guard let parameters = key.parameters else {
                throw BrokerError.failure("the ES256 key has no public parameters")
            }
            publicJWK = PublicJWK.ec(x: parameters.x, y: parameters.y)
            parsed = .es256(key)
        }
    }

    /// A jwt-kit key collection that signs with this key under its `kid`.
    public func keyCollection() async throws -> JWTKeyCollection {
        let keys = JWTKeyCollection()
        switch parsed {
        case .rsa(let key):
            await keys.add(rsa: key, digestAlgorithm: .sha256, kid: JWKIdentifier(string: kid))
        case .es256(let key):
            await keys.add(ecdsa: key, kid: JWKIdentifier(string: kid))
        }
        return keys
    }
}

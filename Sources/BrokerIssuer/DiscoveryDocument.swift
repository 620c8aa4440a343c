import Foundation

/// `/.well-known/openid-configuration`, listing only what is true of this issuer.
public struct DiscoveryDocument: Codable, Sendable, Equatable {
    public var issuer: String
    public var jwksURI: String
    public var responseTypesSupported: [String]
    public var subjectTypesSupported: [String]
    public var idTokenSigningAlgValuesSupported: [String]
    public var claimsSupported: [String]

    enum CodingKeys: String, CodingKey {
        case issuer
        case jwksURI = "jwks_uri"
        case responseTypesSupported = "response_types_supported"
        case subjectTypesSupported = "subject_types_supported"
        case idTokenSigningAlgValuesSupported = "id_token_signing_alg_values_supported"
        case claimsSupported = "claims_supported"
    }

    public init(issuer: String, jwksURI: String, algorithms: [String], claims: [String]) {
        self.issuer = issuer
        self.jwksURI = jwksURI
        responseTypesSupported = ["id_token"]
        subjectTypesSupported = ["public"]
        idTokenSigningAlgValuesSupported = algorithms
        claimsSupported = claims
    }
}


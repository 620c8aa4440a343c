import BrokerCore
import Foundation
import JWTKit

/// The payload of an identity token: registered claims first, then extra claims.
/// Timestamps are integer seconds, as every cloud expects.
struct TokenClaims: JWTPayload {
    static let registered = ["iss", "sub", "aud", "azp", "iat", "nbf", "exp", "jti"]

    var values: [String: JSONValue]

    init(values: [String: JSONValue]) { self.values = values }

    init(from decoder: any Decoder) throws {
        values = try decoder.singleValueContainer().decode([String: JSONValue].self)
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: AnyKey.self)
        for key in Self.registered { if let value = values[key] { try container.encode(value, forKey: AnyKey(key)) } }
        for key in values.keys.sorted() where !Self.registered.contains(key) {
            try container.encode(values[key]!, forKey: AnyKey(key))
        }
    }

    /// Signature checks only; claim checks live in `TokenVerifier` so failures can be precise.
    func verify(using algorithm: some JWTAlgorithm) async throws {}

    struct AnyKey: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(_ string: String) { stringValue = string }
        init?(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }
}

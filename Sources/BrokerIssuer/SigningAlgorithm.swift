import BrokerCore

/// The signing algorithms the embedded issuer can use. RS256 is accepted everywhere
/// (AWS, Google, Azure, Vault); ES256 everywhere but Azure.
public enum SigningAlgorithm: String, Codable, Sendable, CaseIterable {
    case rs256 = "RS256"
    case es256 = "ES256"

    public static func parse(_ text: String, name: String) throws -> SigningAlgorithm {
        guard let value = SigningAlgorithm(rawValue: text.uppercased()) else {
            throw BrokerError.usage("\(name): unsupported signing algorithm '\(text)'", hint: "use RS256 (works with every cloud) or ES256")
        }
        return value
    }
}

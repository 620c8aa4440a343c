import Crypto
import Foundation

/// Lowercase hex SHA-256, for stored hashes of secrets and cache keys.
public func sha256Hex(_ data: Data) -> String {
    SHA256.hash(data: data).map { String(format: "%02x", $0) }.joined()
}

import Crypto
import Foundation

/// Lowercase hex SHA-256, for stored hashes of secrets and cache keys.
public func sha256Hex(_ data: Data) -> String {
    lowercaseHex(SHA256.hash(data: data))
}

/// Lowercase hex of `bytes`. By table: `String(format:)` per byte costs about a millisecond per
/// login in a fresh process (Foundation's format machinery on first use).
public func lowercaseHex<Bytes: Sequence>(_ bytes: Bytes) -> String where Bytes.Element == UInt8 {
    let digits = Array("0123456789abcdef".utf8)
    var text: [UInt8] = []
    text.reserveCapacity(64)
    for byte in bytes {
        text.append(digits[Int(byte >> 4)])
        text.append(digits[Int(byte & 0x0f)])
    }
    return String(decoding: text, as: UTF8.self)
}

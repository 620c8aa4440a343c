@testable import BrokerCore
import Foundation
import Testing

/// The hex every stored hash is written in.
@Suite struct SHA256HexTests {
    @Test func sha256HexIsLowercaseHexOfTheDigest() {
        // FIPS 180-2's "abc" and empty-message vectors.
        #expect(sha256Hex(Data("abc".utf8)) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(sha256Hex(Data()) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(lowercaseHex([0x00, 0x0f, 0xa0, 0xff]) == "000fa0ff")
    }
}

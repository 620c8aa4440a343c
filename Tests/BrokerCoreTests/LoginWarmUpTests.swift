@testable import BrokerCore
import Foundation
import Testing

/// What a login runs on a second core at start, and the hex every stored hash is written in.
@Suite struct LoginWarmUpTests {
    @Test func theHTTPWarmUpBuildsAndShutsDownAClientWithoutANetwork() async {
        #expect(await HTTPClient.warmUp())
    }

    @Test func sha256HexIsLowercaseHexOfTheDigest() {
        // FIPS 180-2's "abc" and empty-message vectors.
        #expect(sha256Hex(Data("abc".utf8)) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(sha256Hex(Data()) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(lowercaseHex([0x00, 0x0f, 0xa0, 0xff]) == "000fa0ff")
    }
}

/// A token's header and payload are read strictly.
@Suite struct IdentityTokenParsingTests {
    func jwt(_ header: String, _ payload: String) -> String {
        Base64URL.encode(Array(header.utf8)) + "." + Base64URL.encode(Array(payload.utf8)) + ".sig"
    }

    @Test func aClaimNamedTwiceIsRefusedNamingIt() {
        do {
            _ = try IdentityToken(jwt: jwt(#"{"alg":"RS256"}"#, #"{"sub":"a","sub":"b"}"#))
            Issue.record("accepted")
        } catch {
            #expect("\(error)".contains("the token's payload names sub twice"))
        }
    }

    @Test func claimsAndHeaderAreRead() throws {
        let token = try IdentityToken(jwt: jwt(#"{"alg":"RS256","kid":"k"}"#, #"{"iss":"https://i","aud":["x","y"],"exp":1800000000}"#))
        #expect(token.issuer == "https://i" && token.audiences == ["x", "y"] && token.header["kid"] == .string("k"))
        #expect(token.expiresAt == Date(timeIntervalSince1970: 1_800_000_000))
    }

    @Test func notJSONOrNotAnObjectIsNotAJWT() {
        for bad in [jwt("{", "{}"), jwt("{}", "[1]"), "a.b", jwt("{}", #"{"a":1} x"#)] {
            #expect(throws: BrokerError.self) { try IdentityToken(jwt: bad) }
        }
    }
}

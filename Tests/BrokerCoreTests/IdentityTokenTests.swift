@testable import BrokerCore
import Foundation
import Testing

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

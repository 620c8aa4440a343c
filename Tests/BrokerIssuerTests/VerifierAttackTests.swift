import BrokerCore
import BrokerIssuer
import Crypto
import Foundation
import Testing

/// Tokens that RFC 7515, 7519 and 8725 say to reject, each validly signed (so only the rule
/// under test can refuse them), and each refused with the check that failed.
@Suite struct VerifierAttackTests {
    /// An ES256 key that signs whatever header and payload text it is given.
    struct Signer {
        let key = P256.Signing.PrivateKey()
        var jwk: PublicJWK {
            let point = key.publicKey.x963Representation.dropFirst()
            return PublicJWK(kty: "EC", use: "sig", alg: "ES256", kid: "k1", crv: "P-256",
                             x: Base64URL.encode(point.prefix(32)), y: Base64URL.encode(point.suffix(32)))
        }
        func token(_ header: String, _ payload: String) throws -> String {
            try token(encodedHeader: b64(header), encodedPayload: b64(payload))
        }
        func token(encodedHeader: String, encodedPayload: String) throws -> String {
            let input = encodedHeader + "." + encodedPayload
            return input + "." + Base64URL.encode(try key.signature(for: Data(input.utf8)).rawRepresentation)
        }
    }

    let signer = Signer()
    let exp = Int(Date().timeIntervalSince1970) + 600
    var payload: String { #"{"iss":"https://i.example","sub":"s","aud":"a","exp":\#(exp)}"# }
    let header = #"{"alg":"ES256","kid":"k1","typ":"JWT"}"#

    func verify(_ token: String, keys: [PublicJWK]? = nil) async -> TokenVerifier.Failure? {
        do {
            _ = try await TokenVerifier(keys: JWKSet(keys: keys ?? [signer.jwk]), issuer: "https://i.example", audience: "a").verify(token)
            return nil
        } catch let failure as TokenVerifier.Failure {
            return failure
        } catch {
            Issue.record("unexpected \(error)")
            return nil
        }
    }

    @Test func theBaselineTokenIsAccepted() async throws {
        #expect(await verify(try signer.token(header, payload)) == nil)
    }

    @Test(arguments: [
        (#"{"alg":"ES256","kid":"k1","crit":["exp"],"exp":1}"#, "crit", "does not understand"),
        (#"{"alg":"ES256","kid":"k1","crit":["alg"]}"#, "crit", "standard header parameter"),
        (#"{"alg":"ES256","kid":"k1","crit":[]}"#, "crit", "non-empty array"),
        (#"{"alg":"ES256","kid":"k1","crit":"exp"}"#, "crit", "non-empty array"),
        (#"{"alg":"ES256","kid":"k1","crit":[1]}"#, "crit", "non-empty array"),
        (#"{"alg":"ES256","kid":"k1","kid":"k1"}"#, "format", "header gives kid twice"),
        (#"{"alg":"ES256","kid":7}"#, "kid", "not a string"),
        (#"["ES256"]"#, "format", "not a JSON object"),
    ])
    func headerAttacks(_ header: String, _ check: String, _ reason: String) async throws {
        let failure = await verify(try signer.token(header, payload))
        #expect(failure?.check == check)
        #expect(failure?.message.contains(reason) == true, "\(failure?.message ?? "accepted")")
    }

    @Test(arguments: [
        (#"{"aud":"a","aud":"b","exp":EXP}"#, "format", "payload gives aud twice"),
        (#"{"aud":"a","exp":EXP,"nbf":"0"}"#, "nbf", "not a NumericDate"),
        (#"{"aud":"a","exp":EXP,"iat":true}"#, "iat", "not a NumericDate"),
        (#"{"aud":"a","exp":"EXP"}"#, "exp", "not a NumericDate"),
    ])
    func claimAttacks(_ template: String, _ check: String, _ reason: String) async throws {
        let payload = template.replacingOccurrences(of: "EXP", with: String(exp)).replacingOccurrences(of: #"{"aud""#, with: #"{"iss":"https://i.example","aud""#)
        let failure = await verify(try signer.token(header, payload))
        #expect(failure?.check == check)
        #expect(failure?.message.contains(reason) == true, "\(failure?.message ?? "accepted")")
    }

    @Test func theKeyDecidesNotTheHeader() async throws {
        let token = try signer.token(header, payload)
        var wrongAlg = signer.jwk; wrongAlg.alg = "ES384"
        var encryption = signer.jwk; encryption.use = "enc"
        var signOnly = signer.jwk; signOnly.key_ops = ["sign"]
        var otherCurve = signer.jwk; otherCurve.crv = "P-384"
        for (key, reason) in [(wrongAlg, "is for 'ES384' only"), (encryption, "use 'enc'"), (signOnly, "do not include 'verify'"),
                              (otherCurve, "needs curve P-256")] {
            let failure = await verify(token, keys: [key])
            #expect(failure?.check == "alg")
            #expect(failure?.message.contains(reason) == true, "\(failure?.message ?? "accepted")")
        }
        var verifying = signer.jwk; verifying.key_ops = ["verify"]; verifying.alg = nil
        #expect(await verify(token, keys: [verifying]) == nil)
    }

    @Test func nonCanonicalBase64IsRefused() async throws {
        // A payload whose encoding ends in a character with unused bits; setting them keeps the bytes.
        var padded = payload
        while b64(padded).count % 4 == 0 { padded = padded.replacingOccurrences(of: "}", with: " }") }
        let canonical = b64(padded)
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
        let last = alphabet.firstIndex(of: canonical.last!)!
        let sloppy = String(canonical.dropLast()) + String(alphabet[last | 1])
        #expect(Base64URL.decode(sloppy) == Base64URL.decode(canonical))
        let failure = await verify(try signer.token(encodedHeader: b64(header), encodedPayload: sloppy))
        #expect(failure?.check == "format" && failure?.message.contains("payload is not canonical base64url") == true)
    }

    @Test func anOversizeTokenIsRefusedBeforeParsing() async throws {
        let big = payload.replacingOccurrences(of: #""sub":"s""#, with: #""sub":"\#(String(repeating: "x", count: 70_000))""#)
        let failure = await verify(try signer.token(header, big))
        #expect(failure?.check == "format" && failure?.message.contains("at most 65536") == true)
    }

    @Test func kidMayBeAbsentWhenOneKeyFits() async throws {
        let token = try signer.token(#"{"alg":"ES256"}"#, payload)
        #expect(await verify(token) == nil)
        let other = Signer().jwk
        let failure = await verify(token, keys: [signer.jwk, other])
        #expect(failure?.check == "kid" && failure?.message.contains("2 keys usable with ES256") == true)
    }
}

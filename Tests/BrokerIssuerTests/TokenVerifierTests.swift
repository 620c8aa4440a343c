import BrokerCore
import BrokerIssuer
import Crypto
import Foundation
import Testing

@Suite struct TokenVerifierTests {
    let issuer = makeIssuer()

    func mint(_ audiences: [String] = ["aud-1"], lifetime: TimeInterval? = nil, now: Date = Date()) async throws -> String {
        try await issuer.signer().sign(issuer.claims(audiences: audiences, lifetime: lifetime, now: now))
    }

    func verifier(audience: String? = "aud-1", issuerURL: String? = "https://issuer.example.com") async throws -> TokenVerifier {
        TokenVerifier(keys: try await issuer.jwks(), issuer: issuerURL, audience: audience)
    }

    func failure(_ token: String, _ verifier: TokenVerifier, now: Date = Date()) async -> TokenVerifier.Failure? {
        do {
            _ = try await verifier.verify(token, now: now)
            return nil
        } catch let failure as TokenVerifier.Failure {
            return failure
        } catch {
            Issue.record("unexpected \(error)")
            return nil
        }
    }

    @Test func acceptsAValidToken() async throws {
        let verified = try await verifier().verify(try await mint())
        #expect(verified.claims["aud"] == .string("aud-1"))
    }

    @Test func acceptsES256() async throws {
        let es = makeIssuer(algorithm: .es256)
        let token = try await es.signer().sign(es.claims(audiences: ["a"]))
        _ = try await TokenVerifier(keys: await es.jwks(), issuer: nil, audience: "a").verify(token)
    }

    @Test func rejectsATamperedPayload() async throws {
        let parts = try await mint().split(separator: ".").map(String.init)
        var claims = try JSONDecoder().decode([String: JSONValue].self, from: Base64URL.decode(parts[1])!)
        claims["sub"] = .string("admin")
        let forged = [parts[0], Base64URL.encode(try JSONEncoder().encode(claims)), parts[2]].joined(separator: ".")
        #expect(await failure(forged, try await verifier())?.check == "signature")
    }

    @Test func rejectsASignatureFromAnotherKeyUnderTheSameKid() async throws {
        let token = try await mint()
        var impostor = try await makeIssuer().jwks().keys[0]
        impostor.kid = try await issuer.jwks().keys[0].kid
        let verifier = TokenVerifier(keys: JWKSet(keys: [impostor]), issuer: nil, audience: nil)
        #expect(await failure(token, verifier)?.check == "signature")
    }

    @Test func rejectsAlgNone() async throws {
        let parts = try await mint().split(separator: ".").map(String.init)
        let kid = try await issuer.jwks().keys[0].kid!
        let unsigned = b64(#"{"alg":"none","kid":"\#(kid)"}"#) + "." + parts[1] + "."
        let result = await failure(unsigned, try await verifier())
        #expect(result?.check == "alg")
        #expect(result?.message.contains("none") == true)
    }

    @Test func rejectsHMACKeyConfusion() async throws {
        let parts = try await mint().split(separator: ".").map(String.init)
        let kid = try await issuer.jwks().keys[0].kid!
        let header = b64(#"{"alg":"HS256","kid":"\#(kid)"}"#)
        let secret = SymmetricKey(data: Data(try JSONOutput.encode(await issuer.jwks())))
        let mac = HMAC<SHA256>.authenticationCode(for: Data((header + "." + parts[1]).utf8), using: secret)
        let token = header + "." + parts[1] + "." + Base64URL.encode(Data(mac))
        #expect(await failure(token, try await verifier())?.check == "alg")
    }

    @Test func rejectsAnExpiredTokenBeyondLeeway() async throws {
        let issued = Date().addingTimeInterval(-7200)
        let token = try await mint(lifetime: 3600, now: issued)
        let result = await failure(token, try await verifier())
        #expect(result?.check == "exp")
        #expect(result?.message.contains("expired at") == true)
        // Within the 60 s leeway it still passes.
        _ = try await verifier().verify(token, now: issued.addingTimeInterval(3630))
    }

    @Test func rejectsATokenNotYetValid() async throws {
        let token = try await mint(now: Date().addingTimeInterval(600))
        let check = await failure(token, try await verifier())?.check
        #expect(check == "nbf" || check == "iat")
    }

    @Test func rejectsTheWrongAudienceNamingBoth() async throws {
        let result = await failure(try await mint(["other"]), try await verifier())
        #expect(result?.check == "aud")
        #expect(result?.message.contains("other") == true && result?.message.contains("aud-1") == true)
    }

    @Test func rejectsTheWrongIssuer() async throws {
        let result = await failure(try await mint(), try await verifier(issuerURL: "https://elsewhere.example.com"))
        #expect(result?.check == "iss")
    }

    @Test func rejectsAnUnknownKid() async throws {
        let token = try await mint()
        let other = TokenVerifier(keys: try await makeIssuer().jwks(), issuer: nil, audience: nil)
        let result = await failure(token, other)
        #expect(result?.check == "kid")
    }

    @Test(arguments: ["", "abc", "a.b", "a.b.c.d", "!!.??.##"])
    func rejectsMalformedInput(_ token: String) async throws {
        #expect(await failure(token, try await verifier())?.check == "format")
    }
}

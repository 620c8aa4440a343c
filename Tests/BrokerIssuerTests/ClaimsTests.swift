import BrokerCore
import BrokerIssuer
import Foundation
import Testing

@Suite struct ClaimsTests {
    let now = Date(timeIntervalSince1970: 1_800_000_000)

    @Test func oneAudienceIsAStringAndAzp() throws {
        let claims = try makeIssuer().claims(audiences: ["sts.amazonaws.com"], now: now)
        #expect(claims["aud"] == .string("sts.amazonaws.com"))
        #expect(claims["azp"] == .string("sts.amazonaws.com"))
        #expect(claims["iss"] == .string("https://issuer.example.com"))
    }

    @Test func severalAudiencesAreAnArrayAndAzpIsTheFirst() throws {
        let claims = try makeIssuer().claims(audiences: ["a", "b"], now: now)
        #expect(claims["aud"] == .array([.string("a"), .string("b")]))
        #expect(claims["azp"] == .string("a"))
    }

    @Test func timesAreIntegerSecondsAndLifetimeApplies() throws {
        let claims = try makeIssuer().claims(audiences: ["a"], lifetime: 1800, now: now.addingTimeInterval(0.7))
        #expect(claims["iat"] == .number(1_800_000_000))
        #expect(claims["nbf"] == .number(1_800_000_000))
        #expect(claims["exp"] == .number(1_800_001_800))
    }

    @Test func defaultLifetimeIsOneHour() throws {
        let claims = try makeIssuer().claims(audiences: ["a"], now: now)
        #expect(claims["exp"] == .number(1_800_003_600))
    }

    @Test func jtiIsRandom() throws {
        let issuer = makeIssuer()
        let first = try issuer.claims(audiences: ["a"], now: now)["jti"]
        let second = try issuer.claims(audiences: ["a"], now: now)["jti"]
        #expect(first != nil && first != second)
    }

    @Test func subjectDefaultsToRepositoryThenUser() throws {
        let withRepo = try makeIssuer(repository: "https://github.com/acme/app").claims(audiences: ["a"], now: now)
        #expect(withRepo["sub"] == .string("https://github.com/acme/app"))
        #expect(withRepo["repository"] == .string("https://github.com/acme/app"))
        let withoutRepo = try makeIssuer().claims(audiences: ["a"], now: now)
        #expect(withoutRepo["sub"]?.stringValue?.hasPrefix("user:alice@") == true)
        #expect(withoutRepo["repository"] == nil)
        let explicit = try makeIssuer(repository: "https://github.com/acme/app").claims(audiences: ["a"], subject: "ci:deploy", now: now)
        #expect(explicit["sub"] == .string("ci:deploy"))
    }

    @Test func extraClaimsAreAddedButCannotOverrideRegisteredOnes() throws {
        let claims = try makeIssuer().claims(audiences: ["a"], extra: ["env": .string("prod")], now: now)
        #expect(claims["env"] == .string("prod"))
        #expect(throws: BrokerError.self) { try Issuer.checkExtraClaims(["sub": .string("x")], source: "--claim") }
        #expect(throws: BrokerError.self) { try Issuer.checkExtraClaims(["exp": .number(1)], source: "--claim") }
    }

    @Test func noAudienceIsAUsageError() {
        #expect(throws: BrokerError.self) { try makeIssuer().claims(audiences: []) }
    }

    @Test func signedTokenCarriesKidAndTheClaims() async throws {
        let issuer = makeIssuer()
        let signer = try await issuer.signer()
        let jwt = try await signer.sign(issuer.claims(audiences: ["a"], subject: "s", extra: ["team": .string("x")]))
        let token = try IdentityToken(jwt: jwt)
        #expect(token.header["kid"] == .string(signer.kid))
        #expect(token.header["alg"] == .string("RS256"))
        #expect(token.subject == "s")
        #expect(token.claims["team"] == .string("x"))
    }
}

import BrokerCore
import Foundation
import Testing
@testable import VaultProvider

@Suite struct VaultRoleCheckTests {
    static let claims: [String: JSONValue] = ["iss": .string("https://ci.example"), "sub": .string("repo:acme/app"), "aud": .string("vault"),
                                              "team": .array([.string("blue"), .string("red")]), "nested": .object(["env": .string("prod")])]

    func verdict(_ role: String, _ claims: [String: JSONValue] = claims) throws -> PolicyVerdict {
        VaultRoleCheck.evaluate(role: try VaultRoleCheck.parse(Data(role.utf8)), claims: claims)
    }

    @Test func theRulesOfAJWTLogin() throws {
        #expect(try verdict(#"{"data": {"role_type": "jwt", "bound_audiences": ["vault"], "bound_subject": "repo:acme/app"}}"#).allowed)
        #expect(try !verdict(#"{"role_type": "oidc", "bound_audiences": ["vault"]}"#).allowed)
        #expect(try !verdict(#"{"role_type": "jwt", "bound_audiences": ["other"]}"#).allowed)
        // A token with an aud needs the role to bind audiences.
        let unbound = try verdict(#"{"role_type": "jwt", "bound_subject": "repo:acme/app"}"#)
        #expect(!unbound.allowed && unbound.fix?.hasPrefix("bound_audiences:") == true)
        #expect(try !verdict(#"{"role_type": "jwt", "bound_audiences": ["vault"], "user_claim": "email"}"#).allowed)
        #expect(try !verdict(#"{"role_type": "jwt", "bound_audiences": ["vault"], "groups_claim": "groups"}"#).allowed)
    }

    @Test func boundClaimsAreExactOrGlobAndAnyOfAList() throws {
        #expect(try verdict(#"{"role_type": "jwt", "bound_audiences": "vault", "bound_claims": {"team": ["green", "red"]}}"#).allowed)
        #expect(try !verdict(#"{"role_type": "jwt", "bound_audiences": "vault", "bound_claims": {"sub": "repo:acme/*"}}"#).allowed)
        #expect(try verdict(#"{"role_type": "jwt", "bound_audiences": "vault", "bound_claims_type": "glob", "bound_claims": {"sub": "repo:acme/*"}}"#).allowed)
        #expect(try verdict(#"{"role_type": "jwt", "bound_audiences": "vault", "bound_claims_type": "glob", "bound_claims": {"sub": "*:acme/a*p"}}"#).allowed)
        #expect(try !verdict(#"{"role_type": "jwt", "bound_audiences": "vault", "bound_claims_type": "glob", "bound_claims": {"sub": "repo:acme/app?"}}"#).allowed)
        #expect(try verdict(#"{"role_type": "jwt", "bound_audiences": "vault", "bound_claims": {"/nested/env": "prod"}}"#).allowed)
        let missing = try verdict(#"{"role_type": "jwt", "bound_audiences": "vault", "bound_claims": {"environment": "prod"}}"#)
        #expect(!missing.allowed && missing.fix == "bound_claims.environment: the token has no environment claim; the rule expects environment equal to prod")
    }

    @Test func userClaimIsAStringAndAPointerOnlyWhenAsked() throws {
        let claims = Self.claims.merging(["run_id": .number(7)]) { $1 }
        #expect(try !verdict(#"{"role_type": "jwt", "bound_audiences": "vault", "user_claim": "run_id"}"#, claims).allowed)
        #expect(try !verdict(#"{"role_type": "jwt", "bound_audiences": "vault", "user_claim": "/nested/env"}"#).allowed)
        #expect(try verdict(#"{"role_type": "jwt", "bound_audiences": "vault", "user_claim": "/nested/env", "user_claim_json_pointer": true}"#).allowed)
    }

    @Test func boundClaimsCompareTypedValues() throws {
        let claims = Self.claims.merging(["run": .number(42)]) { $1 }
        #expect(try !verdict(#"{"role_type": "jwt", "bound_audiences": "vault", "bound_claims": {"run": "42"}}"#, claims).allowed)
        #expect(try !verdict(#"{"role_type": "jwt", "bound_audiences": "vault", "bound_claims_type": "glob", "bound_claims": {"run": "4*"}}"#, claims).allowed)
    }

    @Test func globIsGoGlob() {
        #expect(VaultRoleCheck.globMatch("a*b*c", "abc") && VaultRoleCheck.globMatch("*", "") && VaultRoleCheck.globMatch("a**", "a"))
        #expect(!VaultRoleCheck.globMatch("a*a", "a") && !VaultRoleCheck.globMatch("a?", "ab") && VaultRoleCheck.globMatch("a?", "a?"))
    }

    @Test func theTemplateRoundTrips() throws {
        let exact = try VaultRoleCheck.template(audience: "vault", subject: "repo:acme/app", policies: ["deploy"])
        #expect(try verdict(exact).allowed)
        let glob = try VaultRoleCheck.template(audience: "vault", subject: "repo:acme/*", policies: ["deploy"])
        #expect(try verdict(glob).allowed)
        #expect(try !verdict(glob, Self.claims.merging(["sub": .string("repo:evil/app")]) { $1 }).allowed)
    }

    @Test func notARoleIsAProblem() {
        #expect(throws: VaultRoleCheck.Problem.self) { try VaultRoleCheck.parse(Data("[]".utf8)) }
        #expect(throws: VaultRoleCheck.Problem.self) { try VaultRoleCheck.parse(Data(#"{"data": {"keys": ["a"]}}"#.utf8)) }
    }
}

import BrokerCore
import Foundation
import Testing
@testable import GCPProvider

@Suite struct PoolProviderCheckTests {
    static let name = "projects/123456789012/locations/global/workloadIdentityPools/ci-pool/providers/github"
    static let claims: [String: JSONValue] = ["iss": .string("https://token.actions.githubusercontent.com"), "sub": .string("repo:acme/app:ref:refs/heads/main"),
                                              "aud": .string("//iam.googleapis.com/" + name), "repository": .string("acme/app"),
                                              "repository_owner": .string("acme"), "ref": .string("refs/heads/main"), "run_number": .number(42)]

    static func provider(condition: String? = nil, audiences: [String]? = nil, disabled: Bool = false) -> String {
        var object: [String: Any] = ["name": name, "disabled": disabled, "state": "ACTIVE",
                                     "attributeMapping": ["google.subject": "assertion.sub", "attribute.repository": "assertion.repository"],
                                     "oidc": ["issuerUri": "https://token.actions.githubusercontent.com"]]
        if let condition { object["attributeCondition"] = condition }
        if let audiences { object["oidc"] = ["issuerUri": "https://token.actions.githubusercontent.com", "allowedAudiences": audiences] }
        return String(decoding: try! JSONSerialization.data(withJSONObject: object), as: UTF8.self)
    }

    func verdict(_ json: String, _ claims: [String: JSONValue] = claims) throws -> PolicyVerdict {
        PoolProviderCheck.evaluate(try PoolProviderCheck.parse(Data(json.utf8)), claims: claims)
    }

    @Test func issuerAudienceAndSubject() throws {
        #expect(try verdict(Self.provider()).allowed)
        #expect(try !verdict(Self.provider(disabled: true)).allowed)
        #expect(try !verdict(Self.provider(audiences: ["https://example.com"])).allowed)
        #expect(try verdict(Self.provider(audiences: ["https://example.com"]), Self.claims.merging(["aud": .string("https://example.com")]) { $1 }).allowed)
        #expect(try !verdict(Self.provider(), Self.claims.merging(["iss": .string("https://gitlab.com")]) { $1 }).allowed)
        let long = try verdict(Self.provider(), Self.claims.merging(["sub": .string(String(repeating: "x", count: 128))]) { $1 })
        #expect(!long.allowed && long.fix?.hasPrefix("attributeMapping.google.subject") == true)
    }

    @Test(arguments: [
        ("assertion.repository_owner == 'acme'", true),
        ("assertion.repository_owner == 'evil'", false),
        ("assertion.repository_owner != 'evil' && assertion.ref == 'refs/heads/main'", true),
        ("assertion.repository.startsWith('acme/') || assertion.sub == 'x'", true),
        ("assertion.ref.endsWith('/dev')", false),
        ("assertion['repository'] in ['acme/app', 'acme/lib']", true),
        ("attribute.repository == \"acme/app\"", true),
        ("!(assertion.repository_owner == 'acme')", false),
        ("assertion.environment == 'prod'", false),
        ("assertion.sub.contains(':ref:')", true),
    ])
    func commonConditionForms(_ condition: String, _ expected: Bool) throws {
        let result = try verdict(Self.provider(condition: condition))
        #expect(result.allowed == expected)
        #expect(!result.checks.contains { $0.outcome == .notEvaluated })
    }

    /// CEL's errors: a missing claim rejects unless `||`/`&&` absorb it, and `!` keeps it an error.
    @Test(arguments: [
        ("!(assertion.environment == 'prod')", false),
        ("!assertion.environment.startsWith('p')", false),
        ("assertion.environment == 'prod' || assertion.repository_owner == 'acme'", true),
        ("assertion.environment == 'prod' && assertion.repository_owner == 'evil'", false),
        ("!(assertion.environment in ['a']) || true", true),
    ])
    func missingClaimsAreErrorsAsInCEL(_ condition: String, _ expected: Bool) throws {
        let result = try verdict(Self.provider(condition: condition))
        #expect(result.allowed == expected && !result.checks.contains { $0.outcome == .notEvaluated })
    }

    @Test(arguments: ["assertion.groups.exists(g, g == 'admins')", "!assertion.repository_owner == 'evil'", "assertion.run_number == '42'", "size(assertion.sub) < 100", "assertion.sub.matches('^repo:')", "assertion.sub ==", "1 == 1"])
    func otherFormsAreNotEvaluated(_ condition: String) throws {
        let result = try verdict(Self.provider(condition: condition))
        #expect(result.allowed && result.checks.contains { $0.rule == "attributeCondition" && $0.outcome == .notEvaluated })
    }

    @Test func theGeneratedConditionHoldsForItsToken() throws {
        let condition = PoolProviderCheck.condition(claims: Self.claims)
        #expect(condition == "assertion.repository == 'acme/app'")
        #expect(try verdict(Self.provider(condition: condition)).allowed)
        #expect(try !verdict(Self.provider(condition: condition), Self.claims.merging(["repository": .string("acme/lib")]) { $1 }).allowed)
    }
}

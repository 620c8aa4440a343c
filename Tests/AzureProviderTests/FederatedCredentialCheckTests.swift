import BrokerCore
import Foundation
import Testing
@testable import AzureProvider

@Suite struct FederatedCredentialCheckTests {
    static let claims: [String: JSONValue] = ["iss": .string("https://token.actions.githubusercontent.com"),
                                              "sub": .string("repo:acme/app:ref:refs/heads/main"), "aud": .string("api://AzureADTokenExchange")]

    func verdict(_ json: String, _ claims: [String: JSONValue] = claims) throws -> PolicyVerdict {
        FederatedCredentialCheck.evaluate(try FederatedCredentialCheck.parse(Data(json.utf8)), claims: claims)
    }

    static let main = #"{"name": "main", "issuer": "https://token.actions.githubusercontent.com", "subject": "repo:acme/app:ref:refs/heads/main", "audiences": ["api://AzureADTokenExchange"]}"#

    @Test func issuerSubjectAndAnAudienceMatchExactly() throws {
        #expect(try verdict(Self.main).allowed)
        let branch = try verdict(Self.main, Self.claims.merging(["sub": .string("repo:acme/app:ref:refs/heads/dev")]) { $1 })
        #expect(!branch.allowed && branch.fix == "main.subject: the token has repo:acme/app:ref:refs/heads/dev; the rule expects repo:acme/app:ref:refs/heads/main")
        let cased = try verdict(Self.main, Self.claims.merging(["sub": .string("repo:Acme/app:ref:refs/heads/main")]) { $1 })
        #expect(!cased.allowed && cased.notes.contains { $0.contains("only in case") })
        let slash = try verdict(Self.main.replacingOccurrences(of: "githubusercontent.com\"", with: "githubusercontent.com/\""))
        #expect(!slash.allowed && slash.notes.contains { $0.contains("trailing slash") })
        #expect(try !verdict(Self.main, Self.claims.merging(["aud": .string("api://AzureADTokenExchangeUSGov")]) { $1 }).allowed)
    }

    @Test func aListIsAllowedByAnyAndReportsTheClosest() throws {
        let other = #"{"name": "other", "issuer": "https://gitlab.com", "subject": "x", "audiences": ["y"]}"#
        #expect(try verdict("[\(other), \(Self.main)]").allowed)
        let near = Self.main.replacingOccurrences(of: "refs/heads/main", with: "refs/heads/dev")
        let denied = try verdict("[\(other), \(near)]")
        #expect(!denied.allowed && denied.checks.first?.rule == "main.issuer")
    }

    @Test func aFlexibleExpressionIsReportedNotGuessed() throws {
        let flexible = #"{"name": "flex", "issuer": "https://token.actions.githubusercontent.com", "audiences": ["api://AzureADTokenExchange"], "claimsMatchingExpression": {"value": "claims['sub'] matches 'repo:acme/*'", "languageVersion": 1}}"#
        let result = try verdict(flexible)
        #expect(result.allowed && result.checks.contains { $0.outcome == .notEvaluated })
    }

    @Test func theTemplateRoundTripsAndBadInputIsNamed() throws {
        let template = try FederatedCredentialCheck.template(name: "ci", issuer: "https://token.actions.githubusercontent.com",
                                                             subject: "repo:acme/app:ref:refs/heads/main", audience: "api://AzureADTokenExchange")
        #expect(try verdict(template).allowed)
        #expect { try FederatedCredentialCheck.parse(Data(#"[{"issuer": "x", "subject": "y", "audiences": []}]"#.utf8)) } throws: {
            "\($0)".hasPrefix("[0].audiences")
        }
    }
}

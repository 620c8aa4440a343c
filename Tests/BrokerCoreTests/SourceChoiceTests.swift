import BrokerCore
import Foundation
import Testing

/// Which token source a run uses, in-process: the embedded issuer only when no CI platform is
/// there (or when asked), a CI platform that cannot issue tokens stops the run with its fix.
@Suite struct SourceChoiceTests {
    struct Embedded: TokenSource {
        var name: String { "embedded" }
        func token(audience: String) async throws -> IdentityToken { try IdentityToken(jwt: fakeJWT()) }
    }

    func block(_ values: [String: JSONValue] = [:]) -> SettingsBlock { SettingsBlock(values, path: "source") }

    @Test func noPlatformMeansTheEmbeddedIssuer() throws {
        let choice = try SourceChoice.make(block(), environment: ["PATH": "/nonexistent"]) { Embedded() }
        #expect(choice.source.name == "embedded" && choice.reason.contains("embedded issuer"))
    }

    @Test func aCIJobWithoutItsTokenServiceStopsWithTheFix() {
        var built = false
        #expect {
            _ = try SourceChoice.make(block(), environment: ["GITHUB_ACTIONS": "true", "PATH": "/nonexistent"]) {
                built = true
                return Embedded()
            }
        } throws: { error in
            guard let error = error as? BrokerError else { return false }
            return error.kind == .usage && error.hint?.contains("id-token: write") == true && error.hint?.contains("--source embedded") == true
        }
        #expect(!built)
        // Asked for, the embedded issuer is used in CI too.
        let asked = try? SourceChoice.make(block(["type": .string("embedded")]), environment: ["GITHUB_ACTIONS": "true"]) { Embedded() }
        #expect(asked?.source.name == "embedded")
    }

    @Test func gitlabVariablesRouteEachAudienceToItsOwnToken() async throws {
        let environment = ["GITLAB_CI": "true", "BROKER_ID_TOKEN": fakeJWT(#"{"aud":"sts.amazonaws.com"}"#),
                           "VAULT_ID_TOKEN": fakeJWT(#"{"aud":"vault"}"#)]
        let choice = try SourceChoice.make(block(["type": .string("gitlab"), "variables": .object(["vault": .string("VAULT_ID_TOKEN")])]),
                                           environment: environment) { Embedded() }
        #expect(try await choice.source.token(audience: "vault").audiences == ["vault"])
        #expect(try await choice.source.token(audience: "sts.amazonaws.com").audiences == ["sts.amazonaws.com"])
    }

    @Test func anUnknownTypeOrAMissingSettingIsNamed() {
        #expect(throws: BrokerError.self) { try SourceChoice.make(self.block(["type": .string("gitlb")]), environment: [:]) { Embedded() } }
        #expect(throws: BrokerError.self) { try SourceChoice.make(self.block(["type": .string("file")]), environment: [:]) { Embedded() } }
    }
}

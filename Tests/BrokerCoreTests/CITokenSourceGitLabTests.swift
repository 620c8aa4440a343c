import BrokerCore
import Foundation
import Testing

@Suite struct CITokenSourceGitLabTests {
    @Test func readsTheDefaultVariableWhenTheAudienceMatches() async throws {
        let jwt = fakeJWT(#"{"sub":"project_path:g/p:ref_type:branch:ref:main","aud":"sts.amazonaws.com"}"#)
        let source = GitLabTokenSource(environment: ["BROKER_ID_TOKEN": jwt + "\n"])
        let token = try await source.token(audience: "sts.amazonaws.com")
        #expect(token.subject == "project_path:g/p:ref_type:branch:ref:main")
        #expect(token.jwt.reveal == jwt)
    }

    @Test func acceptsOneOfSeveralAudiencesInAConfiguredVariable() async throws {
        let jwt = fakeJWT(#"{"sub":"s","aud":["https://vault.example","sts.amazonaws.com"]}"#)
        let source = GitLabTokenSource(variable: "AWS_ID_TOKEN", environment: ["AWS_ID_TOKEN": jwt])
        #expect(try await source.token(audience: "sts.amazonaws.com").subject == "s")
    }

    @Test func missingVariableExplainsTheIdTokensBlock() async throws {
        do {
            _ = try await GitLabTokenSource(environment: ["GITLAB_CI": "true"]).token(audience: "sts.amazonaws.com")
            Issue.record("expected an error")
        } catch let error as BrokerError {
            #expect(error.message.contains("BROKER_ID_TOKEN"))
            #expect(error.hint?.contains("id_tokens: { BROKER_ID_TOKEN: { aud: sts.amazonaws.com } }") == true)
            #expect(error.hint?.contains(".gitlab-ci.yml") == true)
        }
    }

    @Test func wrongAudienceNamesBothAndNeverTheToken() async throws {
        let jwt = fakeJWT(#"{"sub":"s","aud":"https://gitlab.example.com"}"#)
        do {
            _ = try await GitLabTokenSource(environment: ["BROKER_ID_TOKEN": jwt]).token(audience: "sts.amazonaws.com")
            Issue.record("expected an error")
        } catch {
            let text = "\(error)"
            #expect(text.contains("'https://gitlab.example.com'"))
            #expect(text.contains("'sts.amazonaws.com'"))
            #expect(!text.contains(jwt))
        }
    }

    @Test func aPlainStringIsNotAToken() async throws {
        do {
            _ = try await GitLabTokenSource(environment: ["BROKER_ID_TOKEN": "glpat-secretvalue"]).token(audience: "a")
            Issue.record("expected an error")
        } catch {
            #expect("\(error)".contains("does not hold a JWT"))
            #expect(!"\(error)".contains("glpat-secretvalue"))
        }
    }
}

import BrokerCore
import BrokerTestSupport
import Foundation
import Testing

@Suite struct AzurePipelinesTokenSourceTests {
    static let jwt = fakeJWT(#"{"sub":"sc://org/project/deploy","aud":"api://AzureADTokenExchange"}"#)
    static let environment = ["TF_BUILD": "True", AzurePipelinesTokenSource.urlVariable: "https://dev.azure.example/org/p/_apis/distributedtask/hubs/build/plans/1/jobs/2/oidctoken",
                              AzurePipelinesTokenSource.tokenVariable: "system-access-token"]

    @Test func postsWithTheJobTokenAndTheServiceConnection() async throws {
        let transport = ScriptedTransport([.answer(503, "{}"), .answer(200, #"{"oidcToken": "\#(Self.jwt)"}"#)])
        let source = AzurePipelinesTokenSource(environment: Self.environment.merging([AzurePipelinesTokenSource.connectionVariable: "sc-1"]) { $1 },
                                               transport: transport)
        let token = try await source.token(audience: "api://AzureADTokenExchange")
        #expect(token.subject == "sc://org/project/deploy" && transport.requests.count == 2)
        let request = transport.requests[1]
        #expect(request.method == "POST" && request.url.query == "api-version=7.1&serviceConnectionId=sc-1")
        #expect(request.headers.contains { $0.name == "Authorization" && $0.value == "Bearer system-access-token" })
        let configured = AzurePipelinesTokenSource(environment: Self.environment, serviceConnection: "mine", transport: ScriptedTransport([]))
        #expect(configured.serviceConnection == "mine")
    }

    @Test func anotherAudienceOrMissingVariablesAreRefusedBeforeAnyCall() async throws {
        let transport = ScriptedTransport([])
        await #expect { _ = try await AzurePipelinesTokenSource(environment: Self.environment, transport: transport).token(audience: "sts.amazonaws.com") } throws: {
            ($0 as? BrokerError)?.exitCode == 2 && "\($0)".contains("only for api://AzureADTokenExchange")
        }
        await #expect { _ = try await AzurePipelinesTokenSource(environment: ["TF_BUILD": "True"], transport: transport).token(audience: "api://AzureADTokenExchange") } throws: {
            "\($0)".contains("SYSTEM_ACCESSTOKEN: $(System.AccessToken)")
        }
        #expect(transport.requests.isEmpty)
        let refused = ScriptedTransport([.answer(401, #"{"message": "nope"}"#)])
        await #expect { _ = try await AzurePipelinesTokenSource(environment: Self.environment, transport: refused).token(audience: "api://AzureADTokenExchange") } throws: {
            "\($0)".contains("HTTP 401") && !"\($0)".contains("system-access-token")
        }
    }

    @Test func anEmptyServiceConnectionIsAUsageError() {
        #expect {
            _ = try SourceChoice.make(SettingsBlock(["type": .string("azurepipelines"), "serviceConnection": .string("")], path: "source"),
                                      environment: Self.environment) { AzurePipelinesTokenSource(environment: [:]) }
        } throws: { ($0 as? BrokerError)?.exitCode == 2 && "\($0)".contains("serviceConnection") }
    }

    @Test func detection() {
        #expect(TokenSourceDetector.detect(environment: Self.environment).platform == .azurepipelines)
        let unmapped = TokenSourceDetector.detect(environment: ["TF_BUILD": "True", AzurePipelinesTokenSource.urlVariable: "https://x"])
        #expect(unmapped.platform == .embedded && unmapped.unavailable.first?.fix == "add `env: { SYSTEM_ACCESSTOKEN: $(System.AccessToken) }` to the step")
    }
}

import BrokerCore
import BrokerTestSupport
import Foundation
import Testing
@testable import GCPProvider

@Suite struct GCPLoginTests {
    static let provider = "projects/123456789012/locations/global/workloadIdentityPools/ci-pool/providers/github"
    static let sts = (200, #"{"access_token":"ya29.federated","token_type":"Bearer","expires_in":3599}"#)
    static let iam = (200, #"{"accessToken":"ya29.impersonated","expireTime":"2099-01-01T00:00:00Z"}"#)
    let home = temporaryDirectory()

    func login(_ google: ScriptedTransport, _ values: [String: JSONValue] = [:], token: String? = nil) async throws -> LoginResult {
        var all: [String: JSONValue] = ["workloadIdentityProvider": .string(Self.provider), "serviceAccount": .string("sa@p.iam.gserviceaccount.com"),
                                        "maxAttempts": .number(2)]
        all.merge(values) { $1 }
        let context = ProviderContext(home: home, brokerHome: BrokerHome(path: home + "/broker"), environment: [:], brokerPath: "/opt/broker bin/broker",
                                      transport: google)
        let settings = try GCPSettings(block: SettingsBlock(all, path: "providers.gcp"), name: "gcp", context: context)
        let provider = GCPWorkloadIdentityProvider(name: "gcp", settings: settings, audience: "//iam.googleapis.com/" + Self.provider, context: context)
        let jwt = token ?? fakeJWT(#"{"iss":"https://ci.example","sub":"repo:acme/app","aud":"//iam.googleapis.com/\#(Self.provider)","repository":"acme/app","iat":2000000000,"exp":2000000600}"#)
        return try await provider.login(token: try IdentityToken(jwt: jwt), journal: .unrecorded())
    }

    @Test func exchangesThenImpersonatesThenWritesTheFiles() async throws {
        let google = ScriptedTransport([Self.sts, Self.iam])
        let result = try await login(google)
        #expect(result.credentials.accessToken?.reveal == "ya29.impersonated")
        #expect(result.credentials.identity == "sa@p.iam.gserviceaccount.com")
        let form = String(decoding: google.requests[0].body ?? Data(), as: UTF8.self)
        #expect(form.contains("audience=%2F%2Fiam.googleapis.com%2Fprojects%2F123456789012"))
        #expect(google.requests[1].headers.first { $0.0 == "Authorization" }?.1 == "Bearer ya29.federated")
        let body = try JSONSerialization.jsonObject(with: google.requests[1].body ?? Data()) as? [String: Any]
        #expect(body?["lifetime"] as? String == "3600s")
        let file = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: home + "/broker/gcp/gcp.json"))) as? [String: Any]
        #expect(file?["type"] as? String == "external_account")
        #expect(fileMode(home + "/broker/gcp/gcp.jwt") == 0o600 && fileMode(home + "/broker/gcp/gcp.json") == 0o600)
        #expect(result.tokenFile == home + "/broker/gcp/gcp.jwt")
    }

    @Test func theExecutableCommandIsQuotedForGoogleShellSplitting() async throws {
        let result = try await login(ScriptedTransport([Self.sts, Self.iam]), ["credentialSource": .string("executable")])
        let data = try Data(contentsOf: URL(fileURLWithPath: home + "/broker/gcp/gcp.json"))
        let file = try JSONSerialization.jsonObject(with: data) as? [String: Any]
        let executable = (file?["credential_source"] as? [String: Any])?["executable"] as? [String: Any]
        #expect(executable?["command"] as? String == "'/opt/broker bin/broker' gcp-token gcp")
        #expect(result.tokenFile == nil && result.runsBrokerLater)
        #expect(!FileManager.default.fileExists(atPath: home + "/broker/gcp/gcp.jwt"))
    }

    @Test func aRefusalIsDiagnosedNeverRetriedAndWritesNothing() async throws {
        let google = ScriptedTransport([(400, #"{"error":"invalid_grant","error_description":"The given credential is rejected by the attribute condition."}"#)])
        await #expect {
            try await login(google)
        } throws: { error in
            let text = "\(error)"
            return text.contains("invalid_grant") && text.contains("repository       acme/app") && (error as? BrokerError)?.exitCode == 1
        }
        #expect(google.requests.count == 1)
        #expect(!FileManager.default.fileExists(atPath: home + "/broker/gcp"))
    }

    @Test func permissionDeniedNamesThePrincipalsToBind() async throws {
        let google = ScriptedTransport([Self.sts, (403, #"{"error":{"code":403,"message":"Permission 'iam.serviceAccounts.getAccessToken' denied","status":"PERMISSION_DENIED"}}"#)])
        await #expect {
            try await login(google)
        } throws: { error in
            let text = "\(error)"
            return text.contains("PERMISSION_DENIED") && text.contains("/subject/repo:acme/app")
                && text.contains("principalSet://iam.googleapis.com/projects/123456789012/locations/global/workloadIdentityPools/ci-pool/attribute.repository/acme/app")
        }
        #expect(google.requests.count == 2)
        #expect(!FileManager.default.fileExists(atPath: home + "/broker/gcp"))
    }

    @Test func serverErrorsAreRetriedUpToMaxAttempts() async throws {
        let google = ScriptedTransport([(503, "{}"), Self.sts, (500, "{}"), Self.iam])
        _ = try await login(google)
        #expect(google.requests.count == 4)
        let failing = ScriptedTransport([(503, "{}"), (503, "{}"), (503, "{}")])
        await #expect(throws: BrokerError.self) { try await login(failing) }
        #expect(failing.requests.count == 2)
    }

    @Test func tokensGoogleCannotVerifyAreRefusedBeforeAnyCall() async throws {
        func token(alg: String, lifetime: Int) -> String {
            let good = fakeJWT(#"{"sub":"s","aud":"a","iat":2000000000,"exp":\#(2000000000 + lifetime)}"#)
            let header = Data(#"{"alg":"\#(alg)","kid":"k"}"#.utf8).base64EncodedString().replacingOccurrences(of: "=", with: "")
            return header + "." + good.split(separator: ".").dropFirst().joined(separator: ".")
        }
        for bad in [token(alg: "EdDSA", lifetime: 600), token(alg: "RS256", lifetime: 49 * 3600)] {
            let google = ScriptedTransport([Self.sts, Self.iam])
            await #expect(throws: BrokerError.self) { try await login(google, token: bad) }
            #expect(google.requests.isEmpty)
        }
        _ = try await login(ScriptedTransport([Self.sts, Self.iam]), token: token(alg: "ES256", lifetime: 3600))
    }

    @Test func theExecutableResponseIsGooglesShape() throws {
        let jwt = fakeJWT(#"{"sub":"s","exp":2000000000}"#)
        let ok = try JSONSerialization.jsonObject(with: try ExecutableSourceResponse.token(try IdentityToken(jwt: jwt)).encoded()) as? [String: Any]
        #expect(ok?["version"] as? Int == 1 && ok?["success"] as? Bool == true && ok?["expiration_time"] as? Int == 2_000_000_000)
        #expect(ok?["id_token"] as? String == jwt && ok?["token_type"] as? String == "urn:ietf:params:oauth:token-type:jwt")
        let failed = try JSONSerialization.jsonObject(with: try ExecutableSourceResponse.failure(code: "X", message: "m").encoded()) as? [String: Any]
        #expect(failed?["success"] as? Bool == false && failed?["code"] as? String == "X" && failed?["id_token"] == nil)
    }
}

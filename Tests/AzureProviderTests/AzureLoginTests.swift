import BrokerCore
import BrokerTestSupport
import Foundation
import Testing
@testable import AzureProvider

@Suite struct AzureLoginTests {
    static let tenant = AzureSettingsTests.tenant
    static let client = AzureSettingsTests.client
    static let ok = (200, #"{"token_type":"Bearer","expires_in":3599,"ext_expires_in":3599,"access_token":"eyJ.entra.access"}"#)
    static let claims = #"{"iss":"https://ci.example","sub":"repo:acme/app:ref:refs/heads/main","aud":"api://AzureADTokenExchange","iat":2000000000,"exp":2000000600}"#
    let home = temporaryDirectory()

    func login(_ entra: ScriptedTransport, _ values: [String: JSONValue] = [:], token: String? = nil) async throws -> LoginResult {
        var all: [String: JSONValue] = ["tenantId": .string(Self.tenant), "clientId": .string(Self.client), "maxAttempts": .number(2),
                                        "subscriptionId": .string("11111111-2222-3333-4444-555555555555")]
        all.merge(values) { $1 }
        let context = ProviderContext(home: home, brokerHome: BrokerHome(path: home + "/broker"), environment: [:], transport: entra)
        let settings = try AzureSettings(block: SettingsBlock(all, path: "providers.azure"), name: "azure", context: context)
        let provider = AzureFederatedProvider(name: "azure", settings: settings, audience: AzureSettings.defaultAudience, transport: entra)
        return try await provider.login(token: try IdentityToken(jwt: token ?? fakeJWT(Self.claims)), journal: .unrecorded())
    }

    static func entraError(_ code: Int, _ error: String, _ description: String) -> (Int, String) {
        (400, #"{"error":"\#(error)","error_description":"AADSTS\#(code): \#(description) Trace ID: 0f1e Correlation ID: c0ffee Timestamp: 2026-12-01 03:00:00Z","error_codes":[\#(code)],"timestamp":"2026-12-01 03:00:00Z","trace_id":"0f1e","correlation_id":"c0ffee","error_uri":"https://login.microsoftonline.com/error?code=\#(code)"}"#)
    }

    @Test func sendsTheTokenAsClientAssertionThenWritesTokenAndEnvironmentFiles() async throws {
        let entra = ScriptedTransport([Self.ok])
        let jwt = fakeJWT(Self.claims)
        let result = try await login(entra, token: jwt)
        let form = entra.form(0)
        #expect(entra.requests[0].url.absoluteString == "https://login.microsoftonline.com/\(Self.tenant)/oauth2/v2.0/token")
        #expect(form == ["grant_type": "client_credentials", "client_id": Self.client, "scope": "https://management.azure.com/.default",
                         "client_assertion_type": "urn:ietf:params:oauth:client-assertion-type:jwt-bearer", "client_assertion": jwt])
        #expect(result.credentials.accessToken?.reveal == "eyJ.entra.access")
        #expect(try readText(home + "/broker/azure/azure.jwt") == jwt)
        #expect(fileMode(home + "/broker/azure/azure.jwt") == 0o600 && fileMode(home + "/broker/azure/azure.env") == 0o600)
        let environment = try readText(home + "/broker/azure/azure.env")
        for line in ["export AZURE_CLIENT_ID=\(Self.client)", "export AZURE_TENANT_ID=\(Self.tenant)",
                     "export AZURE_FEDERATED_TOKEN_FILE=\(home)/broker/azure/azure.jwt", "export AZURE_AUTHORITY_HOST=https://login.microsoftonline.com",
                     "export ARM_USE_OIDC=true", "export ARM_OIDC_TOKEN_FILE_PATH=\(home)/broker/azure/azure.jwt",
                     "export ARM_SUBSCRIPTION_ID=11111111-2222-3333-4444-555555555555"] {
            let (name, value) = (String(line.split(separator: "=")[0]), String(line.split(separator: "=", maxSplits: 1)[1]))
            #expect(environment.contains("\(name)=\(ShellWords.quote(value))\n"), "\(line)")
        }
        #expect(!environment.contains("eyJ.entra.access") && !environment.contains(jwt))
        #expect(result.tokenFile == home + "/broker/azure/azure.jwt" && result.runsBrokerLater)
        #expect(result.credentials.environment.map(\.name).contains("AZURE_SUBSCRIPTION_ID"))
    }

    @Test func theAccessTokenGoesToItsFileWhenAsked() async throws {
        _ = try await login(ScriptedTransport([Self.ok]), ["accessTokenFile": .string(home + "/at")])
        #expect(try readText(home + "/at") == "eyJ.entra.access" && fileMode(home + "/at") == 0o600)
    }

    @Test func noMatchingFederatedCredentialShowsTheClaimsToMatchAndWritesNothing() async throws {
        let entra = ScriptedTransport([Self.entraError(700213, "invalid_request", "No matching federated identity record found for presented assertion subject 'repo:acme/app:ref:refs/heads/main'.")])
        await #expect {
            try await login(entra)
        } throws: { error in
            let text = "\(error)"
            return (error as? BrokerError)?.exitCode == 1 && text.contains("AADSTS700213")
                && text.contains("  sub  repo:acme/app:ref:refs/heads/main") && text.contains("  issuer    https://ci.example")
                && text.contains("  audiences api://AzureADTokenExchange") && text.contains("trace ID 0f1e, correlation ID c0ffee")
                && text.contains("az ad app federated-credential create --id \(Self.client)") && !text.contains("Trace ID: 0f1e")
        }
        #expect(entra.requests.count == 1)
        #expect(!FileManager.default.fileExists(atPath: home + "/broker/azure"))
    }

    @Test(arguments: [
        (700024, "Client assertion is not within its valid time range.", "local clock reads"),
        (90002, "Tenant '\(AzureSettingsTests.tenant)' not found.", "no tenant"),
        (700016, "Application with identifier '\(AzureSettingsTests.client)' was not found in the directory.", "no application"),
        (7000215, "Invalid client secret provided.", "wrong client credential"),
        (650057, "Invalid resource.", "error?code=650057"),
    ])
    func eachCodeIsExplained(code: Int, description: String, explanation: String) async throws {
        let entra = ScriptedTransport([Self.entraError(code, "invalid_client", description)])
        await #expect {
            try await login(entra)
        } throws: { error in
            let text = "\(error)"
            return text.contains("AADSTS\(code)") && text.contains(explanation) && text.contains(description.prefix(20))
                && text.contains("correlation ID c0ffee")
        }
    }

    @Test func serverErrorsAndThrottlingAreRetriedClientErrorsNever() async throws {
        let entra = ScriptedTransport([.answer(503, "{}"), .answer(429, "{}", ["Retry-After": "0"]), .answer(Self.ok.0, Self.ok.1)])
        _ = try await login(entra, ["maxAttempts": .number(3)])
        #expect(entra.requests.count == 3)
        let network = ScriptedTransport([.fail(.refused), .answer(Self.ok.0, Self.ok.1)])
        _ = try await login(network)
        #expect(network.requests.count == 2)
        let refused = ScriptedTransport([Self.entraError(700016, "unauthorized_client", "Application not found."), Self.ok])
        await #expect(throws: BrokerError.self) { try await login(refused) }
        #expect(refused.requests.count == 1)
    }

    @Test func anES256TokenIsRefusedBeforeAnyCallWithTheWayToSwitch() async throws {
        let rs256 = fakeJWT(Self.claims)
        let header = Data(#"{"alg":"ES256","kid":"k"}"#.utf8).base64EncodedString().replacingOccurrences(of: "=", with: "")
        let es256 = header + "." + rs256.split(separator: ".").dropFirst().joined(separator: ".")
        let entra = ScriptedTransport([Self.ok])
        await #expect {
            try await login(entra, token: es256)
        } throws: { error in
            (error as? BrokerError)?.exitCode == 2 && "\(error)".contains("RS256") && "\(error)".contains("issuer.algorithm")
                && "\(error)".contains("rotate-key --algorithm RS256")
        }
        #expect(entra.requests.isEmpty)
    }

    @Test func anUnwritableTargetIsRefusedBeforeEntraIsAsked() async throws {
        try FileManager.default.createDirectory(atPath: home + "/dir", withIntermediateDirectories: true)
        let entra = ScriptedTransport([Self.ok])
        await #expect(throws: BrokerError.self) { try await login(entra, ["accessTokenFile": .string(home + "/dir")]) }
        #expect(entra.requests.isEmpty)
    }

    @Test func entraErrorReadsCodesAndCutsTheTail() {
        let body = Data(#"{"error":"invalid_request","error_description":"AADSTS50027: JWT token is invalid.\r\nTrace ID: t\r\nCorrelation ID: c"}"#.utf8)
        let error = EntraError.read(body)
        #expect(error?.code == 50027 && error?.message == "AADSTS50027: JWT token is invalid.")
        #expect(EntraError.read(Data("<html>".utf8)) == nil)
        let long = EntraError(error: "x", error_description: String(repeating: "a", count: 2000))
        #expect(long.message?.count == 501)
    }
}

import BrokerCore
import Foundation
import Testing
@testable import VaultProvider

@Suite struct VaultSettingsTests {
    let context = ProviderContext(home: "/home/ci", brokerHome: BrokerHome(path: "/tmp/bh"), environment: ["VAULT_ADDR": "http://127.0.0.1:8200"])

    func settings(_ values: [String: JSONValue], environment: [String: String]? = nil) throws -> VaultSettings {
        var context = self.context
        if let environment { context.environment = environment }
        return try VaultSettings(block: SettingsBlock(values, path: "providers.vault", file: "broker.json"), context: context)
    }

    @Test func defaultsFollowTheVaultCLI() throws {
        let vault = try settings(["role": .string("deploy")])
        #expect(vault.address == "http://127.0.0.1:8200")
        #expect(vault.tokenFile == "/home/ci/.vault-token")
        #expect(vault.loginURL.absoluteString == "http://127.0.0.1:8200/v1/auth/jwt/login")
        #expect(vault.revokeURL.absoluteString == "http://127.0.0.1:8200/v1/auth/token/revoke-self")
    }

    @Test func mountAndNamespace() throws {
        let vault = try settings(["role": .string("r"), "mount": .string("/ci/jwt/"), "namespace": .string("team-a"),
                                  "address": .string("https://vault.example.com:8200/")])
        #expect(vault.loginURL.absoluteString == "https://vault.example.com:8200/v1/auth/ci/jwt/login")
        #expect(vault.namespace == "team-a")
    }

    @Test func errorsNameTheJSONPath() {
        #expect(throws: BrokerError.self) { try settings([:]) }
        do { _ = try settings(["role": .string("r")], environment: [:]) } catch {
            #expect("\(error)".contains("providers.vault.address"))
        }
        do { _ = try settings(["role": .string("r"), "tokenFile": .string("relative")]) } catch {
            #expect("\(error)".contains("providers.vault.tokenFile"))
        }
    }

    @Test func anUnreadableCAIsAUsageError() {
        #expect(throws: BrokerError.self) { try settings(["role": .string("r"), "caCert": .string("/nonexistent/ca.pem")]) }
    }

    @Test func diagnosisShowsTheClaimVaultNamed() throws {
        let claims = #"{"sub":"repo:evil/app","aud":"vault","iss":"https://issuer"}"#
        let jwt = Base64URL.encode(Data(#"{"alg":"RS256"}"#.utf8)) + "." + Base64URL.encode(Data(claims.utf8)) + ".c2ln"
        let text = VaultDenialDiagnosis.explain(["error validating claims: claim \"sub\" does not match any associated bound claim values"],
                                                token: try IdentityToken(jwt: jwt), role: "deploy")
        #expect(text.contains("sub: repo:evil/app"))
        #expect(!text.contains("aud: vault"))
        #expect(!text.contains(jwt))
    }
}

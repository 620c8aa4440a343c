import BrokerCore
import Foundation
import Testing

/// A test adapter with one required and a few optional settings.
struct NullProvider: Provider {
    let audience: String
    func login(token: IdentityToken, journal: LoginJournal) async throws -> LoginResult {
        LoginResult(credentials: IssuedCredentials(identity: "null", expiration: nil), written: [])
    }
}

let testRegistry: ProviderRegistry = {
    var registry = ProviderRegistry()
    registry.register(AdapterDescriptor(
        adapter: "test-adapter", summary: "test", defaultAudience: "test-aud",
        keys: [SettingKey("roleArn", .string, required: true, help: "a role"),
               SettingKey("durationSeconds", .integer, help: "seconds"),
               SettingKey("timeout", .duration, help: "a duration"),
               SettingKey("profile", .string, help: "target"),
               SettingKey("mode", .oneOf(["a", "b"]), help: "mode")],
        target: { block, _ in "profile \(block.string("profile") ?? "default")" },
        make: { entry, _ in NullProvider(audience: entry.audience) },
        logout: { _, _ in [] }))
    return registry
}()

let testContext = ProviderContext(home: "/tmp", brokerHome: BrokerHome(path: "/tmp/bh"), environment: ["ROLE": "arn:x", "EMPTY": ""])

func parse(_ json: String) throws -> BrokerConfig {
    try BrokerConfig.parse(Data(json.utf8), file: "broker.json", registry: testRegistry, context: testContext)
}

func configError(_ json: String) -> String {
    do {
        _ = try parse(json)
        return "no error"
    } catch let error as BrokerError {
        #expect(error.exitCode == 2)
        return error.description
    } catch { return "\(error)" }
}

@Suite struct BrokerConfigTests {
    @Test func parsesProvidersWithDefaultsAndInterpolation() throws {
        let config = try parse("""
            {"version": 1, "providers": {
              "one": {"adapter": "test-adapter", "roleArn": "${ROLE}", "profile": "p1"},
              "two": {"adapter": "test-adapter", "audience": "other", "roleArn": "${MISSING:-fallback}", "timeout": "15m"}}}
            """)
        #expect(config.providers.map(\.name) == ["one", "two"])
        #expect(config.providers[0].audience == "test-aud")
        #expect(config.providers[0].settings.string("roleArn") == "arn:x")
        #expect(config.providers[0].settings.values["adapter"] == nil)
        #expect(config.providers[1].audience == "other")
        #expect(config.providers[1].settings.string("roleArn") == "fallback")
        #expect(try config.providers[1].settings.duration("timeout") == 900)
    }

    @Test func everyErrorNamesTheFileAndJSONPath() {
        #expect(configError(#"{"version": 1,"#).contains("broker.json: not valid JSON"))
        #expect(configError(#"{"providers": {}}"#).contains("broker.json: version: is required"))
        #expect(configError(#"{"version": 2}"#).contains("version: must be 1"))
        let typo = configError(#"{"version": 1, "provider": {}}"#)
        #expect(typo.contains("broker.json: provider: unknown setting") && typo.contains("did you mean 'providers'"))
        let unknownKey = configError(#"{"version": 1, "providers": {"x": {"adapter": "test-adapter", "roleArm": "a"}}}"#)
        #expect(unknownKey.contains("providers.x.roleArm: unknown setting"))
        #expect(unknownKey.contains("did you mean 'roleArn'"))
        #expect(configError(#"{"version": 1, "providers": {"x": {"adapter": "test-adapter", "roleArn": "a", "durationSeconds": "1h"}}}"#)
            .contains("providers.x.durationSeconds: expected an integer"))
        let adapter = configError(#"{"version": 1, "providers": {"x": {"adapter": "tset-adapter"}}}"#)
        #expect(adapter.contains("providers.x.adapter: unknown adapter 'tset-adapter'"))
        #expect(adapter.contains("test-adapter"))
        #expect(configError(#"{"version": 1, "providers": {"x": {"adapter": "test-adapter", "roleArn": "${NOPE}"}}}"#)
            .contains("providers.x.roleArn: environment variable NOPE is not set"))
        #expect(configError(#"{"version": 1, "providers": {"x": {"adapter": "test-adapter"}}}"#)
            .contains("providers.x.roleArn: is required"))
        #expect(configError(#"{"version": 1, "issuer": {"lifetime": "forever"}}"#).contains("issuer.lifetime"))
        #expect(configError(#"{"version": 1, "issuer": {"lifetime": "13h"}}"#).contains("issuer.lifetime"))
        #expect(configError(#"{"version": 1, "source": {"type": "jenkins"}}"#).contains("source.type: expected one of"))
        #expect(configError(#"{"version": 1, "providers": {"x": {"adapter": "test-adapter", "roleArn": "a", "mode": "c"}}}"#)
            .contains("providers.x.mode"))
    }

    @Test func duplicateTargetsAreRefused() {
        let message = configError("""
            {"version": 1, "providers": {
              "a": {"adapter": "test-adapter", "roleArn": "r", "profile": "same"},
              "b": {"adapter": "test-adapter", "roleArn": "r", "profile": "same"}}}
            """)
        #expect(message.contains("providers.b") && message.contains("providers.a") && message.contains("profile same"))
    }

    @Test func unknownProviderNamesGetASuggestion() throws {
        let config = try parse(#"{"version": 1, "providers": {"aws-prod": {"adapter": "test-adapter", "roleArn": "r"}}}"#)
        do {
            _ = try config.provider(named: "aws-prd")
            Issue.record("expected an error")
        } catch { #expect("\(error)".contains("did you mean 'aws-prod'")) }
    }

    @Test func interpolationRules() throws {
        let env = ["A": "1", "EMPTY": ""]
        func expand(_ text: String) throws -> String {
            try ConfigInterpolation.expand(.string(text), path: "p", environment: env).stringValue!
        }
        #expect(try expand("x${A}y") == "x1y")
        #expect(try expand("${B:-dflt}") == "dflt")
        #expect(try expand("${EMPTY:-dflt}") == "dflt")
        #expect(try expand("$$A and $5") == "$A and $5")
        #expect(throws: BrokerError.self) { try expand("${B}") }
        #expect(throws: BrokerError.self) { try expand("${not valid}") }
    }

    @Test func suggestions() {
        #expect(Suggestion.closest(to: "roleArm", among: ["roleArn", "region"]) == "roleArn")
        #expect(Suggestion.closest(to: "zzzzzz", among: ["roleArn", "region"]) == nil)
    }

    @Test func schemaCoversEveryAdapterAndBlock() throws {
        let schema = try JSONOutput.string(ConfigSchema.document(registry: testRegistry))
        for word in ["\"test-adapter\"", "\"roleArn\"", "\"durationSeconds\"", "\"issuer\"", "\"source\"", "\"lifetime\""] {
            #expect(schema.contains(word))
        }
    }
}

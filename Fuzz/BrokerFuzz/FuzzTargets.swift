import AWSProvider
import AzureProvider
import VaultProvider
import BrokerCore
import BrokerIssuer
import ExecProvider
import GCPProvider
import Foundation

/// One entry per parser of outside input. Each must never trap, whatever the bytes; the INI
/// target also checks its round-trip property. `FUZZ_TARGET` picks one (libFuzzer runs one
/// function per process).
enum FuzzTargets {
    static let all: [String: @Sendable (Data) -> Void] = [
        "ini": ini, "sts-xml": stsXML, "json": json, "jwt": jwt, "config": config,
        "plugin-response": pluginResponse, "duration": duration, "proxy": proxy, "url": url,
        "setting-flags": settingFlags, "gcp": gcp, "azure": azure, "trust-policy": trustPolicy, "cloud-policy": cloudPolicy,
        "openbao": openBao,
    ]

    /// Google's side: a provider name from a config or flag, STS and IAM Credentials answers,
    /// and an executable-source response read back.
    static func gcp(_ data: Data) {
        let text = String(decoding: data, as: UTF8.self)
        if let name = try? WorkloadIdentityProviderName.parse(text) {
            guard (try? WorkloadIdentityProviderName.parse(name.resourceName)) == name else { fatalError("provider name does not round-trip") }
        }
        for status in [200, 403] {
            _ = try? IAMCredentialsClient.read(HTTPClient.Response(status: status, headers: [:], body: data), lifetime: 3600, sent: Date())
        }
        _ = try? JSONDecoder().decode(OAuthTokenEndpoint.TokenResponse.self, from: data)
        _ = try? JSONDecoder().decode(ExecutableSourceResponse.self, from: data)
    }

    /// A trust policy from a file, evaluated against a fixed token (and the data as claims).
    static func trustPolicy(_ data: Data) {
        let claims: [String: JSONValue] = ["iss": .string("https://token.actions.githubusercontent.com"), "sub": .string("repo:o/r:ref:refs/heads/main"),
                                           "aud": .array([.string("sts.amazonaws.com"), .string("x")]), "azp": .string("a")]
        if let policy = try? TrustPolicy.parse(data) {
            _ = TrustPolicyEvaluation(policy: policy, request: .init(claims: claims, roleArn: "arn:aws:iam::123456789012:role/r"))
        }
        if let object = (try? StrictJSON.parse(data))?.objectValue {
            _ = TrustPolicyEvaluation.Request(claims: object, roleArn: nil).federatedPrincipal
        }
        let text = Array(String(decoding: data, as: UTF8.self).unicodeScalars)
        _ = ConditionOperator.like(text, text.reversed())
    }

    /// A Vault role, Entra federated credentials, a GCP pool provider and a CEL condition, read
    /// from the same bytes and evaluated against a fixed token.
    static func cloudPolicy(_ data: Data) {
        let claims: [String: JSONValue] = ["iss": .string("https://ci.example"), "sub": .string("repo:o/r"), "aud": .string("vault"),
                                           "repository": .string("o/r"), "nested": .object(["a": .string("b")])]
        if let role = try? VaultRoleCheck.parse(data) { _ = VaultRoleCheck.evaluate(role: role, claims: claims) }
        if let credentials = try? FederatedCredentialCheck.parse(data) { _ = FederatedCredentialCheck.evaluate(credentials, claims: claims) }
        if let provider = try? PoolProviderCheck.parse(data) { _ = PoolProviderCheck.evaluate(provider, claims: claims) }
        let text = String(decoding: data, as: UTF8.self)
        _ = AttributeCondition(claims: claims, mapping: ["google.subject": text, "attribute.x": "assertion.repository"]).evaluate(text)
        _ = VaultRoleCheck.globMatch(text, String(text.reversed()))
    }

    /// Entra's side: an error answer read for its code and message, a token answer.
    static func azure(_ data: Data) {
        if let error = EntraError.read(data) {
            _ = error.code
            if let message = error.message, message.count > 501 { fatalError("the message is not cut") }
        }
        _ = try? JSONDecoder().decode(OAuthTokenEndpoint.TokenResponse.self, from: data)
    }

    /// Parse, and if the file is one botocore reads: editing one profile changes no other
    /// byte, and putting the keys back gives the file back.
    /// The fleet issuer's OpenBao answers (a transit key read, a KV v2 read) and its
    /// `issuer.keys` / `issuer.requestTokens` settings.
    static func openBao(_ data: Data) {
        guard let json = try? StrictJSON.parse(data) else { return }
        _ = try? TransitKeys.versions(from: json, name: "transit/keys/k", address: "http://bao", now: Date())
        _ = try? KVRequestTokens.entries(from: json, secret: "secret/data/p", address: "http://bao")
        if let issuer = json.objectValue {
            _ = try? IssuerBackendSettings.resolve(SettingsBlock(issuer, path: "issuer"), environment: ["T": "t"])
        }
    }

    static func ini(_ data: Data) {
        guard var file = try? AWSINIFile(contents: data, path: "fuzz") else { return }
        let original = file.data
        guard original == data else { fatalError("INI round trip changed the bytes") }
        let others = file.sections.filter { $0 != "fuzz-target" }.map { name in (name, file.keys(section: name).map { file.value(section: name, key: $0) }) }
        let before = file.keyLines(section: "fuzz-target", key: "aws_access_key_id")
        let existed = file.hasSection("fuzz-target")
        do { try file.set(section: "fuzz-target", values: [("aws_access_key_id", "ASIAFUZZ"), ("region", "eu-west-1")]) } catch { return }
        for (name, values) in others where file.keys(section: name).map({ file.value(section: name, key: $0) }) != values {
            fatalError("editing one profile changed [\(name)]")
        }
        guard let reparsed = try? AWSINIFile(contents: file.data, path: "fuzz"),
              reparsed.value(section: "fuzz-target", key: "aws_access_key_id") == "ASIAFUZZ" else {
            fatalError("the edited file does not read back")
        }
        if !existed { return }
        file.restore(section: "fuzz-target", key: "region", text: nil, anchor: nil, gap: nil)
        file.restore(section: "fuzz-target", key: "aws_access_key_id", text: before?.text, anchor: before?.anchor, gap: before?.gap)
        _ = file.data
    }

    static func stsXML(_ data: Data) { _ = try? STSResponse.parse(data) }

    /// Any JSON: what the writer lays out reads back as the same value; as a state file,
    /// what a login writes back reads back to the same bytes.
    static func json(_ data: Data) {
        guard let value = try? StrictJSON.parse(data) else { return }
        guard (try? StrictJSON.parse(JSONWriter.pretty(value))) == value else { fatalError("JSONWriter does not round-trip") }
        if let once = try? StateFileCodec.rewritten(data) {
            guard (try? StateFileCodec.rewritten(once)) == once else { fatalError("the state file does not round-trip") }
        }
    }

    static func jwt(_ data: Data) {
        let text = String(decoding: data, as: UTF8.self)
        _ = try? TokenVerifier.parse(text)
        _ = try? IdentityToken(jwt: text)
        if let keys = try? JSONDecoder().decode(JWKSet.self, from: data) { _ = keys.keys.map(\.thumbprint) }
    }

    static let registry: ProviderRegistry = {
        var registry = ProviderRegistry()
        registry.register(AWSAdapter.descriptor)
        registry.register(ExecAdapter.descriptor)
        registry.register(GCPAdapter.descriptor)
        registry.register(AzureAdapter.descriptor)
        return registry
    }()

    static func config(_ data: Data) {
        let context = ProviderContext(home: "/nonexistent-home", brokerHome: BrokerHome(path: "/nonexistent-home/.config/broker"),
                                      environment: ["HOME": "/nonexistent-home", "SET": "value", "EMPTY": ""])
        _ = try? BrokerConfig.parse(data, file: "fuzz.json", registry: registry, context: context)
    }

    static func pluginResponse(_ data: Data) { try? ExecAdapter.checkAnswer(data, home: "/nonexistent-home") }

    static func duration(_ data: Data) {
        let text = String(decoding: data, as: UTF8.self)
        if let value = try? DurationText.parse(text, name: "fuzz") {
            guard value >= 0, value <= DurationText.maximum else { fatalError("duration out of bounds") }
            _ = DurationText.format(value)
        }
        if data.count >= 8 { _ = DurationText.format(data.withUnsafeBytes { $0.loadUnaligned(as: Double.self) }) }
    }

    static func proxy(_ data: Data) {
        let value = String(decoding: data, as: UTF8.self)
        let settings = ProxySettings(environment: ["HTTPS_PROXY": value, "NO_PROXY": value])
        _ = try? settings.proxy(for: URL(string: "https://sts.amazonaws.com/")!)
        _ = settings.describe(for: URL(string: "https://sts.amazonaws.com/")!)
    }

    static func url(_ data: Data) {
        let text = String(decoding: data, as: UTF8.self)
        _ = try? HTTPURL.parse(text, name: "fuzz")
        _ = HTTPURL.redacted(text)
    }

    /// `broker login <adapter>` words (NUL-separated): flags become typed config values or a
    /// usage error, and what they give passes or fails the keys' own check, never traps.
    static func settingFlags(_ data: Data) {
        let words = data.split(separator: 0, omittingEmptySubsequences: false).map { String(decoding: $0, as: UTF8.self) }
        let keys = AWSAdapter.keys + [SettingKey("headers", .stringMap, help: ""), SettingKey("nested", .object, help: "")]
        guard let values = try? SettingFlags.values(words, keys: keys) else { return }
        let block = SettingsBlock([:], path: "providers.fuzz").overlaid(withFlags: values, keys: keys)
        _ = try? block.check(against: keys)
        for key in keys { _ = block.location(key.name) }
    }

    static func run(_ data: Data) {
        let name = ProcessInfo.processInfo.environment["FUZZ_TARGET"] ?? ""
        guard let target = all[name] else {
            fatalError("set FUZZ_TARGET to one of \(all.keys.sorted().joined(separator: ", "))")
        }
        target(data)
    }
}

#if FUZZING
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOne(_ bytes: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    FuzzTargets.run(Data(bytes: bytes, count: size))
    return 0
}

public typealias FuzzArguments = UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>

@_silgen_name("LLVMFuzzerRunDriver")
func LLVMFuzzerRunDriver(_ argc: UnsafeMutablePointer<CInt>, _ argv: UnsafeMutablePointer<FuzzArguments>,
                         _ callback: @convention(c) (UnsafePointer<UInt8>, Int) -> CInt) -> CInt

/// SwiftPM links an executable's entry point under this name; hand control to libFuzzer.
@_cdecl("BrokerFuzz_main")
public func fuzzMain(_ argc: CInt, _ argv: FuzzArguments) -> CInt {
    var count = argc
    var arguments = argv
    return LLVMFuzzerRunDriver(&count, &arguments, fuzzOne)
}
#else
/// Without libFuzzer: replays the files named (a corpus, or a crash to reproduce) through
/// FUZZ_TARGET, so `make test` keeps every input fuzzing ever found.
@main
struct Replay {
    static func main() {
        var count = 0
        for path in CommandLine.arguments.dropFirst() {
            let files = (try? FileManager.default.contentsOfDirectory(atPath: path))?.sorted().map { path + "/" + $0 } ?? [path]
            for file in files {
                guard let data = FileManager.default.contents(atPath: file) else { continue }
                FuzzTargets.run(data)
                count += 1
            }
        }
        print("replayed \(count) inputs through \(ProcessInfo.processInfo.environment["FUZZ_TARGET"] ?? "?")")
    }
}
#endif

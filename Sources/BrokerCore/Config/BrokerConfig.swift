import Foundation

/// The JSON config: `version`, `source`, `issuer` and `providers`. Loaded, interpolated and
/// validated before anything runs; every error names the file and the JSON path and exits 2.
public struct BrokerConfig: Sendable {
    public var file: String?
    public var source: SettingsBlock
    public var issuer: SettingsBlock
    public var providers: [ProviderEntry]

    public static let sourceTypes = SourceType.names

    /// Every provider entry may carry it, whatever its adapter.
    public static let exportKey = SettingKey("export", .boolean, help: "with --output env|github, export this provider's credentials (one per kind of credentials)")

    public static let sourceKeys: [SettingKey] = [
        SettingKey("type", .oneOf(sourceTypes), help: "where tokens come from; auto picks GitHub, GitLab, Buildkite, Gitpod, CircleCI, Bitbucket, Azure Pipelines, else the embedded issuer"),
        SettingKey("variable", .string, help: "gitlab/env: the variable holding the token (GitLab default BROKER_ID_TOKEN)"),
        SettingKey("variables", .stringMap, help: "gitlab: one id_tokens variable per audience, {\"vault\": \"VAULT_ID_TOKEN\"}"),
        SettingKey("path", .string, help: "file: the token file, re-read on every use"),
        SettingKey("command", .string, help: "command: run without a shell; {audience} is replaced"),
        SettingKey("lifetime", .duration, range: 60 ... 12 * 3600, help: "buildkite: requested token lifetime, 1m to 12h"),
        SettingKey("serviceConnection", .string, help: "azurepipelines: the service connection ID to request tokens for (default $AZURESUBSCRIPTION_SERVICE_CONNECTION_ID)"),
        SettingKey("timeout", .duration, range: 1 ... 600, help: "how long a network or command source may take, 1s to 10m"),
    ]

    public static let issuerKeys: [SettingKey] = [
        SettingKey("url", .string, pattern: SettingKey.urlPattern, help: "issuer URL (https:// for AWS and Google)"),
        SettingKey("algorithm", .oneOf(["RS256", "ES256"]), help: "signing algorithm of a new key"),
        SettingKey("lifetime", .duration, range: 60 ... 12 * 3600, help: "token lifetime, 1m to 12h"),
        SettingKey("subject", .string, help: "the sub claim"),
        SettingKey("claims", .object, help: "extra claims"),
        SettingKey("keys", .object, help: "where the signing keys live: {\"backend\": \"file\"} (default) or {\"backend\": \"transit\", \"address\", \"tokenFile\"|\"tokenEnv\", ...} (OpenBao/Vault)"),
        SettingKey("requestTokens", .object, help: "where request tokens live: {\"backend\": \"file\"} (default) or {\"backend\": \"kv\", \"mount\", \"path\"} (OpenBao KV v2)"),
    ]

    /// `issuer.keys` and `issuer.requestTokens` (OpenBao for a fleet's issuer; see BrokerIssuer's
    /// IssuerBackendSettings, which reads them).
    public static let openBaoConnectionKeys: [SettingKey] = [
        SettingKey("address", .string, pattern: SettingKey.urlPattern, help: "OpenBao/Vault address (default $VAULT_ADDR, then $BAO_ADDR)"),
        SettingKey("namespace", .string, help: "namespace (X-Vault-Namespace)"),
        SettingKey("caCert", .string, help: "PEM bundle that signs OpenBao's certificate"),
        SettingKey("tokenFile", .string, help: "file holding the OpenBao token broker uses (re-read on every call)"),
        SettingKey("tokenEnv", .string, help: "environment variable holding the OpenBao token"),
        SettingKey("timeout", .duration, range: 1 ... 60, help: "timeout of each OpenBao call, 1s to 60s (default 5s)"),
    ]

    public static let issuerKeysBackendKeys: [SettingKey] = [
        SettingKey("backend", .oneOf(["file", "transit"]), help: "file ($BROKER_HOME/issuer, the default) or transit (OpenBao/Vault)"),
        SettingKey("mount", .string, help: "transit mount (default transit)"),
        SettingKey("key", .string, help: "transit key name (default broker-issuer)"),
        SettingKey("refresh", .duration, range: 1 ... 300, help: "how often replicas re-read keys and request tokens, 1s to 5m (default 5s)"),
    ] + openBaoConnectionKeys

    public static let issuerRequestTokensKeys: [SettingKey] = [
        SettingKey("backend", .oneOf(["file", "kv"]), help: "file ($BROKER_HOME/issuer, the default) or kv (OpenBao/Vault KV v2)"),
        SettingKey("mount", .string, help: "KV v2 mount (default secret)"),
        SettingKey("path", .string, help: "secret path under the mount (default broker/request-tokens)"),
    ] + openBaoConnectionKeys

    /// `$schema` binds editors to `broker config schema`; broker itself ignores it.
    static let topLevelKeys = ["$schema", "version", "source", "issuer", "providers"]

    /// No file: the built-in defaults (auto source, embedded issuer defaults, no providers).
    public static let empty = BrokerConfig(file: nil, source: SettingsBlock([:], path: "source"),
                                           issuer: SettingsBlock([:], path: "issuer"), providers: [])

    /// What this config would do that needs the user's trust when it is a stranger's: a token
    /// command, plugins, endpoints of its own (see `AdapterDescriptor.trustConcerns`).
    public func trustConcerns(registry: ProviderRegistry, environment: [String: String]) -> [String] {
        var concerns: [String] = []
        if source.string("type") == "command", let command = source.string("command") {
            concerns.append("source: runs \(command) for tokens")
        }
        for entry in providers {
            let found = registry.descriptor(named: entry.adapter)?.trustConcerns(entry, environment) ?? []
            concerns += found.map { "providers.\(entry.name): \($0)" }
        }
        return concerns
    }

    public static func load(path: String?, registry: ProviderRegistry, context: ProviderContext) throws -> BrokerConfig {
        guard let path else { return .empty }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw BrokerError.usage("cannot read the config file \(path)", hint: "check the path given by --config or $BROKER_CONFIG")
        }
        return try parse(data, file: path, registry: registry, context: context)
    }

    public static func parse(_ data: Data, file: String, registry: ProviderRegistry, context: ProviderContext) throws -> BrokerConfig {
        let raw: JSONValue
        do {
            raw = try StrictJSON.parse(data)
        } catch let failure as StrictJSON.Failure {
            if let path = failure.duplicate {
                throw BrokerError.usage("\(file): \(path): is given twice (line \(failure.line))",
                                        hint: "keep one; other tools would read the last one and broker will not guess")
            }
            throw BrokerError.usage("\(file): not valid JSON: \(failure)", hint: Self.show(line: failure.line, column: failure.column, in: data)
                                        + "fix the syntax; config.example.json shows the shape")
        }
        guard case .object(let unexpanded) = raw else {
            throw BrokerError.usage("\(file): the config must be a JSON object")
        }
        let expanded: JSONValue
        do {
            expanded = try ConfigInterpolation.expand(.object(unexpanded), path: "", environment: context.environment)
        } catch let error as BrokerError {
            throw BrokerError.usage("\(file): \(error.message)", hint: error.hint)
        }
        guard case .object(let top) = expanded else {
            throw BrokerError.usage("\(file): the config must be a JSON object")
        }
        let root = SettingsBlock(top, path: "", file: file)
        for key in top.keys.sorted() where !topLevelKeys.contains(key) {
            throw root.error(key, "unknown setting", hint: Suggestion.closest(to: key, among: topLevelKeys).map { "did you mean '\($0)'?" })
        }
        guard case .number(1) = top["version"] ?? .null else {
            throw root.error("version", top["version"] == nil ? "is required" : "must be 1, found \(top["version"]!.displayText)",
                             hint: "this broker reads config version 1")
        }
        let source = try block(top["source"], "source", file: file)
        try source.check(against: sourceKeys)
        let issuer = try block(top["issuer"], "issuer", file: file)
        try issuer.check(against: issuerKeys)
        for (name, keys) in [("keys", issuerKeysBackendKeys), ("requestTokens", issuerRequestTokensKeys)] {
            if let members = issuer.values[name]?.objectValue {
                try SettingsBlock(members, path: "issuer.\(name)", file: file).check(against: keys)
            }
        }
        let providers = try providerEntries(top["providers"], file: file, registry: registry, context: context)
        return BrokerConfig(file: file, source: source, issuer: issuer, providers: providers)
    }

    static func block(_ value: JSONValue?, _ path: String, file: String) throws -> SettingsBlock {
        switch value {
        case nil: return SettingsBlock([:], path: path, file: file)
        case .object(let members)?: return SettingsBlock(members, path: path, file: file)
        case let other?: throw BrokerError.usage("\(file): \(path): expected an object, found \(other.displayText)")
        }
    }

    static func providerEntries(_ value: JSONValue?, file: String, registry: ProviderRegistry, context: ProviderContext) throws -> [ProviderEntry] {
        let all = try block(value, "providers", file: file)
        var entries: [ProviderEntry] = []
        var targets: [String: String] = [:]
        for name in all.values.keys.sorted() {
            guard let first = name.first, first.isASCII, first.isLetter || first.isNumber,
                  name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "_.-".contains($0)) }) else {
                throw all.error(name, "is not a usable provider name", hint: "use letters, digits, '.', '_' and '-'")
            }
            let entry = try block(all.values[name], "providers.\(name)", file: file)
            guard let adapter = entry.string("adapter") else {
                throw entry.error("adapter", entry.values["adapter"] == nil ? "is required" : "expected a string",
                                  hint: "known adapters: \(registry.adapters.joined(separator: ", "))")
            }
            let descriptor = try registry.descriptor(for: adapter, at: entry.location("adapter"))
            // `broker login aws` is the AWS command, which takes this entry as its defaults.
            if let reserved = registry.reservedNames[name], reserved != adapter {
                throw all.error(name, "the name '\(name)' is reserved for 'broker login \(name)', which only a \(reserved) entry can configure",
                                hint: "rename the entry (for example '\(name)-\(adapter)')")
            }
            let common = [SettingKey("adapter", .string, required: true, help: "the exchange adapter"),
                          SettingKey("audience", .string, required: descriptor.requiresAudience, help: "audience of the identity token"),
                          Self.exportKey]
            try entry.check(against: common + descriptor.keys)
            var settings = entry
            settings.values.removeValue(forKey: "adapter")
            let explicit = settings.values.removeValue(forKey: "audience")?.stringValue
            guard let audience = explicit ?? descriptor.defaultAudience(for: settings) else {
                throw entry.error("audience", "is required", hint: "the audience the identity token must carry")
            }
            let export = settings.values.removeValue(forKey: "export")?.boolValue ?? false
            if let target = descriptor.target(settings, context) {
                if let other = targets[target] {
                    throw entry.error("adapter", "writes \(target), which providers.\(other) writes too",
                                      hint: "give one of them another profile or file")
                }
                targets[target] = name
            }
            entries.append(ProviderEntry(name: name, adapter: adapter, audience: audience, settings: settings, export: export))
        }
        return entries
    }

    /// The offending line with a caret under the column, for syntax errors.
    static func show(line: Int, column: Int, in data: Data) -> String {
        let lines = String(decoding: data, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
        guard line >= 1, line <= lines.count else { return "" }
        let text = String(lines[line - 1].prefix(160)).replacingOccurrences(of: "\t", with: " ")
        return "\n    \(text)\n    \(String(repeating: " ", count: max(0, min(column - 1, text.count))))^\n  "
    }

    public func provider(named name: String) throws -> ProviderEntry {
        guard let entry = providers.first(where: { $0.name == name }) else {
            let names = providers.map(\.name)
            throw BrokerError.usage("no provider named '\(name)' in \(file ?? "the config (none was found)")",
                                    hint: Suggestion.closest(to: name, among: names).map { "did you mean '\($0)'?" }
                                        ?? (names.isEmpty ? "add it under \"providers\"" : "known: \(names.joined(separator: ", "))"))
        }
        return entry
    }
}

import BrokerCore
import Foundation

/// Registers `aws-sts` with the core: its settings (each flag of `broker login aws` in
/// camelCase), how to build the provider, and how to undo a login.
public enum AWSAdapter {
    public static let keys: [SettingKey] = [
        SettingKey("roleArn", .string, required: true, pattern: "^(arn:aws[a-z-]*:iam::[0-9]{12}:role/.+|\\$\\{.+\\})$",
                   flagAliases: ["role-to-assume"], help: "IAM role to assume, arn:aws:iam::<account>:role/<name>"),
        SettingKey("roleSessionName", .string, help: "RoleSessionName (default: derived from the token's sub and the time)"),
        SettingKey("durationSeconds", .duration, range: 900 ... 43200, help: "session length, 900-43200 seconds or a duration such as \"1h\""),
        SettingKey("region", .string, pattern: "^([a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-[0-9]+|\\$\\{.+\\})$",
                   flagAliases: ["aws-region"], help: "region: regional STS endpoint, written to the profile"),
        SettingKey("stsEndpoint", .string, pattern: SettingKey.urlPattern, help: "STS endpoint URL (FIPS, VPC endpoints, emulators)"),
        SettingKey("policy", .string, help: "file with an inline session policy"),
        SettingKey("policyArn", .stringArray, help: "managed session policy ARNs, at most 10"),
        SettingKey("profile", .string, help: "profile to write (default: default)"),
        SettingKey("mode", .oneOf(AWSSettings.Mode.allCases.map(\.rawValue)), help: "static, credential-process or web-identity"),
        SettingKey("maxAttempts", .integer, range: 1 ... 20, help: "attempts for transient STS failures, 1-20"),
        SettingKey("timeout", .duration, range: 1 ... 600, help: "timeout of each STS attempt, 1s to 10m"),
        SettingKey("overwrite", .boolean, help: "replace long-lived keys broker did not write in the profile (default false)"),
    ]

    public static let descriptor = AdapterDescriptor(
        adapter: "aws-sts",
        summary: "AWS STS AssumeRoleWithWebIdentity; writes the AWS CLI/SDK profile",
        defaultAudience: AWSSettings.defaultAudience,
        keys: keys,
        target: { block, _ in "the AWS profile '\(block.string("profile") ?? "default")'" },
        make: { entry, context in
            let defaults = AWSEnvironmentDefaults.apply(to: entry.settings, environment: context.environment)
            let settings = try AWSSettings(block: defaults.block, audience: entry.audience, variables: defaults.sources)
            return makeProvider(settings, context: context)
        },
        logout: { record, context in try logout(record, context: context) },
        ownedDirectories: ["aws/credential-process", "aws/web-identity", SavedAWSSettings.directory],
        recordedExports: { record in
            guard let login = AWSLoginRecord(record) else { return [] }
            return AWSSTSProvider.profileExports(profile: login.profile, region: login.region)
        },
        trustConcerns: { entry, _ in
            guard let endpoint = entry.settings.string("stsEndpoint"), !AWSSTSProvider.isAWSHost(URL(string: endpoint)?.host) else { return [] }
            return ["sends the token to the STS endpoint \(endpoint)"]
        },
        refreshedExpiration: { record in
            // credential-process mode: what the last `broker credential-process` call cached.
            guard let cache = record.written.first(where: { $0.kind == .file && $0.path.contains("/aws/credential-process/") }),
                  let data = FileManager.default.contents(atPath: cache.path),
                  let document = try? JSONDecoder().decode(CredentialProcessCache.Document.self, from: data) else { return nil }
            return document.expirationDate
        },
        loginCommand: "aws")

    public static func makeProvider(_ settings: AWSSettings, context: ProviderContext) -> AWSSTSProvider {
        AWSSTSProvider(settings: settings, files: AWSSharedFiles(environment: context.environment, home: context.home),
                       home: context.brokerHome,
                       credentialProcessCommand: [context.brokerPath, "credential-process", "aws", "--settings", settings.profile]
                           + context.sourceArguments,
                       environment: context.environment, transport: context.transport)
    }

    /// Puts back what the login changed: each key broker set or removed returns to what it was
    /// (a key the user changed since is left alone, and said so), a section broker created goes
    /// once it is bare, and broker's own files are removed.
    static func logout(_ record: StateStore.Record, context: ProviderContext) throws -> [String] {
        var done = try record.undoFiles()
        for target in record.written where target.kind == .section {
            done += try undo(target)
        }
        return done
    }

    static func undo(_ target: WrittenTarget) throws -> [String] {
        guard let section = target.section,
              FileManager.default.fileExists(atPath: try SecureFile.resolvedTarget(target.path)) else { return [] }
        var notes: [String] = []
        var summary = ""
        try SecureFile.edit(target.path) { data in
            guard let data else { return .keep }
            var file = try AWSINIFile(contents: data, path: target.path)
            guard file.hasSection(section) else { return .keep }
            // First every value broker left goes; then the user's keys go back, each after
            // the neighbour it followed (that neighbour first; among equals the latest change
            // first, as its position was taken without the others), so every line lands where it was.
            var undo: [KeyChange] = []
            for change in target.keys ?? legacyKeys(file, section: section, path: target.path) {
                let current = KeyChange.fingerprint(file.value(section: section, key: change.key))
                if change.isBrokers(current) {
                    if change.gap != nil || change.before == nil {
                        file.restore(section: section, key: change.key, text: nil, anchor: nil, gap: nil)
                    }
                    undo.append(change)
                } else if current != fingerprint(before: change) {
                    notes.append("left \(change.key) in [\(section)] of \(target.path) as it is (it changed after the login)")
                }
            }
            var pending = undo.filter { $0.before != nil }
            while !pending.isEmpty {
                let next = pending.lastIndex { change in !pending.contains { $0.key == change.anchor } } ?? pending.count - 1
                let change = pending.remove(at: next)
                file.restore(section: section, key: change.key, text: change.before, anchor: change.anchor, gap: change.gap)
            }
            let restored = undo.count
            // Records from before broker kept undo information owned the whole section.
            let created = target.createdSection == true || target.keys == nil
            if created && file.isBare(section: section) {
                file.removeSection(section)
                summary = "removed [\(section)] from \(target.path)"
            } else if restored > 0 {
                summary = "restored [\(section)] in \(target.path) as it was before the login"
            }
            if target.createdFile == true && file.bytes.isEmpty {
                summary = "removed \(target.path)"
                return .remove
            }
            return .write(file.data)
        }
        return (summary.isEmpty ? [] : [summary]) + notes
    }

    /// The fingerprint of the value `change.before` held (nil: there was no key).
    static func fingerprint(before change: KeyChange) -> String? {
        guard let before = change.before, let file = try? AWSINIFile(text: "[s]\n" + before, path: "") else { return nil }
        return KeyChange.fingerprint(file.value(section: "s", key: change.key))
    }

    /// For a record written before broker kept undo information: the keys broker writes in
    /// this section, as if it had added them.
    static func legacyKeys(_ file: AWSINIFile, section: String, path: String) -> [KeyChange] {
        // role_arn belongs to broker only beside a web identity file; with source_profile it is the user's.
        let webIdentity = file.value(section: section, key: "web_identity_token_file") != nil
        let ours = ["credential_process"] + (webIdentity ? ["web_identity_token_file", "role_arn", "role_session_name"] : [])
            + AWSSharedFiles.staticCredentialKeys
        return file.keys(section: section).filter(ours.contains).map {
            KeyChange(key: $0, before: nil, after: KeyChange.fingerprint(file.value(section: section, key: $0)))
        }
    }
}

extension AWSSettings {
    /// Settings from a config entry (flags already laid over it). Errors name the JSON path.
    /// `variables` names the environment variable a key's value came from (AWS_REGION, say),
    /// so an error about it names what the user set.
    public init(block: SettingsBlock, audience: String, flagNames: Set<String> = [], variables: [String: String] = [:]) throws {
        self.init(roleArn: block.string("roleArn") ?? "")
        self.audience = audience
        roleSessionName = block.string("roleSessionName")
        let name: (String) -> String = { flag in
            let key = Self.configKey(flag)
            if flagNames.contains(key) { return "--\(flag)" }
            return variables[key] ?? block.location(key)
        }
        func key(_ name: String) -> SettingKey { AWSAdapter.keys.first { $0.name == name }! }
        durationSeconds = try block.duration(key("durationSeconds"), name: name("duration-seconds")).map { Int($0) } ?? durationSeconds
        region = block.string("region")
        stsEndpoint = block.string("stsEndpoint")
        policyArns = block.strings("policyArn") ?? []
        profile = block.string("profile") ?? profile
        if let mode = block.string("mode") {
            guard let parsed = Mode(rawValue: mode) else {
                throw block.error("mode", "'\(mode)' is not one of static, credential-process, web-identity")
            }
            self.mode = parsed
        }
        overwrite = block.bool("overwrite") ?? false
        maxAttempts = try block.integer(key("maxAttempts"), name: name("max-attempts")) ?? maxAttempts
        timeout = try block.duration(key("timeout"), name: name("timeout")) ?? timeout
        deadline = max(60, timeout * Double(maxAttempts) + 30)
        if let file = block.string("policy") { try loadPolicy(from: file, name: name("policy")) }
        try validate(name: name)
    }

    /// The setting a flag sets: `role-arn` → `roleArn`.
    static func configKey(_ flag: String) -> String {
        AWSAdapter.keys.first { $0.flagNames.contains(flag) }?.name ?? flag
    }
}

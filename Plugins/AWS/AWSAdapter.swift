import BrokerCore
import Foundation

/// Registers `aws-sts` with the core: its settings (each flag of `broker login aws` in
/// camelCase), how to build the provider, and how to undo a login.
public enum AWSAdapter {
    public static let keys: [SettingKey] = [
        SettingKey("roleArn", .string, required: true, help: "IAM role to assume, arn:aws:iam::<account>:role/<name>"),
        SettingKey("roleSessionName", .string, help: "RoleSessionName (default: derived from the token's sub and the time)"),
        SettingKey("durationSeconds", .integer, help: "session length, 900-43200 seconds"),
        SettingKey("region", .string, help: "region: regional STS endpoint, written to the profile"),
        SettingKey("stsEndpoint", .string, help: "STS endpoint URL (FIPS, VPC endpoints, emulators)"),
        SettingKey("policy", .string, help: "file with an inline session policy"),
        SettingKey("policyArn", .stringArray, help: "managed session policy ARNs, at most 10"),
        SettingKey("profile", .string, help: "profile to write (default: default)"),
        SettingKey("mode", .oneOf(AWSSettings.Mode.allCases.map(\.rawValue)), help: "static, credential-process or web-identity"),
        SettingKey("maxAttempts", .integer, help: "attempts for transient STS failures"),
        SettingKey("timeout", .duration, help: "timeout of each STS attempt"),
    ]

    public static let descriptor = AdapterDescriptor(
        adapter: "aws-sts",
        summary: "AWS STS AssumeRoleWithWebIdentity; writes the AWS CLI/SDK profile",
        defaultAudience: AWSSettings.defaultAudience,
        keys: keys,
        target: { block, _ in "the AWS profile '\(block.string("profile") ?? "default")'" },
        make: { entry, context in
            let settings = try AWSSettings(block: entry.settings, audience: entry.audience)
            return makeProvider(settings, context: context)
        },
        logout: { record, context in try logout(record, context: context) })

    public static func makeProvider(_ settings: AWSSettings, context: ProviderContext) -> AWSSTSProvider {
        AWSSTSProvider(settings: settings, files: AWSSharedFiles(environment: context.environment, home: context.home),
                       home: context.brokerHome,
                       credentialProcessCommand: [context.brokerPath, "credential-process", "aws"] + settings.arguments
                           + context.sourceArguments + ["--profile-cache", settings.profile],
                       environment: context.environment)
    }

    /// Removes the sections and files the login recorded; everything else in the files stays.
    static func logout(_ record: StateStore.Record, context: ProviderContext) throws -> [String] {
        var done: [String] = []
        for target in record.written {
            switch target.kind {
            case .file:
                if SecureFile.remove(target.path) { done.append("removed \(target.path)") }
            case .section:
                guard let section = target.section else { continue }
                let removed = try SecureFile.update(target.path) { data in
                    guard data != nil else { return nil }
                    var file = try AWSINIFile(contents: data, path: target.path)
                    guard file.hasSection(section) else { return nil }
                    file.removeSection(section)
                    return file.data
                }
                if removed { done.append("removed [\(section)] from \(target.path)") }
            }
        }
        return done
    }
}

extension AWSSettings {
    /// Settings from a config entry (flags already laid over it). Errors name the JSON path.
    public init(block: SettingsBlock, audience: String, flagNames: Set<String> = []) throws {
        self.init(roleArn: block.string("roleArn") ?? "")
        self.audience = audience
        roleSessionName = block.string("roleSessionName")
        durationSeconds = block.int("durationSeconds") ?? durationSeconds
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
        maxAttempts = block.int("maxAttempts") ?? maxAttempts
        timeout = try block.duration("timeout") ?? timeout
        deadline = max(60, timeout * Double(maxAttempts) + 30)
        let name: (String) -> String = { flag in
            let key = Self.configKey(flag)
            return flagNames.contains(key) ? "--\(flag)" : block.location(key)
        }
        if let file = block.string("policy") { try loadPolicy(from: file, name: name("policy")) }
        try validate(name: name)
    }

    /// `role-arn` → `roleArn`, `policy-arn` → `policyArn`.
    static func configKey(_ flag: String) -> String {
        let parts = flag.split(separator: "-")
        return parts.enumerated().map { $0.offset == 0 ? String($0.element) : $0.element.prefix(1).uppercased() + $0.element.dropFirst() }.joined()
    }

    /// The same settings as `broker credential-process aws` flags.
    public var arguments: [String] {
        var words = ["--role-arn", roleArn]
        if audience != AWSSettings.defaultAudience { words += ["--audience", audience] }
        if let roleSessionName { words += ["--role-session-name", roleSessionName] }
        if durationSeconds != 3600 { words += ["--duration-seconds", String(durationSeconds)] }
        if let region { words += ["--region", region] }
        if let stsEndpoint { words += ["--sts-endpoint", stsEndpoint] }
        if let policyFile {
            words += ["--policy", policyFile.hasPrefix("/") ? policyFile : FileManager.default.currentDirectoryPath + "/" + policyFile]
        }
        for arn in policyArns { words += ["--policy-arn", arn] }
        if maxAttempts != 5 { words += ["--max-attempts", String(maxAttempts)] }
        if timeout != 10 { words += ["--timeout", DurationText.format(timeout)] }
        return words
    }
}

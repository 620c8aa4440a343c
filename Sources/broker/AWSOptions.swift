import ArgumentParser
import AWSProvider
import BrokerCore
import Foundation

/// The STS flags shared by `login aws` and `credential-process aws`. Each is a setting of
/// `AWSAdapter.keys` (`--role-arn` is `roleArn`): names come from the key, and `fields` is the
/// one table that ties an option to its key, for the config overrides and the hot path alike.
/// A flag given here overrides the config entry.
struct AWSOptions: ParsableArguments {
    @Option(name: flag("roleArn"), help: "IAM role to assume (env BROKER_AWS_ROLE_ARN; --role-to-assume as in configure-aws-credentials).")
    var roleArn: String?

    @Option(help: "Audience of the identity token (default sts.amazonaws.com).")
    var audience: String?

    @Option(name: flag("roleSessionName"), help: "RoleSessionName (default: derived from the token's sub and the time).")
    var roleSessionName: String?

    @Option(name: flag("durationSeconds"), help: "Session length, 900-43200 seconds or a duration such as 1h (default 1h).")
    var durationSeconds: String?

    @Option(name: flag("region"),
            help: "AWS region: selects the regional STS endpoint and is written to the profile (default: $AWS_REGION, then $AWS_DEFAULT_REGION).")
    var region: String?

    @Option(name: flag("stsEndpoint"), help: "STS endpoint URL: FIPS, VPC endpoints, emulators (default: $AWS_ENDPOINT_URL_STS, then $AWS_ENDPOINT_URL).")
    var stsEndpoint: String?

    @Option(name: flag("policy"), help: "File with an inline session policy (JSON).")
    var policy: String?

    @Option(name: flag("policyArn"), help: "Managed session policy ARN (repeatable, at most 10).")
    var policyArns: [String] = []

    @Option(name: flag("maxAttempts"), help: "Attempts for transient STS failures: throttling, 5xx, network, 1-20 (default 5).")
    var maxAttempts: String?

    @Option(name: flag("timeout"), help: "Timeout of each STS attempt (default 10s).")
    var timeout: String?

    /// One option and its setting. Set through a closure, not a key path: a key path writes
    /// through the wrapper's modify accessor, which first reads the still unparsed option.
    struct Field<Value>: @unchecked Sendable {
        let key: SettingKey
        let value: KeyPath<AWSOptions, Value>
        let set: (inout AWSOptions, Value) -> Void

        init(_ key: String, _ value: KeyPath<AWSOptions, Value>, set: @escaping (inout AWSOptions, Value) -> Void) {
            // `audience` belongs to the entry, not the adapter's keys.
            self.key = AWSAdapter.keys[named: key]
            self.value = value
            self.set = set
        }
    }

    static let fields: [Field<String?>] = [
        Field("roleArn", \.roleArn) { $0.roleArn = $1 },
        Field("audience", \.audience) { $0.audience = $1 },
        Field("roleSessionName", \.roleSessionName) { $0.roleSessionName = $1 },
        Field("durationSeconds", \.durationSeconds) { $0.durationSeconds = $1 },
        Field("region", \.region) { $0.region = $1 },
        Field("stsEndpoint", \.stsEndpoint) { $0.stsEndpoint = $1 },
        Field("policy", \.policy) { $0.policy = $1 },
        Field("maxAttempts", \.maxAttempts) { $0.maxAttempts = $1 },
        Field("timeout", \.timeout) { $0.timeout = $1 },
    ]
    static let repeatedFields: [Field<[String]>] = [
        Field("policyArn", \.policyArns) { $0.policyArns = $1 },
    ]

    /// Every option name, aliases included.
    static var names: [String] { fields.flatMap(\.key.flagNames) + repeatedFields.flatMap(\.key.flagNames) }

    private static func flag(_ key: String) -> NameSpecification {
        NameSpecification(AWSAdapter.keys[named: key].flagNames.map { .customLong($0) })
    }

    /// The flags given, as config keys.
    func overrides(environment: [String: String]) -> [String: JSONValue] {
        var values: [String: JSONValue] = [:]
        for field in Self.fields {
            if let text = self[keyPath: field.value] { values[field.key.name] = field.key.value(fromFlag: text) }
        }
        for field in Self.repeatedFields where !self[keyPath: field.value].isEmpty {
            values[field.key.name] = .array(self[keyPath: field.value].map(JSONValue.string))
        }
        if values["roleArn"] == nil, let arn = environment["BROKER_AWS_ROLE_ARN"], !arn.isEmpty { values["roleArn"] = .string(arn) }
        return values
    }

    /// Settings from the config entry (if any) with these flags laid over it.
    func settings(entry: ProviderEntry?, extra: [String: JSONValue] = [:],
                  environment: [String: String] = CommandContext.variables) throws -> AWSSettings {
        var flags = overrides(environment: environment).merging(extra) { _, new in new }
        let audience = flags.removeValue(forKey: "audience")?.stringValue ?? entry?.audience ?? AWSSettings.defaultAudience
        let base = entry?.settings ?? SettingsBlock([:], path: "")
        if base.string("roleArn") == nil && flags["roleArn"] == nil {
            throw BrokerError.usage("--role-arn is required (or set BROKER_AWS_ROLE_ARN, or a providers.aws entry in the config)",
                                    hint: "for example --role-arn arn:aws:iam::123456789012:role/deploy")
        }
        let block = base.overlaid(with: flags)
        if let mode = block.values["mode"], case .string(let text) = mode, AWSSettings.Mode(rawValue: text) == nil {
            throw BrokerError.usage("--mode '\(text)' is not one of static, credential-process, web-identity")
        }
        let defaults = AWSEnvironmentDefaults.apply(to: block, environment: environment)
        return try AWSSettings(block: defaults.block, audience: audience, flagNames: Set(flags.keys).union(["audience"]),
                               variables: defaults.sources)
    }
}

/// Turns a BrokerError from settings into argument-parser's validation path (exit 2, usage shown).
func validating<T>(_ body: () throws -> T) throws -> T {
    do { return try body() } catch let error as BrokerError where error.kind == .usage {
        throw ValidationError(error.description)
    }
}

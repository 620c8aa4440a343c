import ArgumentParser
import AWSProvider
import BrokerCore
import Foundation

/// The STS flags shared by `login aws` and `credential-process aws`. Each is the config key
/// of the same name in camelCase; a flag given here overrides the config entry.
struct AWSOptions: ParsableArguments {
    @Option(name: [.customLong("role-arn"), .customLong("role-to-assume")],
            help: "IAM role to assume (env BROKER_AWS_ROLE_ARN; --role-to-assume as in configure-aws-credentials).")
    var roleArn: String?

    @Option(help: "Audience of the identity token (default sts.amazonaws.com).")
    var audience: String?

    @Option(help: "RoleSessionName (default: derived from the token's sub and the time).")
    var roleSessionName: String?

    @Option(help: "Session length, 900-43200 seconds or a duration such as 1h (default 1h).")
    var durationSeconds: String?

    @Option(name: [.customLong("region"), .customLong("aws-region")],
            help: "AWS region: selects the regional STS endpoint and is written to the profile (default: $AWS_REGION, then $AWS_DEFAULT_REGION).")
    var region: String?

    @Option(help: "STS endpoint URL: FIPS, VPC endpoints, emulators (default: $AWS_ENDPOINT_URL_STS, then $AWS_ENDPOINT_URL).")
    var stsEndpoint: String?

    @Option(help: "File with an inline session policy (JSON).")
    var policy: String?

    @Option(name: .customLong("policy-arn"), help: "Managed session policy ARN (repeatable, at most 10).")
    var policyArns: [String] = []

    @Option(help: "Attempts for transient STS failures: throttling, 5xx, network (default 5).")
    var maxAttempts: Int?

    @Option(help: "Timeout of each STS attempt (default 10s).")
    var timeout: String?

    /// The flags given, as config keys.
    func overrides(environment: [String: String]) -> [String: JSONValue] {
        var values: [String: JSONValue] = [:]
        if let arn = roleArn ?? environment["BROKER_AWS_ROLE_ARN"].flatMap({ $0.isEmpty ? nil : $0 }) { values["roleArn"] = .string(arn) }
        if let audience { values["audience"] = .string(audience) }
        if let roleSessionName { values["roleSessionName"] = .string(roleSessionName) }
        if let durationSeconds { values["durationSeconds"] = .string(durationSeconds) }
        if let region { values["region"] = .string(region) }
        if let stsEndpoint { values["stsEndpoint"] = .string(stsEndpoint) }
        if let policy { values["policy"] = .string(policy) }
        if !policyArns.isEmpty { values["policyArn"] = .array(policyArns.map(JSONValue.string)) }
        if let maxAttempts { values["maxAttempts"] = .number(Double(maxAttempts)) }
        if let timeout { values["timeout"] = .string(timeout) }
        return values
    }

    /// Settings from the config entry (if any) with these flags laid over it.
    func settings(entry: ProviderEntry?, extra: [String: JSONValue] = [:],
                  environment: [String: String] = ProcessInfo.processInfo.environment) throws -> AWSSettings {
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

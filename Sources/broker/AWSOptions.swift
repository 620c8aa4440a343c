import ArgumentParser
import AWSProvider
import BrokerCore
import Foundation

/// The STS flags shared by `login aws` and `credential-process aws`.
struct AWSOptions: ParsableArguments {
    @Option(help: "IAM role to assume (env BROKER_AWS_ROLE_ARN).")
    var roleArn: String?

    @Option(help: "Audience of the identity token.")
    var audience = AWSSettings.defaultAudience

    @Option(help: "RoleSessionName (default: derived from the token's sub and the time).")
    var roleSessionName: String?

    @Option(help: "Session length in seconds, 900-43200.")
    var durationSeconds = 3600

    @Option(help: "AWS region: selects the regional STS endpoint and is written to the profile.")
    var region: String?

    @Option(help: "STS endpoint URL (FIPS, VPC endpoints, emulators).")
    var stsEndpoint: String?

    @Option(help: "File with an inline session policy (JSON).")
    var policy: String?

    @Option(name: .customLong("policy-arn"), help: "Managed session policy ARN (repeatable, at most 10).")
    var policyArns: [String] = []

    @Option(help: "Attempts for transient STS failures (throttling, 5xx, network).")
    var maxAttempts = 5

    @Option(help: "Timeout of each STS attempt.")
    var timeout = "10s"

    /// Validated settings; `validate()` of the command calls this so bad input exits 2 before any work.
    func settings(environment: [String: String] = ProcessInfo.processInfo.environment) throws -> AWSSettings {
        guard let roleArn = roleArn ?? environment["BROKER_AWS_ROLE_ARN"].flatMap({ $0.isEmpty ? nil : $0 }) else {
            throw BrokerError.usage("--role-arn is required (or set BROKER_AWS_ROLE_ARN)",
                                    hint: "for example --role-arn arn:aws:iam::123456789012:role/deploy")
        }
        var settings = AWSSettings(roleArn: roleArn)
        settings.audience = audience
        settings.roleSessionName = roleSessionName
        settings.durationSeconds = durationSeconds
        settings.region = region
        settings.stsEndpoint = stsEndpoint
        if let policy { try settings.loadPolicy(from: policy) }
        settings.policyArns = policyArns
        settings.maxAttempts = maxAttempts
        settings.timeout = try DurationText.parse(timeout, name: "--timeout")
        settings.deadline = max(60, settings.timeout * Double(settings.maxAttempts) + 30)
        try settings.validate()
        return settings
    }

    /// The same settings as flags, for the `credential_process` line.
    func arguments(_ settings: AWSSettings) -> [String] {
        var words = ["--role-arn", settings.roleArn]
        if settings.audience != AWSSettings.defaultAudience { words += ["--audience", settings.audience] }
        if let name = settings.roleSessionName { words += ["--role-session-name", name] }
        if settings.durationSeconds != 3600 { words += ["--duration-seconds", String(settings.durationSeconds)] }
        if let region = settings.region { words += ["--region", region] }
        if let endpoint = settings.stsEndpoint { words += ["--sts-endpoint", endpoint] }
        if let file = settings.policyFile { words += ["--policy", TokenSourceOptions.absolute(file)] }
        for arn in settings.policyArns { words += ["--policy-arn", arn] }
        if settings.maxAttempts != 5 { words += ["--max-attempts", String(settings.maxAttempts)] }
        if settings.timeout != 10 { words += ["--timeout", DurationText.format(settings.timeout)] }
        return words
    }
}

/// Turns a BrokerError from settings into argument-parser's validation path (exit 2, usage shown).
func validating<T>(_ body: () throws -> T) throws -> T {
    do { return try body() } catch let error as BrokerError where error.kind == .usage {
        throw ValidationError(error.description)
    }
}

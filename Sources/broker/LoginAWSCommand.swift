import ArgumentParser
import AWSProvider
import BrokerCore
import BrokerIssuer
import Foundation

struct LoginAWSCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "aws",
        abstract: "AssumeRoleWithWebIdentity with AWS STS and write the AWS CLI/SDK profile.",
        discussion: """
            Works with no config at all; a config entry named "aws" supplies defaults, and flags override it.
            Modes: static writes keys into the credentials file; credential-process makes the SDKs call \
            'broker credential-process aws' (which refreshes by itself); web-identity writes a token file \
            for the SDKs to exchange themselves ('broker refresh' renews it).
            Outputs: text (default) prints nothing on stdout; env prints export lines for eval; json prints \
            the report 'broker status --output json' prints too (never secrets); github appends to $GITHUB_ENV \
            after printing ::add-mask:: lines, and writes identity, account and expiration to $GITHUB_OUTPUT. \
            The profile is written in every case.
            """)

    @OptionGroup var aws: AWSOptions

    @Option(help: "Profile to write (default: $AWS_PROFILE, else default).", completion: Completions.awsProfiles)
    var profile: String?

    @Option(help: "How the profile gets its credentials (default: static).")
    var mode: AWSSettings.Mode?

    @Flag(help: "Replace access keys in the profile that broker did not write (logout puts them back).")
    var overwrite = false

    @Option(help: "What to print besides writing the profile.")
    var output = OutputFormat.text

    @OptionGroup var source: TokenSourceOptions

    @OptionGroup var configOption: ConfigOption

    func validate() throws {
        if output == .accessToken {
            throw ValidationError("--output access-token: AWS issues no bearer token; use env, json or github")
        }
        // The settings (config entry and flags together) are checked in run(), which loads the
        // config once; a problem there is the same exit 2 before anything is done.
    }

    func settings(runtime: BrokerRuntime) throws -> AWSSettings {
        let entry = runtime.config.providers.first { $0.name == "aws" && $0.adapter == AWSAdapter.descriptor.adapter }
        var extra: [String: JSONValue] = [:]
        if let profile { extra["profile"] = .string(profile) }
        if let mode { extra["mode"] = .string(mode.rawValue) }
        if overwrite { extra["overwrite"] = .bool(true) }
        return try aws.settings(entry: entry, extra: extra, environment: runtime.environment)
    }

    func run() async throws {
        let runtime = try BrokerRuntime(configOption: configOption.config)
        runtime.noteConfig()
        try runtime.requireTrust()
        let settings = try settings(runtime: runtime)
        _ = try runtime.brokerHome.prepare()
        // Every output target is checked before anything is written.
        if output == .github { try EnvironmentExport.checkGitHubEnv(environment: runtime.environment) }
        try StateStore(home: runtime.brokerHome).checkWritable()
        let choice = try source.makeSource(runtime: runtime)
        let context = runtime.context(sourceArguments: source.arguments)
        let runner = LoginRunner(source: choice.source, state: StateStore(home: runtime.brokerHome), sourceArguments: context.sourceArguments)
        let name = "aws" + (settings.profile == "default" ? "" : ":\(settings.profile)")
        let outcome = await runner.run([.init(name: name, adapter: "aws-sts", provider: AWSAdapter.makeProvider(settings, context: context))])[0]
        let result = try outcome.result!.get()
        if result.runsBrokerLater { runtime.noteEmbeddedConfig() }
        try AWSLoginOutput(name: name, result: result, settings: settings).emit(output, environment: runtime.environment)
    }
}

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
            Modes: static writes keys into the credentials file; credential-process makes the SDKs call \
            'broker credential-process aws' (which refreshes by itself); web-identity writes a token file \
            for the SDKs to exchange themselves ('broker refresh' renews it).
            Outputs: ini (default) prints nothing on stdout; env prints export lines for eval; json prints \
            one report; github appends to $GITHUB_ENV after printing ::add-mask:: lines. The profile is \
            written in every case.
            """)

    @OptionGroup var aws: AWSOptions

    @Option(help: "Profile to write.")
    var profile = "default"

    @Option(help: "static, credential-process or web-identity.")
    var mode = "static"

    @Option(help: "ini, env, json or github.")
    var output = "ini"

    @OptionGroup var source: TokenSourceOptions

    func validate() throws {
        _ = try validating { try settings() }
        guard ["ini", "env", "json", "github"].contains(output) else {
            throw ValidationError("--output must be ini, env, json or github (not '\(output)')")
        }
    }

    func settings() throws -> AWSSettings {
        var settings = try aws.settings()
        guard let mode = AWSSettings.Mode(rawValue: mode) else {
            throw BrokerError.usage("--mode '\(mode)' is not one of static, credential-process, web-identity")
        }
        settings.mode = mode
        settings.profile = profile
        try settings.validate()
        return settings
    }

    func run() async throws {
        let environment = ProcessInfo.processInfo.environment
        let settings = try settings()
        let home = try BrokerHome(environment: environment).prepare()
        let tokenSource = try source.makeSource(environment: environment)
        let token = try await tokenSource.token(audience: settings.audience)
        let provider = AWSSTSProvider(
            settings: settings,
            files: AWSSharedFiles(environment: environment),
            home: home,
            credentialProcessCommand: [SelfExecutable.path, "credential-process", "aws"] + aws.arguments(settings)
                + source.arguments + ["--profile-cache", settings.profile])
        let result = try await provider.login(token: token)
        let refresh = settings.mode == .webIdentity
            ? StateStore.Refresh(tokenFile: provider.webIdentityTokenPath, audience: settings.audience, sourceArguments: source.arguments)
            : nil
        try StateStore(home: home).record(.init(
            name: "aws:\(settings.profile)", adapter: "aws-sts", identity: result.credentials.identity,
            expiration: result.credentials.expiration, written: result.written, refresh: refresh))
        try AWSLoginOutput(result: result, settings: settings).emit(output, environment: environment)
    }
}

enum SelfExecutable {
    /// The absolute path of this broker binary, for lines other programs run later.
    static var path: String {
        if let resolved = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") { return resolved }
        let first = CommandLine.arguments[0]
        if first.hasPrefix("/") { return first }
        return ProcessRunner.locate(first).map(TokenSourceOptions.absolute) ?? first
    }
}

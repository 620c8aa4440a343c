import ArgumentParser
import AWSProvider
import BrokerCore
import Foundation

struct CredentialProcessCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "credential-process",
        abstract: "Print credentials for an SDK's credential_process, refreshing them when needed.",
        subcommands: [AWS.self])

    struct AWS: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "aws",
            abstract: "Print the AWS credential_process JSON (Version 1), cached until a quarter of the session (at most 15 minutes) is left.",
            discussion: "Written into ~/.aws/config by 'broker login aws --mode credential-process'.")

        @OptionGroup var aws: AWSOptions

        @Option(help: "Settings saved by 'broker login aws --mode credential-process' for this profile; flags given too override them.")
        var settings: String?

        @Option(help: "Name of the cache entry (default: the --settings name, else derived from the role and settings).")
        var profileCache: String?

        @OptionGroup var source: TokenSourceOptions

        @OptionGroup var configOption: ConfigOption

        /// Without saved settings the flags must name a role; the saved record is read in run().
        func validate() throws {
            if settings == nil { _ = try validating { try aws.settings(entry: nil) } }
        }

        func run() async throws {
            let environment = CommandContext.variables
            let home = try BrokerHome(environment: environment).prepare()
            let saved = try settings.map { try SavedAWSSettings(home: home, name: $0).entry() }
            let settings = try aws.settings(entry: saved, environment: environment)
            let cache = CredentialProcessCache(home: home, name: profileCache ?? self.settings, settings: settings)
            // The config and the token source are loaded only when the cache is stale.
            let document = try await cache.answer(settings: settings, environment: environment) {
                let runtime = try BrokerRuntime(configOption: configOption.config, environment: environment)
                return try await source.makeSource(runtime: runtime).source.checkedToken(audience: settings.audience)
            }
            Terminal.output(try JSONOutput.string(document))
        }
    }
}

import ArgumentParser
import BrokerCore
import BrokerIssuer
import Foundation

struct IdpRequestTokenCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "request-token",
        abstract: "Manage request tokens for 'broker idp serve' /token (stored hashed).",
        subcommands: [Create.self, List.self, Revoke.self])

    /// The config's `issuer.requestTokens`: the file in $BROKER_HOME, or OpenBao KV.
    static func backend(_ configOption: ConfigOption) throws -> any RequestTokenBackend {
        try configOption.configuredIssuer().issuer.requestTokens
    }

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "create",
            abstract: "Create a request token; it is printed once on stdout and fixes the sub of its tokens.")

        @Option(help: "The sub claim every token obtained with this request token carries.")
        var subject: String

        @OptionGroup var configOption: ConfigOption

        func run() async throws {
            let (token, entry) = try await IdpRequestTokenCommand.backend(configOption).create(subject: subject, now: Date())
            Terminal.note("created request token \(entry.id) for sub \(entry.subject)")
            Terminal.output(token.reveal)
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "List request tokens (ids and subjects, never the tokens).")

        @Option(help: "text or json")
        var output = "text"

        @OptionGroup var configOption: ConfigOption

        func run() async throws {
            let entries = try await IdpRequestTokenCommand.backend(configOption).list()
            if output == "json" {
                struct Row: Encodable { var id: String; var subject: String; var createdAt: Date }
                Terminal.output(try JSONOutput.string(entries.map { Row(id: $0.id, subject: $0.subject, createdAt: $0.createdAt) }))
                return
            }
            guard output == "text" else { throw ValidationError("--output must be text or json") }
            if entries.isEmpty { Terminal.note("no request tokens"); return }

            for entry in entries {
                Terminal.output("\(entry.id)\t\(ISOTime.format(entry.createdAt))\t\(entry.subject)")
            }
        }
    }

    struct Revoke: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "revoke",
            abstract: "Revoke a request token by id; a server refuses it at once (file), or within the refresh interval (OpenBao KV).")

        @Argument(help: "The id shown by 'create' and 'list' (rt-...).")
        var id: String

        @OptionGroup var configOption: ConfigOption

        func run() async throws {
            guard try await IdpRequestTokenCommand.backend(configOption).revoke(id: id) else {
                throw BrokerError.failure("no request token with id \(id)", hint: "see 'broker idp request-token list'")
            }
            Terminal.note("revoked \(id)")
        }
    }
}

import ArgumentParser
import BrokerCore
import Foundation
import GCPProvider

/// `broker gcp-token NAME`: the executable credential source of a `credentialSource:
/// executable` Google login. The client libraries run it (with
/// GOOGLE_EXTERNAL_ACCOUNT_ALLOW_EXECUTABLES=1) whenever they need a subject token; it prints
/// Google's executable-source response and, as Google specifies, also writes it to
/// GOOGLE_EXTERNAL_ACCOUNT_OUTPUT_FILE, which the libraries read first until it expires.
struct GCPTokenCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gcp-token",
        abstract: "Print a Google executable-source response with a fresh identity token for a Google login.",
        discussion: """
            Written into the external_account file by 'broker login gcp --credential-source executable'; \
            Google's libraries run it only when GOOGLE_EXTERNAL_ACCOUNT_ALLOW_EXECUTABLES=1. It mints with the \
            token source and config the login used. Nothing goes to stderr (the libraries read it as output); \
            a failure prints success false with a code and a message, and exits 1.
            """)

    @Argument(help: "The login's name, as 'broker status' shows it.")
    var name: String

    func run() async throws {
        let environment = CommandContext.variables
        let document: Data
        do {
            document = try ExecutableSourceResponse.token(try await token(environment: environment)).encoded()
            // Google's cache: the libraries read it first, until `expiration_time`.
            if let cache = environment["GOOGLE_EXTERNAL_ACCOUNT_OUTPUT_FILE"], !cache.isEmpty {
                try SecureFile.update(CommandContext.current.absolute(cache)) { _ in document }
            }
        } catch {
            // Nothing on stderr, ever: the answer is the failure response on stdout.
            let code = (error as? BrokerError)?.kind == .usage ? "BROKER_USAGE" : "BROKER_FAILED"
            Terminal.output(String(decoding: try ExecutableSourceResponse.failure(code: code, message: "\(error)").encoded(), as: UTF8.self))
            throw ExitFailure(code: 1)
        }
        Terminal.output(String(decoding: document, as: UTF8.self))
    }

    /// The record's token source, with notes and warnings kept off stderr (the libraries read
    /// stderr together with stdout).
    func token(environment: [String: String]) async throws -> IdentityToken {
        let home = try BrokerHome(environment: environment).prepare()
        let records = try StateStore(home: home).records()
        guard let record = records.first(where: { $0.name == name }) else {
            throw BrokerError.usage("no login named '\(name)'", hint: "run 'broker login' for it again; 'broker status' lists the logins")
        }
        guard record.adapter == GCPAdapter.descriptor.adapter, let login = GCPLoginRecord(record) else {
            throw BrokerError.usage("the login '\(name)' is not a Google login (\(record.adapter))")
        }
        var quiet = CommandContext.current
        quiet.output.standardError = { _ in }
        return try await CommandContext.$current.withValue(quiet) {
            try await RefreshSource.token(arguments: login.sourceArguments, audience: login.audience, environment: environment)
        }
    }
}

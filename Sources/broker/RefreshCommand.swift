import ArgumentParser
import BrokerCore
import Foundation

struct RefreshCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "refresh",
        abstract: "Re-mint or re-fetch the identity tokens in web-identity token files written by 'broker login'.",
        discussion: "Run it before the token inside expires (for example every 30 minutes in a long job).")

    @Argument(help: "Logins to refresh (as shown by 'broker status'); default: all with a token file.")
    var names: [String] = []

    func run() async throws {
        let environment = ProcessInfo.processInfo.environment
        let home = try BrokerHome(environment: environment).prepare()
        let records = try StateStore(home: home).records().filter { $0.refresh != nil && (names.isEmpty || names.contains($0.name)) }
        if let missing = names.first(where: { name in !records.contains { $0.name == name } }) {
            throw BrokerError.usage("no login named '\(missing)' has a token file to refresh", hint: "see 'broker status'")
        }
        if records.isEmpty { Terminal.note("nothing to refresh: no login wrote a web-identity token file"); return }
        for record in records {
            let refresh = record.refresh!
            let options = try RefreshSource.parse(refresh.sourceArguments)
            let runtime = try BrokerRuntime(configOption: options.configOption.config, environment: environment)
            let source = try options.source.makeSource(runtime: runtime).source
            let token = try await source.token(audience: refresh.audience)
            try SecureFile.update(refresh.tokenFile) { _ in Data(token.jwt.reveal.utf8) }
            let expiry = token.expiresAt.map { ", valid until \(ISOTime.format($0))" } ?? ""
            Terminal.note("\(record.name): refreshed \(refresh.tokenFile)\(expiry)")
        }
    }
}

/// The token-source flags a login recorded, parsed again.
struct RefreshSource: ParsableArguments {
    @OptionGroup var source: TokenSourceOptions
    @OptionGroup var configOption: ConfigOption
}

import ArgumentParser
import BrokerCore
import Foundation

struct RefreshCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "refresh",
        abstract: "Re-mint or re-fetch the identity tokens in web-identity token files written by 'broker login'.",
        discussion: """
            The SDKs exchange the token file themselves, so it must stay valid for the whole job, while CI tokens \
            live minutes (GitHub's about 5). Run 'broker refresh --watch &' for a long job: it refreshes each \
            file when less than a third of its token's life is left, until stopped.
            """)

    @Argument(help: "Logins to refresh (as shown by 'broker status'); default: all with a token file.", completion: Completions.loginNames)
    var names: [String] = []

    @Flag(help: "Keep running: refresh each token file before its token expires, until stopped (SIGINT/SIGTERM).")
    var watch = false

    func run() async throws {
        let environment = CommandContext.variables
        let home = try BrokerHome(environment: environment).prepare()
        let state = StateStore(home: home)
        let records = try state.records().filter { $0.refresh != nil && (names.isEmpty || names.contains($0.name)) }
        if let missing = names.first(where: { name in !records.contains { $0.name == name } }) {
            throw BrokerError.usage("no login named '\(missing)' has a token file to refresh", hint: "see 'broker status'")
        }
        if records.isEmpty { Terminal.note("nothing to refresh: no login wrote a web-identity token file"); return }
        guard watch else {
            for record in records { try await refresh(record, state: state, environment: environment) }
            return
        }
        while true {
            var next = Date().addingTimeInterval(Self.longestPause)
            for record in records {
                let due = Self.refreshTime(of: record)
                if due <= Date() {
                    do {
                        try await refresh(record, state: state, environment: environment)
                    } catch {
                        // A transient failure must not end the watch: try again soon.
                        Terminal.error("\(record.name): \(error) (trying again in \(Int(Self.retryPause))s)")
                        next = min(next, Date().addingTimeInterval(Self.retryPause))
                        continue
                    }
                }
                // A source handing out the same old token is not asked again at once.
                next = min(next, max(Self.refreshTime(of: record), Date().addingTimeInterval(Self.retryPause)))
            }
            let pause = max(Self.shortestPause, next.timeIntervalSinceNow)
            try await Task.sleep(nanoseconds: UInt64(pause * 1_000_000_000))
        }
    }

    static let longestPause: TimeInterval = 300
    static let shortestPause: TimeInterval = 1
    static let retryPause: TimeInterval = 15

    /// When a token file is due: a third of its token's life before `exp` (at least a minute
    /// before; now when it cannot be read).
    static func refreshTime(of record: StateStore.Record) -> Date {
        guard let token = record.tokenFileToken, let expiry = token.expiresAt else { return Date() }
        let issued = token.claims["iat"]?.numberValue.map { Date(timeIntervalSince1970: $0) } ?? expiry.addingTimeInterval(-300)
        let margin = max(60, expiry.timeIntervalSince(issued) / 3)
        return expiry.addingTimeInterval(-margin)
    }

    func refresh(_ record: StateStore.Record, state: StateStore, environment: [String: String]) async throws {
        let refresh = record.refresh!
        let token = try await RefreshSource.token(arguments: refresh.sourceArguments, audience: refresh.audience, environment: environment)
        let contents = Data(token.jwt.reveal.utf8)
        // A token file of the user's choosing (not under BROKER_HOME) stays logout's to restore.
        try state.willRefresh(name: record.name, path: refresh.tokenFile, contentHash: sha256Hex(contents))
        try SecureFile.update(refresh.tokenFile) { _ in contents }
        let expiry = token.expiresAt.map { ", valid until \(ISOTime.format($0))" } ?? ""
        Terminal.note("\(record.name): refreshed \(refresh.tokenFile)\(expiry)")
    }
}

/// The token-source flags a login recorded, parsed again.
struct RefreshSource: ParsableArguments {
    @OptionGroup var source: TokenSourceOptions
    @OptionGroup var configOption: ConfigOption

    /// A new token for `audience` from the source a login recorded (`broker refresh`, `gcp-token`).
    static func token(arguments: [String], audience: String, environment: [String: String]) async throws -> IdentityToken {
        let options = try parse(arguments)
        let runtime = try BrokerRuntime(configOption: options.configOption.config, environment: environment)
        return try await options.source.makeSource(runtime: runtime).source.checkedToken(audience: audience)
    }
}

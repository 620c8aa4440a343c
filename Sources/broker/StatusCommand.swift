import ArgumentParser
import BrokerCore
import Foundation

struct StatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Show every recorded login: identity, time left and files written; and anything broker wrote that no record names.",
        discussion: """
            The time left is the real one: a web-identity token file that expires before its session counts, and \
            so does a session credential-process refreshed since. --check exits 1 when a login has expired (or has \
            less than --min-remaining left), for a CI step that must fail early.
            """)

    @Option(help: "text, or json (the report 'broker login --output json' prints).")
    var output = ReportFormat.text

    @Flag(help: "Exit 1 when a recorded login has expired, is unfinished, or has less than --min-remaining left.")
    var check = false

    @Option(help: "With --check: the least time each login must have left (e.g. 15m; default 0).")
    var minRemaining: String?

    func validate() throws {
        if let minRemaining { _ = try DurationText.parse(minRemaining, name: "--min-remaining", range: 0 ... 12 * 3600) }
    }

    func run() async throws {
        let state = StateStore(home: CommandContext.brokerHome)
        let records = try state.records()
        let leftovers = Leftovers.find(records: records, state: state,
                                       ownedDirectories: BrokerRuntime.registry.all.flatMap(\.ownedDirectories))
        let minimum = try minRemaining.map { try DurationText.parse($0, name: "--min-remaining", range: 0 ... 12 * 3600) } ?? 0
        let rows = records.map { record in
            let expiration = BrokerRuntime.registry.realExpiration(of: record)
            let status = record.isPending ? "pending" : (expiration.map { $0.timeIntervalSinceNow > minimum } ?? true) ? "valid" : "expired"
            return LoginReport.Row(name: record.name, adapter: record.adapter, status: status,
                                   identity: record.isPending && record.identity.isEmpty ? nil : record.identity,
                                   expiration: expiration, details: record.details, files: record.written.map(\.place))
        }
        let report = LoginReport(ok: rows.allSatisfy { $0.status == "valid" }, results: rows)
        if output == .json {
            try report.print()
        } else if records.isEmpty {
            Terminal.note("no recorded logins")
        } else {
            var table = [["NAME", "ADAPTER", "IDENTITY", "EXPIRES", "FILES"]]
            for row in rows {
                let left = row.expiration.map { $0.timeIntervalSinceNow }
                var expires = left.map { $0 > 0 ? "in \(DurationText.format($0))" : "expired \(DurationText.format(-$0)) ago" } ?? "-"
                if row.status == "pending" { expires = "unfinished (running, or interrupted)" }
                table.append([row.name, row.adapter, row.identity ?? "-", expires,
                              row.files.map(LoginSummary.describe).joined(separator: ", ")])
            }
            Terminal.output(TextTable.render(table))
        }
        // Always on stderr, so scripts reading the JSON see it too without a new shape.
        if !leftovers.isEmpty {
            Terminal.note("written by broker but in no record ('broker logout --all' removes them):")
            leftovers.forEach { Terminal.note("  \($0)") }
        }
        if check, !report.ok {
            for row in rows where row.status != "valid" {
                Terminal.error("\(row.name): " + (row.status == "pending" ? "the login did not finish" : minimum > 0
                    ? "less than \(DurationText.format(minimum)) left" : "expired") + "; run 'broker login' again")
            }
            throw ExitFailure(code: 1)
        }
    }
}

struct LogoutCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "logout",
        abstract: "Undo what broker wrote for a login: its keys go back to what they were, its files away; everything else stays.")

    @Argument(help: "Logins to undo, as shown by 'broker status'.", completion: Completions.loginNames)
    var names: [String] = []

    @Flag(help: "Undo every recorded login, and remove what broker wrote that no record names.")
    var all = false

    func validate() throws {
        guard all != !names.isEmpty else { throw ValidationError("name the logins to undo, or use --all") }
    }

    func run() async throws {
        let environment = CommandContext.variables
        let home = BrokerHome(environment: environment)
        let state = StateStore(home: home)
        let records = try state.records()
        for name in names where !records.contains(where: { $0.name == name }) {
            throw BrokerError.usage("no recorded login named '\(name)'",
                                    hint: Suggestion.closest(to: name, among: records.map(\.name)).map { "did you mean '\($0)'?" } ?? "see 'broker status'")
        }
        let context = ProviderContext(home: BrokerRuntime.userHome(environment), brokerHome: home, environment: environment)
        var failed = false
        for record in records where all || names.contains(record.name) {
            do {
                let descriptor = try BrokerRuntime.registry.descriptor(for: record.adapter, at: "state \(record.name)")
                let done = try await descriptor.logout(record, context)
                // Only the record that was undone: a login that finished meanwhile keeps its own.
                let removed = try state.remove(name: record.name, loginID: record.loginID)
                Terminal.note("\(record.name): logged out" + (done.isEmpty ? " (nothing left to undo)" : ""))
                done.forEach { Terminal.note("  \($0)") }
                if !removed { Terminal.note("  a newer login of \(record.name) finished meanwhile; its record stays") }
            } catch {
                failed = true
                Terminal.error("\(record.name): \(error)")
            }
        }
        if all {
            let leftovers = Leftovers.find(records: try state.records(), state: state,
                                           ownedDirectories: BrokerRuntime.registry.all.flatMap(\.ownedDirectories))
            for path in leftovers where Leftovers.remove(path) { Terminal.note("removed \(path) (in no record)") }
        }
        if failed { throw ExitFailure(code: 1) }
    }
}

import ArgumentParser
import BrokerCore
import Foundation

struct StatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status", abstract: "Show every recorded login: identity, time left and files written.")

    @Option(help: "text or json")
    var output = "text"

    func validate() throws {
        guard ["text", "json"].contains(output) else { throw ValidationError("--output must be text or json") }
    }

    func run() async throws {
        let records = try StateStore(home: BrokerHome()).records()
        if output == "json" {
            struct Row: Encodable {
                var name, adapter, identity: String
                var expiration: Date?
                var secondsLeft: Int?
                var files: [WrittenTarget]
            }
            Terminal.output(try JSONOutput.string(records.map {
                Row(name: $0.name, adapter: $0.adapter, identity: $0.identity, expiration: $0.expiration,
                    secondsLeft: $0.expiration.map { Int($0.timeIntervalSinceNow) }, files: $0.written)
            }))
            return
        }
        guard !records.isEmpty else { Terminal.note("no recorded logins"); return }
        var table = [["NAME", "ADAPTER", "IDENTITY", "EXPIRES", "FILES"]]
        for record in records {
            let left = record.expiration.map { $0.timeIntervalSinceNow }
            let expires = left.map { $0 > 0 ? "in \(DurationText.format($0))" : "expired \(DurationText.format(-$0)) ago" } ?? "-"
            table.append([record.name, record.adapter, record.identity, expires, LoginSummary.files(record.written).joined(separator: ", ")])
        }
        Terminal.output(TextTable.render(table))
    }
}

struct LogoutCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "logout",
        abstract: "Remove exactly what broker wrote for a login (its profile sections and files); everything else stays.")

    @Argument(help: "Logins to undo, as shown by 'broker status'.")
    var names: [String] = []

    @Flag(help: "Undo every recorded login.")
    var all = false

    func validate() throws {
        guard all != !names.isEmpty else { throw ValidationError("name the logins to undo, or use --all") }
    }

    func run() async throws {
        let environment = ProcessInfo.processInfo.environment
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
                try state.remove(name: record.name)
                Terminal.note("\(record.name): logged out" + (done.isEmpty ? " (nothing left to remove)" : ""))
                done.forEach { Terminal.note("  \($0)") }
            } catch {
                failed = true
                Terminal.error("\(record.name): \(error)")
            }
        }
        if failed { throw ExitFailure(code: 1) }
    }
}

import BrokerCore
import Foundation

/// The table on stderr after a multi-provider login, or the JSON report on stdout.
struct LoginSummary {
    let outcomes: [LoginRunner.Outcome]

    var rows: [LoginReport.Row] { LoginReport.login(outcomes).results }

    static func files(_ written: [WrittenTarget]) -> [String] { written.map { describe($0.place) } }

    static func describe(_ place: WrittenTarget.Place) -> String {
        place.section.map { "\(place.path) [\($0)]" } ?? place.path
    }

    func print(json: Bool) {
        for outcome in outcomes {
            if case .success(let result)? = outcome.result { result.warnings.forEach { Terminal.warn("\(outcome.name): \($0)") } }
        }
        if json { try? LoginReport.login(outcomes).print() }
        var table = [["NAME", "ADAPTER", "STATUS", "IDENTITY", "EXPIRES", "FILES"]]
        for row in rows {
            let expires = row.expiration.map { "in \(DurationText.format($0.timeIntervalSinceNow))" } ?? "-"
            table.append([row.name, row.adapter, row.status, row.identity ?? "-", expires,
                          row.files.isEmpty ? "-" : row.files.map(Self.describe).joined(separator: ", ")])
        }
        Terminal.note(TextTable.render(table))
        for row in rows where row.status == "failed" {
            Terminal.error("\(row.name): \(row.error ?? "failed")")
        }
        for row in rows where row.status == "skipped" {
            Terminal.note("\(row.name): skipped, \(row.error ?? "")")
        }
    }
}

enum TextTable {
    static func render(_ rows: [[String]]) -> String {
        let widths = rows.reduce(into: [Int](repeating: 0, count: rows.first?.count ?? 0)) { widths, row in
            for (index, cell) in row.enumerated() { widths[index] = max(widths[index], cell.count) }
        }
        return rows.map { row in
            row.enumerated().map { index, cell in
                index == row.count - 1 ? cell : cell.padding(toLength: widths[index], withPad: " ", startingAt: 0)
            }.joined(separator: "  ")
        }.joined(separator: "\n")
    }
}

import BrokerCore
import Foundation

/// The table on stderr after a multi-provider login, or the JSON report on stdout.
struct LoginSummary {
    let outcomes: [LoginRunner.Outcome]

    /// Logs into config entries through `LoginSession` and prints what `output` asks for; the
    /// shared body of `login NAME... | --all` and the flags-first `login <adapter>`.
    static func run(_ entries: [ProviderEntry], runtime: BrokerRuntime, options: ConfigLoginOptions) async throws {
        let output = options.output, source = options.source
        _ = try runtime.brokerHome.prepare()
        // Every output target is checked before anything is written.
        if output == .github { try EnvironmentExport.checkGitHubEnv(environment: runtime.environment) }
        if output == .accessToken { try checkAccessTokenOutput(entries, registry: runtime.registry) }
        let session = LoginSession(registry: runtime.registry, context: runtime.context(sourceArguments: source.arguments),
                                   state: StateStore(home: runtime.brokerHome), minimum: try options.minimum(), exports: output.exports)
        let report = try await session.run(entries) {
            let choice = try source.makeSource(runtime: runtime)
            if options.verbose { Terminal.note("token source: \(choice.source.name) (\(choice.reason))") }
            return choice.source
        }
        switch output {
        case .env: Terminal.output(EnvironmentExport(report.exports).shellExports)
        case .github:
            Terminal.output(try EnvironmentExport(report.exports).appendToGitHubEnv(environment: runtime.environment))
            // Each provider's outputs under its name; with one provider, also without a prefix.
            let exported = report.exported
            var values = exported.flatMap { StepOutputs.values(identity: $1.credentials.identity, expiration: $1.credentials.expiration, prefix: "\($0)-") }
            if exported.count == 1 { values += StepOutputs.values(identity: exported[0].1.credentials.identity, expiration: exported[0].1.credentials.expiration) }
            try StepOutputs.write(values, environment: runtime.environment)
        case .accessToken:
            let tokens = report.outcomes.compactMap { outcome -> SecretValue? in
                if case .success(let result)? = outcome.result { result.credentials.accessToken } else { nil }
            }
            if let token = tokens.first { Terminal.output(token.reveal) }
        case .text, .json: break
        }
        LoginSummary(outcomes: report.outcomes).print(json: output == .json)
        if report.runsBrokerLater { runtime.noteEmbeddedConfig() }
        if report.exitCode != 0 { throw ExitFailure(code: report.exitCode) }
    }

    /// `--output access-token` prints one provider's token: refused (before any login) for
    /// several providers or an adapter that issues none.
    static func checkAccessTokenOutput(_ entries: [ProviderEntry], registry: ProviderRegistry) throws {
        guard entries.count == 1, let entry = entries.first else {
            throw BrokerError.usage("--output access-token prints the token of one provider; \(entries.count) were named",
                                    hint: "name one provider (for example 'broker login gcp ...')")
        }
        guard registry.descriptor(named: entry.adapter)?.issuesAccessToken == true else {
            throw BrokerError.usage("--output access-token: \(entry.name) (\(entry.adapter)) issues no access token", hint: "use env, json or github")
        }
    }

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

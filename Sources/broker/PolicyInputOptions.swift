import ArgumentParser
import BrokerCore
import Foundation

/// What every `broker policy check` reads: the cloud's policy file, and the token a login would
/// send (the usual token-source flags) or `--claims` alone.
struct PolicyInputOptions: ParsableArguments {
    @Option(help: "The policy, role or credential JSON file, as the cloud's CLI prints it ('-' for stdin).")
    var policy: String

    @Option(help: "A JSON object of claims to check instead of a token.")
    var claims: String?

    @Option(help: "text or json.")
    var output = ReportFormat.text

    @OptionGroup var source: TokenSourceOptions
    @OptionGroup var configOption: ConfigOption

    /// The policy file parsed by `parse`; any problem is a usage error naming the file.
    func parsePolicy<Parsed>(_ expected: String, _ parse: (Data) throws -> Parsed) throws -> Parsed {
        let data = try Self.read(policy, name: "--policy")
        do {
            return try parse(data)
        } catch let error as BrokerError {
            throw error
        } catch {
            throw BrokerError.usage("\(policy) is not \(expected): \(error)")
        }
    }

    /// The claims to check: `--claims`, else those of the token a login would send for `audience`
    /// (not checked for expiry: the policy question stands either way).
    func claims(audience: String) async throws -> [String: JSONValue] {
        if let claims {
            guard let object = (try? StrictJSON.parse(try Self.read(claims, name: "--claims")))?.objectValue else {
                throw BrokerError.usage("--claims: \(claims) is not a JSON object of claims",
                                        hint: "for example {\"iss\": \"https://token.actions.githubusercontent.com\", \"sub\": \"repo:org/app:ref:refs/heads/main\", \"aud\": \"sts.amazonaws.com\"}")
            }
            return object
        }
        let runtime = try BrokerRuntime(configOption: configOption.config)
        return try await source.makeSource(runtime: runtime).quietSource.token(audience: audience).claims
    }

    static func read(_ path: String, name: String) throws -> Data {
        if path == "-" { return FileHandle.standardInput.readDataToEndOfFile() }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw BrokerError.usage("\(name): cannot read '\(path)'")
        }
        return data
    }

    /// Prints a verdict (text or JSON) and exits 1 when it denies.
    func report(_ verdict: PolicyVerdict, subject: String, claims: [String: JSONValue]) throws {
        if output == .json {
            struct Report: Encodable {
                var decision: String
                var checks: [PolicyVerdict.Check]
                var notes: [String]
                var fix: String?
            }
            Terminal.output(try JSONOutput.string(Report(decision: verdict.allowed ? "allowed" : "denied", checks: verdict.checks,
                                                         notes: verdict.notes, fix: verdict.fix)))
        } else {
            var lines = ["token: iss \(claims["iss"]?.displayText ?? "(missing)"), sub \(claims["sub"]?.displayText ?? "(missing)"), aud \(claims["aud"]?.displayText ?? "(missing)")"]
            for check in verdict.checks {
                lines.append("\(check.outcome.rawValue.padding(toLength: 13, withPad: " ", startingAt: 0)) \(check.rule): expects \(check.expected); the token has \(check.seen)")
            }
            lines += verdict.notes.map { "note: " + $0 }
            if verdict.checks.contains(where: { $0.outcome == .notEvaluated }) {
                lines.append("note: broker could not evaluate every rule (see not-evaluated above): the cloud decides those")
            }
            lines.append(verdict.allowed ? "ALLOWED by \(subject)" : "DENIED by \(subject)")
            if let fix = verdict.fix, !verdict.allowed { lines.append("fix: " + fix) }
            Terminal.output(lines.joined(separator: "\n") + "\n")
        }
        if !verdict.allowed { throw ExitFailure(code: 1) }
    }
}

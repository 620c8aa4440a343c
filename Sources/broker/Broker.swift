import ArgumentParser
import BrokerCore
import BrokerIssuer
import Foundation

@main
struct Broker: AsyncParsableCommand {
    static let version = "0.2.0"

    /// What `--version` prints: the version, the commit it was built from, the build's date.
    static let versionLine = "\(version) (commit \(BuildStamp.commit), built \(BuildStamp.date))"

    static let configuration = CommandConfiguration(
        commandName: "broker",
        abstract: "Turn one OIDC identity token into short-lived credentials for every cloud a job needs.",
        discussion: """
            Exit codes: 0 success, 1 the operation failed, 2 bad usage or configuration (nothing was done).
            Human messages go to stderr; machine output to stdout.
            """,
        version: versionLine,
        subcommands: [LoginCommand.self, LogoutCommand.self, ExecCommand.self, StatusCommand.self, RefreshCommand.self, CredentialProcessCommand.self, GCPTokenCommand.self, PolicyCommand.self, ConfigCommand.self, DoctorCommand.self, IdpCommand.self]
    )

    /// Our own entry point, so every error maps to the documented exit codes
    /// (argument-parser would use 64 for usage errors).
    static func main() async {
        if CommandLine.arguments.dropFirst().first == "login" { LoginWarmUp.start() }
        do {
            var command: any ParsableCommand
            if let hot = HotPath.parse() { command = hot } else {
                do { command = try parseAsRoot() } catch {
                    // A typo is the problem to report, not what it left missing.
                    if exitCode(for: error) != .success, let unknown = UnknownArguments.problem(in: Array(CommandLine.arguments.dropFirst())) {
                        throw unknown
                    }
                    throw error
                }
            }
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch let error as BrokerError {
            Terminal.error(error.description)
            Foundation.exit(error.exitCode)
        } catch let unavailable as OpenBaoUnavailable {
            Terminal.error("\(unavailable)\n  hint: check that OpenBao is up and reachable from here (issuer.keys.address); try again")
            Foundation.exit(1)
        } catch let failure as ExitFailure {
            Foundation.exit(failure.code)
        } catch {
            // `login NAME...` is `login providers` inside: users never type the latter.
            let message = fullMessage(for: error).replacingOccurrences(of: "broker login providers", with: "broker login")
            if exitCode(for: error) == .success {
                Terminal.output(CommandLine.arguments.contains { $0.hasPrefix("--generate-completion-script") } ? CompletionScript.patched(message) : message)
                Foundation.exit(0)
            }
            Terminal.error(message)
            Foundation.exit(2)
        }
    }
}

/// Ends the process with a code after the command already printed why.
struct ExitFailure: Error {
    let code: Int32
}

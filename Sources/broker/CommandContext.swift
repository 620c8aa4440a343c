import BrokerCore
import BrokerIssuer
import Foundation

/// Everything a command takes from the process: environment, working directory, the homes,
/// and where its output goes. Built once from the process (`current`'s default); the libraries
/// default to none of it. A task-local, because argument-parser's `run()` takes no arguments:
/// a test runs a command in-process with `CommandContext.$current.withValue(...)` against a
/// temporary home and reads what it printed.
struct CommandContext: Sendable {
    /// Where a command's machine output (stdout) and messages (stderr) go.
    struct Output: Sendable {
        var standardOutput: @Sendable (String) -> Void
        var standardError: @Sendable (String) -> Void

        static let process = Output(standardOutput: { FileHandle.standardOutput.write(Data($0.utf8)) },
                                    standardError: { FileHandle.standardError.write(Data($0.utf8)) })
    }

    var environment: [String: String]
    var workingDirectory: String
    var output: Output

    @TaskLocal static var current = CommandContext(environment: ProcessInfo.processInfo.environment,
                                                   workingDirectory: FileManager.default.currentDirectoryPath, output: .process)

    static var variables: [String: String] { current.environment }
    static var brokerHome: BrokerHome { BrokerHome(environment: current.environment) }

    /// `$HOME`, else the account's home directory.
    var userHome: String { environment["HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? NSHomeDirectory() }

    /// A path as given on the command line, made absolute against the working directory (for
    /// lines run later from anywhere).
    func absolute(_ path: String) -> String {
        path.hasPrefix("/") ? path : workingDirectory + "/" + path
    }
}

extension Issuer {
    /// This process's issuer: the repository of the working directory (the `repository` claim,
    /// the default `sub`) and the process environment, unless given.
    init(settings: IssuerSettings, home: BrokerHome, environment: [String: String] = CommandContext.variables,
         transport: (any HTTPTransport)? = nil) {
        self.init(settings: settings, home: home, repository: DefaultSubject.repositoryURL(from: CommandContext.current.workingDirectory),
                  environment: environment, transport: transport)
    }
}

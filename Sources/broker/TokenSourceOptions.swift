import ArgumentParser
import BrokerCore
import BrokerIssuer
import Foundation

/// Where a login's identity token comes from. Without one of these flags the embedded
/// issuer mints it.
struct TokenSourceOptions: ParsableArguments {
    @Option(help: "Read the token from this file on every use (Kubernetes projected tokens).")
    var tokenFile: String?

    @Option(help: "Read the token from this environment variable.")
    var tokenEnv: String?

    @Option(help: "Run this command (split shell-style, no shell; {audience} is replaced) and read the token from its stdout.")
    var tokenCommand: String?

    @Option(help: "Timeout for --token-command.")
    var tokenTimeout = "30s"

    @Option(name: .customLong("issuer"), help: "Issuer URL for the embedded issuer (env BROKER_ISSUER_URL).")
    var issuerURL: String?

    func validate() throws {
        let chosen = [tokenFile, tokenEnv, tokenCommand].compactMap { $0 }
        guard chosen.count <= 1 else {
            throw ValidationError("choose one of --token-file, --token-env and --token-command")
        }
        _ = try DurationText.parse(tokenTimeout, name: "--token-timeout")
        if let tokenCommand { _ = try ShellWords.split(tokenCommand) }
    }

    func makeSource(environment: [String: String] = ProcessInfo.processInfo.environment) throws -> any TokenSource {
        if let tokenFile { return FileTokenSource(path: tokenFile) }
        if let tokenEnv { return EnvTokenSource(variable: tokenEnv, environment: environment) }
        if let tokenCommand {
            return try CommandTokenSource(commandLine: tokenCommand, timeout: DurationText.parse(tokenTimeout, name: "--token-timeout"))
        }
        let settings = try IssuerOptions.resolve(issuerURL: issuerURL, algorithm: nil, config: nil, environment: environment)
        return EmbeddedIssuerSource(issuer: Issuer(settings: settings, home: try BrokerHome(environment: environment).prepare()))
    }

    /// The same choice as command-line words, for `credential_process` lines and `refresh`.
    var arguments: [String] {
        var words: [String] = []
        if let tokenFile { words += ["--token-file", Self.absolute(tokenFile)] }
        if let tokenEnv { words += ["--token-env", tokenEnv] }
        if let tokenCommand { words += ["--token-command", tokenCommand, "--token-timeout", tokenTimeout] }
        if let issuerURL { words += ["--issuer", issuerURL] }
        return words
    }

    static func absolute(_ path: String) -> String {
        path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path
    }
}

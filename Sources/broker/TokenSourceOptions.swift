import ArgumentParser
import BrokerCore
import BrokerIssuer
import Foundation

/// Where a login's identity token comes from: these flags, else the config's `source`
/// block, else `auto` (GitHub Actions, GitLab CI, Buildkite, Gitpod, then the embedded issuer).
struct TokenSourceOptions: ParsableArguments {
    @Option(help: "Token source (default auto: GitHub Actions, GitLab CI, Buildkite, Gitpod, CircleCI, Bitbucket, Azure Pipelines, else the embedded issuer).")
    var source: SourceType?

    @Option(help: "Read the token from this file on every use (Kubernetes projected tokens).")
    var tokenFile: String?

    @Option(help: "Read the token from this environment variable (also the GitLab id_tokens variable).")
    var tokenEnv: String?

    @Option(help: "Run this command (split shell-style, no shell; {audience} is replaced) and read the token from its stdout.")
    var tokenCommand: String?

    @Option(help: "Timeout for network and command token sources (default 30s).")
    var tokenTimeout: String?

    @Option(name: .customLong("issuer"), help: "Issuer URL for the embedded issuer (env BROKER_ISSUER_URL).")
    var issuerURL: String?

    func validate() throws {
        let chosen = [tokenFile, tokenEnv, tokenCommand].compactMap { $0 }
        guard chosen.count <= 1 else {
            throw ValidationError("choose one of --token-file, --token-env and --token-command")
        }
        if let tokenTimeout { _ = try DurationText.parse(tokenTimeout, name: "--token-timeout", range: BrokerConfig.sourceKeys[named: "timeout"].range) }
        if let tokenCommand { _ = try ShellWords.split(tokenCommand) }
    }

    /// The config's source block with these flags laid over it.
    func sourceBlock(_ config: BrokerConfig) -> SettingsBlock {
        var flags: [String: JSONValue] = [:]
        if let tokenFile { flags = ["type": .string("file"), "path": .string(Self.absolute(tokenFile))] }
        if let tokenEnv { flags = ["type": .string(source == .gitlab ? "gitlab" : "env"), "variable": .string(tokenEnv)] }
        if let tokenCommand { flags = ["type": .string("command"), "command": .string(tokenCommand)] }
        if let source, flags["type"] == nil { flags["type"] = .string(source.rawValue) }
        if let tokenTimeout { flags["timeout"] = .string(tokenTimeout) }
        guard flags["type"] != nil else { return config.source.overlaid(with: flags) }
        // A flag that picks the source replaces the config's choice entirely.
        return SettingsBlock(flags, path: "source")
    }

    func makeSource(runtime: BrokerRuntime) throws -> SourceChoice {
        try SourceChoice.make(sourceBlock(runtime.config), runtime: runtime, issuerURL: issuerURL)
    }

    /// The same choice as command-line words, for `credential_process` lines and `refresh`.
    var arguments: [String] {
        var words: [String] = []
        if let source { words += ["--source", source.rawValue] }
        if let tokenFile { words += ["--token-file", Self.absolute(tokenFile)] }
        if let tokenEnv { words += ["--token-env", tokenEnv] }
        if let tokenCommand { words += ["--token-command", tokenCommand] }
        if let tokenTimeout { words += ["--token-timeout", tokenTimeout] }
        if let issuerURL { words += ["--issuer", issuerURL] }
        return words
    }

    static func absolute(_ path: String) -> String { CommandContext.current.absolute(path) }
}


extension SourceType: ExpressibleByArgument {}

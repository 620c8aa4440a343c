import Foundation

/// A token printed by a command. The command line is split shell-style and run without a
/// shell; `{audience}` in any word is replaced by the requested audience.
public struct CommandTokenSource: TokenSource {
    public let argv: [String]
    public let timeout: Double

    public init(commandLine: String, timeout: Double = 30) throws {
        argv = try ShellWords.split(commandLine)
        guard !argv.isEmpty else { throw BrokerError.usage("--token-command: the command is empty") }
        self.timeout = timeout
    }

    public var name: String { "command \(argv[0])" }

    public func token(audience: String) async throws -> IdentityToken {
        let words = argv.map { $0.replacingOccurrences(of: "{audience}", with: audience) }
        let result = try await ProcessRunner.runDetached(words, timeout: timeout, what: "token command")
        if result.timedOut {
            throw BrokerError.failure("token command '\(argv[0])' did not finish within \(DurationText.format(timeout)) and was stopped")
        }
        guard result.status == 0 else {
            throw BrokerError.failure("token command '\(argv[0])' exited with status \(result.status): \(result.stderr.excerpt())")
        }
        let text = String(decoding: result.stdout, as: UTF8.self).trimmingWhitespace
        guard !text.isEmpty else { throw BrokerError.failure("token command '\(argv[0])' printed nothing") }
        return try IdentityToken(jwt: text)
    }
}

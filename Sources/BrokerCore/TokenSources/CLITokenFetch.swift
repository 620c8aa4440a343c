import Foundation

/// Runs a platform's own CLI (`buildkite-agent`, `gp`) that prints an identity token on
/// stdout. Shared by the sources that differ only in their argument list.
enum CLITokenFetch {
    static func run(
        _ argv: [String], environment: [String: String], timeout: TimeInterval, platform: String, hint: String
    ) async throws -> IdentityToken {
        let command = argv.prefix(3).joined(separator: " ")
        let what = "\(platform): \(command)"
        let result = try await ProcessRunner.runDetached(argv, environment: environment, timeout: timeout, what: what)
        if result.timedOut {
            throw BrokerError.failure("\(what) did not finish within \(DurationText.format(timeout)) and was stopped", hint: hint)
        }
        guard result.status == 0 else {
            let stderr = result.stderr.excerpt()
            throw BrokerError.failure("\(what) exited with status \(result.status)" + (stderr.isEmpty ? "" : ": \(stderr)"), hint: hint)
        }
        let text = String(decoding: result.stdout, as: UTF8.self).trimmingWhitespace
        guard !text.isEmpty else { throw BrokerError.failure("\(what) printed no token", hint: hint) }
        // The output is never quoted: whatever it is, it may be a secret.
        guard let token = try? IdentityToken(jwt: text) else {
            throw BrokerError.failure("\(what) printed something that is not a JWT", hint: hint)
        }
        return token
    }
}

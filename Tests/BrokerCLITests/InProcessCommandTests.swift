@testable import broker
import BrokerCore
import BrokerTestSupport
import Foundation
import Testing

/// Commands run in-process against a temporary home through `CommandContext`: what they print
/// is captured, and nothing touches the real home.
@Suite struct InProcessCommandTests {
    final class Captured: @unchecked Sendable {
        private let lock = NSLock()
        private var out = "", err = ""
        var stdout: String { lock.withLock { out } }
        var stderr: String { lock.withLock { err } }
        var output: CommandContext.Output {
            CommandContext.Output(standardOutput: { text in self.lock.withLock { self.out += text } },
                                  standardError: { text in self.lock.withLock { self.err += text } })
        }
    }

    func context(_ root: String, _ captured: Captured, extra: [String: String] = [:]) -> CommandContext {
        CommandContext(environment: ["HOME": root + "/home", "BROKER_HOME": root + "/broker-home", "PATH": "/usr/bin:/bin"]
                           .merging(extra) { _, new in new },
                       workingDirectory: root, output: captured.output)
    }

    @Test func idpTokenMintsWithTheTemporaryHomesKeys() async throws {
        let root = temporaryDirectory()
        let captured = Captured()
        try await CommandContext.$current.withValue(context(root, captured)) {
            var command = try IdpTokenCommand.parse(["--audience", "sts.amazonaws.com", "--subject", "repo:acme/app"])
            try await command.run()
        }
        let token = try IdentityToken(jwt: captured.stdout.trimmingCharacters(in: .whitespacesAndNewlines))
        #expect(token.audiences == ["sts.amazonaws.com"] && token.subject == "repo:acme/app")
        // The signing key was made in the temporary broker home.
        let keys = try FileManager.default.contentsOfDirectory(atPath: root + "/broker-home")
        #expect(!keys.isEmpty)
    }

    @Test func statusReadsTheTemporaryHomesState() async throws {
        let root = temporaryDirectory()
        let captured = Captured()
        try await CommandContext.$current.withValue(context(root, captured)) {
            var command = try StatusCommand.parse(["--output", "json"])
            try await command.run()
        }
        let report = try JSONSerialization.jsonObject(with: Data(captured.stdout.utf8)) as? [String: Any]
        #expect(report?["ok"] as? Bool == true && (report?["results"] as? [Any])?.isEmpty == true)
    }

    @Test func loginWithoutProvidersSaysSoAndWritesNothing() async throws {
        let root = temporaryDirectory()
        try writeText(#"{"version": 1, "providers": {}}"#, to: root + "/empty.json")
        let captured = Captured()
        let error = await #expect(throws: BrokerError.self) {
            try await CommandContext.$current.withValue(context(root, captured)) {
                let command = try LoginProvidersCommand.parse(["--all", "--config", "empty.json"])
                try await command.run()
            }
        }
        #expect(error?.message.contains("no providers to log into") == true, "\(String(describing: error))")
        #expect(captured.stderr.contains("config: ") && captured.stderr.contains("empty.json"))
        #expect(!FileManager.default.fileExists(atPath: root + "/broker-home/state.json"))
    }
}

import ArgumentParser
import BrokerCore
import BrokerIssuer
import Foundation

struct IdpRotateKeyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rotate-key",
        abstract: "Start signing with a new key.",
        discussion: """
            Previous public keys stay in the JWKS until every token they signed has expired (12h after \
            rotation, the longest token lifetime), then are pruned. --retire-now removes them at once, \
            for a leaked key: tokens they signed stop verifying. With issuer.keys in OpenBao transit the \
            transit key is rotated (its type stays); replicas sign with the new version once it has been \
            published for one refresh interval, and pruned versions are trimmed from OpenBao too.
            """)

    @Flag(help: "Remove every previous key from the JWKS now.")
    var retireNow = false

    @Option(help: "Algorithm of the new key: RS256 or ES256 (default: the current key's).")
    var algorithm: SigningAlgorithm?

    @OptionGroup var configOption: ConfigOption

    func run() async throws {
        let issuer = try configOption.configuredIssuer().issuer
        let (kid, algorithm, removed) = try await issuer.keys.rotate(algorithm: algorithm, retireNow: retireNow, now: Date())
        Terminal.note("new signing key \(kid) (\(algorithm.rawValue))")
        if !removed.isEmpty { Terminal.note("removed from the JWKS: \(removed.joined(separator: ", "))") }
        Terminal.output(kid)
    }
}

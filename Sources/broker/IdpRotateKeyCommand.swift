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
            for a leaked key: tokens they signed stop verifying.
            """)

    @Flag(help: "Remove every previous key from the JWKS now.")
    var retireNow = false

    @Option(help: "Algorithm of the new key: RS256 or ES256 (default: the current key's).")
    var algorithm: SigningAlgorithm?

    func run() async throws {
        let store = KeyStore(home: try CommandContext.brokerHome.prepare())
        let (key, removed) = try store.rotate(algorithm: algorithm, retireNow: retireNow)
        Terminal.note("new signing key \(key.kid) (\(key.algorithm.rawValue))")
        if !removed.isEmpty { Terminal.note("removed from the JWKS: \(removed.joined(separator: ", "))") }
        Terminal.output(key.kid)
    }
}

import ArgumentParser
import BrokerCore
import BrokerIssuer
import Foundation

/// Creates the fleet issuer's signing key in OpenBao transit and prints the policies broker needs.
struct IdpInitTransitCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "init-transit",
        abstract: "Create the issuer's key in OpenBao/Vault transit (issuer.keys) if missing, and print the policies broker needs.",
        discussion: """
            The key is rsa-2048 for RS256 (the default; every cloud accepts it) or ecdsa-p256 for ES256. \
            An existing key of the right type is left as it is. The policies go to stdout as HCL: one for \
            the replicas, one for operators ('bao policy write broker-issuer-replica FILE').
            """)

    @Option(help: "RS256 (rsa-2048) or ES256 (ecdsa-p256); default issuer.algorithm, else RS256.")
    var algorithm: SigningAlgorithm?

    @OptionGroup var configOption: ConfigOption

    func run() async throws {
        let (issuer, runtime) = try configOption.configuredIssuer(algorithm: algorithm)
        let settings = issuer.settings
        guard let transit = issuer.keys as? TransitKeys else {
            throw BrokerError.usage("\(runtime.configPath ?? "the config"): issuer.keys is not in transit",
                                    hint: "set \"issuer\": {\"keys\": {\"backend\": \"transit\", \"address\": \"https://bao:8200\", \"tokenEnv\": \"VAULT_TOKEN\"}}")
        }
        let chosen = settings.algorithm ?? .rs256
        if try await transit.create(algorithm: chosen) {
            Terminal.note("created transit key \(transit.mount)/keys/\(transit.key) (\(chosen.rawValue))")
        } else {
            Terminal.note("transit key \(transit.mount)/keys/\(transit.key) exists (\(chosen.rawValue)); left as it is")
        }
        Terminal.output(IssuerPolicy.hcl(settings.backends))
    }
}

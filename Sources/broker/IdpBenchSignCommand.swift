import ArgumentParser
import BrokerCore
import BrokerIssuer
import Foundation

/// Measures the raw signing rate of the active key in this process, the baseline that
/// Benchmarks/ compares the server's /token throughput against.
struct IdpBenchSignCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench-sign", abstract: "Measure raw token signing rate (for Benchmarks/).", shouldDisplay: false)

    @Option var count = 2000

    @OptionGroup var issuerOptions: IssuerOptions

    func run() async throws {
        let issuer = Issuer(settings: try issuerOptions.settings(), home: try CommandContext.brokerHome.prepare())
        let signer = try await issuer.signer()
        let start = Date()
        for _ in 0..<count {
            _ = try await signer.sign(issuer.claims(audiences: ["bench"], subject: "bench"))
        }
        let seconds = Date().timeIntervalSince(start)
        Terminal.output(#"{"signatures": \#(count), "seconds": \#(seconds), "per_second": \#(Double(count) / seconds)}"#)
    }
}

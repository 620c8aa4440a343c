import ArgumentParser
import BrokerCore
import BrokerIssuer
import Foundation

struct IdpVerifyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Verify a token: signature, exp/nbf/iat (60s leeway), iss and audience.",
        discussion: """
            Checks against this machine's issuer by default, or any issuer's discovery with --issuer, \
            or a JWKS file or URL with --jwks. Prints the payload on stdout when valid. \
            Exit 0 valid, 1 invalid. Pass the token on stdin ('-' or no argument) to keep it out of ps.
            """)

    @Argument(help: "The token, or - to read it from stdin (the default).")
    var token: String?

    @Option(help: "Verify against this issuer's discovery document (and require iss to match).")
    var issuer: String?

    @Option(help: "Verify against this JWKS file or URL.")
    var jwks: String?

    @Option(help: "Require this audience.")
    var audience: String?

    @Option(help: "Config file for the local issuer URL.")
    var config: String?

    @Option(help: "Timeout for fetching discovery or JWKS.")
    var timeout = "10s"

    func run() async throws {
        let raw: String
        if let token, token != "-" {
            raw = token
        } else {
            raw = String(decoding: FileHandle.standardInput.readDataToEndOfFile(), as: UTF8.self)
        }
        let http = HTTPClient(timeout: try DurationText.parse(timeout, name: "--timeout", range: 1 ... 600), environment: CommandContext.variables)
        let (keys, expectedIssuer) = try await keySet(http: http)
        do {
            let verified = try await TokenVerifier(keys: keys, issuer: expectedIssuer, audience: audience).verify(raw)
            let exp = verified.claims["exp"]?.numberValue ?? 0
            Terminal.note("valid: iss \(verified.claims["iss"]?.displayText ?? "-"), sub \(verified.claims["sub"]?.displayText ?? "-"), "
                          + "aud \(verified.claims["aud"]?.displayText ?? "-"), expires in \(DurationText.format(exp - Date().timeIntervalSince1970))")
            Terminal.output(try JSONOutput.string(verified.claims))
        } catch let failure as TokenVerifier.Failure {
            Terminal.error(failure.description)
            throw ExitFailure(code: 1)
        }
    }

    private func keySet(http: HTTPClient) async throws -> (JWKSet, String?) {
        let found = try await VerificationKeys.resolve(jwks: jwks, issuer: issuer, http: http) {
            // Neither named: the embedded issuer's own keys and URL.
            let runtime = try BrokerRuntime(configOption: config)
            let settings = try IssuerOptions.resolve(issuerURL: nil, algorithm: nil, config: runtime.config, environment: runtime.environment)
            return VerificationKeys(keys: try await Issuer(settings: settings, home: CommandContext.brokerHome).jwks(), issuer: settings.url)
        }
        return (found.keys, found.issuer)
    }
}

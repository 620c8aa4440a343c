import ArgumentParser
import BrokerCore
import BrokerIssuer
import Foundation

struct IdpTokenCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "token",
        abstract: "Print a signed identity token (the compact JWT and a newline, nothing else).",
        discussion: "Example: broker idp token --audience sts.amazonaws.com --decode"
    )

    @Option(name: .customLong("audience"), help: "Audience (repeatable; the first is also azp).")
    var audiences: [String] = []

    @Flag(help: "Print the decoded header and payload as JSON instead of the token (never the signature).")
    var decode = false

    @Option(help: "Token lifetime, 1m to 12h (default 1h, or config issuer.lifetime).")
    var lifetime: String?

    @Option(help: "The sub claim (default: the git remote URL of this directory, else user:<name>@<host>).")
    var subject: String?

    @Option(name: .customLong("claim"), help: "Extra claim key=value (repeatable).")
    var claims: [String] = []

    @OptionGroup var issuerOptions: IssuerOptions

    func validate() throws {
        guard !audiences.isEmpty else {
            throw ValidationError("--audience is required (for AWS: --audience sts.amazonaws.com)")
        }
        if audiences.contains(where: \.isEmpty) { throw ValidationError("--audience must not be empty") }
        if let lifetime { _ = try TokenLifetime.parse(lifetime) }
        _ = try ClaimArguments.parse(claims)
    }

    func run() async throws {
        let environment = CommandContext.variables
        var settings = try issuerOptions.settings(environment: environment)
        if let lifetime { settings.lifetime = try TokenLifetime.parse(lifetime) }
        if audiences.contains(where: IssuerSettings.isCloudAudience) { settings.warnings.forEach(Terminal.warn) }
        let issuer = Issuer(settings: settings, home: try BrokerHome(environment: environment).prepare())
        let values = try issuer.claims(audiences: audiences, subject: subject, extra: ClaimArguments.parse(claims))
        let jwt = try await issuer.signer().sign(values)
        if decode {
            let token = try IdentityToken(jwt: jwt)
            Terminal.output(try JSONOutput.string(DecodedToken(header: token.header, payload: token.claims)))
        } else {
            Terminal.output(jwt)
        }
    }
}

struct DecodedToken: Encodable {
    var header: [String: JSONValue]
    var payload: [String: JSONValue]
}

/// `--claim key=value` arguments.
enum ClaimArguments {
    static func parse(_ arguments: [String]) throws -> [String: JSONValue] {
        var claims: [String: JSONValue] = [:]
        for argument in arguments {
            guard let equals = argument.firstIndex(of: "="), equals != argument.startIndex else {
                throw ValidationError("--claim '\(argument)' is not key=value (for example --claim environment=prod)")
            }
            claims[String(argument[..<equals])] = .string(String(argument[argument.index(after: equals)...]))
        }
        do { try Issuer.checkExtraClaims(claims, source: "--claim") } catch let error as BrokerError {
            throw ValidationError(error.description)
        }
        return claims
    }
}

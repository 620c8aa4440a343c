import ArgumentParser
import BrokerCore
import BrokerIssuer
import Foundation

struct IdpDiscoveryCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "discovery", abstract: "Print the OpenID Provider configuration document.")

    @OptionGroup var issuerOptions: IssuerOptions

    func run() async throws {
        let issuer = Issuer(settings: try issuerOptions.settings(), home: try CommandContext.brokerHome.prepare())
        Terminal.output(try JSONOutput.string(await issuer.discovery()))
    }
}

struct IdpJWKSCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "jwks", abstract: "Print the JSON Web Key Set with every key a verifier should accept.")

    @OptionGroup var issuerOptions: IssuerOptions

    func run() async throws {
        let issuer = Issuer(settings: try issuerOptions.settings(), home: try CommandContext.brokerHome.prepare())
        Terminal.output(try JSONOutput.string(await issuer.jwks()))
    }
}

struct IdpPublishCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "publish",
        abstract: "Write discovery and JWKS files into DIR for static hosting (S3, GCS, Pages).",
        discussion: "DIR becomes the issuer URL's root: DIR/.well-known/openid-configuration and DIR/.well-known/jwks.json.")

    @Argument(help: "Directory to write into (created if missing).")
    var directory: String

    @OptionGroup var issuerOptions: IssuerOptions

    func run() async throws {
        let settings = try issuerOptions.settings()
        settings.warnings.forEach(Terminal.warn)
        let issuer = Issuer(settings: settings, home: try CommandContext.brokerHome.prepare())
        let keys = try await issuer.publishedKeys()
        let jwks = try JSONOutput.encode(Issuer.jwks(keys))
        let discovery = try JSONOutput.encode(issuer.discovery(keys: keys))
        let relativeJWKS = String(settings.jwksURL.dropFirst(settings.url.count + 1))
        for (relative, data) in [(".well-known/openid-configuration", discovery), (relativeJWKS, jwks)] {
            let path = directory + "/" + relative
            try SecureFile.ensureDirectory((path as NSString).deletingLastPathComponent, mode: 0o755)
            try SecureFile.write(data + Data("\n".utf8), to: path, mode: 0o644)
            Terminal.note("wrote \(path)")
        }
        Terminal.note("upload \(directory) so that \(settings.discoveryURL) serves the discovery document")
    }
}

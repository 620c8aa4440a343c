import ArgumentParser
import BrokerCore
import BrokerIssuer
import Foundation

struct IdpServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve discovery, JWKS and a GitHub-Actions-style token endpoint over HTTP.",
        discussion: """
            GET /token?audience=A with 'Authorization: Bearer <request token>' answers {"value": "<jwt>"}.
            Create request tokens with 'broker idp request-token create --subject S'.
            Without a configured issuer URL the issuer is http://<listen address>.
            """)

    @Option(help: "Address to listen on, HOST:PORT.")
    var listen = "127.0.0.1:8417"

    @OptionGroup var issuerOptions: IssuerOptions

    func validate() throws { _ = try ListenAddress(listen) }

    func run() async throws {
        let address = try ListenAddress(listen)
        let settings = try issuerOptions.settings(fallbackURL: "http://\(address.urlHost):\(address.port)")
        settings.warnings.forEach(Terminal.warn)
        let home = try BrokerHome().prepare()
        let server = IssuerServer(issuer: Issuer(settings: settings, home: home), home: home)
        try await server.run(host: address.host, port: address.port) {
            Terminal.note("broker idp serve: issuer \(settings.url) listening on http://\(address.urlHost):\(address.port)")
        }
    }
}

struct ListenAddress {
    let host: String
    let port: Int

    init(_ text: String) throws {
        guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]),
              (1...65535).contains(port) else {
            throw ValidationError("--listen '\(text)' is not HOST:PORT (for example 127.0.0.1:8417)")
        }
        var host = String(text[..<colon])
        if host.hasPrefix("[") && host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        self.host = host.isEmpty ? "127.0.0.1" : host
        self.port = port
    }

    var urlHost: String { host.contains(":") ? "[\(host)]" : host }
}

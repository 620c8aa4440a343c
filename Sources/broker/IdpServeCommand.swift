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
            Without a configured issuer URL the issuer is http://<listen address>. GET /healthz answers while \
            the process runs, GET /readyz while the keys and request tokens can be read and a key signs. With \
            issuer.keys and issuer.requestTokens in OpenBao, any number of replicas serve one issuer; while \
            OpenBao is unreachable /token answers 503 with Retry-After and discovery and JWKS come from cache. \
            SIGTERM stops accepting connections and finishes the requests in flight. One logfmt line per \
            request goes to stderr (never a token).
            """)

    @Option(help: "Address to listen on, HOST:PORT.")
    var listen = "127.0.0.1:8417"

    @Option(help: "Close a connection that sends no complete request for this long, 1s to 5m (slow headers too).")
    var idleTimeout = "10s"

    @Option(help: "At most this many open connections, 1 to 10000; more wait in the listen queue.")
    var maxConnections = 512

    @Flag(help: "Serve Prometheus metrics at /metrics: requests by status, signing latency, backend errors.")
    var metrics = false

    @Flag(inversion: .prefixedNo, help: "Log one line per request on stderr.")
    var accessLog = true

    @OptionGroup var issuerOptions: IssuerOptions

    func validate() throws {
        _ = try ListenAddress(listen)
        _ = try limits()
    }

    func limits() throws -> IssuerServer.Limits {
        var limits = IssuerServer.Limits()
        limits.idleTimeout = try validating { try DurationText.parse(idleTimeout, name: "--idle-timeout", range: IssuerServer.Limits.idleTimeoutRange) }
        guard IssuerServer.Limits.maxConnectionsRange.contains(maxConnections) else {
            throw ValidationError("--max-connections must be from 1 to 10000 (not \(maxConnections))")
        }
        limits.maxConnections = maxConnections
        return limits
    }

    func run() async throws {
        let address = try ListenAddress(listen)
        let settings = try issuerOptions.settings(fallbackURL: "http://\(address.urlHost):\(address.port)")
        settings.warnings.forEach(Terminal.warn)
        let home = try CommandContext.brokerHome.prepare()
        // OpenBao is called on every token: keep its connections open.
        let transport = PooledHTTPTransport(environment: CommandContext.variables)
        var options = IssuerServer.Options()
        options.refresh = settings.backends.refresh
        options.metrics = metrics
        let errors = CommandContext.current.output.standardError
        if accessLog { options.accessLog = { errors($0 + "\n") } }
        options.errorLog = { errors($0 + "\n") }
        let server = IssuerServer(issuer: Issuer(settings: settings, home: home, transport: transport), options: options)
        do {
            try await server.run(host: address.host, port: address.port, limits: try limits()) {
                Terminal.note("broker idp serve: issuer \(settings.url) listening on http://\(address.urlHost):\(address.port)")
            }
        } catch {
            await transport.shutdown()
            throw error
        }
        await transport.shutdown()
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

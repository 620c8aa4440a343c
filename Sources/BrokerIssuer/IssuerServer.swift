import BrokerCore
import Foundation
import Hummingbird
import HummingbirdCore
import Logging
import NIOCore

/// `broker idp serve`: discovery, JWKS, and a token endpoint that speaks GitHub Actions'
/// protocol (`GET /token?audience=A` + `Authorization: Bearer <request token>` → `{"value": jwt}`).
public struct IssuerServer: Sendable {
    public let issuer: Issuer
    public let requestTokens: RequestTokenStore
    let state: ServerState

    public init(issuer: Issuer, home: BrokerHome) {
        self.issuer = issuer
        requestTokens = RequestTokenStore(home: home)
        state = ServerState()
    }

    /// Limits that keep idle or slow clients from holding the server (documented in the README).
    public struct Limits: Sendable {
        /// A connection that sends no complete request for this long is closed (slow headers too).
        public var idleTimeout: TimeInterval = 10
        /// Connections beyond this wait in the listen backlog until others close.
        public var maxConnections = 512
        public static let idleTimeoutRange: ClosedRange<TimeInterval> = 1 ... 300
        public static let maxConnectionsRange: ClosedRange<Int> = 1 ... 10000
        public init() {}
    }

    static let paths: Set<String> = ["/.well-known/openid-configuration", "/.well-known/jwks.json", "/token"]

    public func router() -> Router<BasicRequestContext> {
        let router = Router(context: BasicRequestContext.self)
        router.add(middleware: MethodGuard())
        router.get(".well-known/openid-configuration") { _, _ in
            try await jsonResponse(self.documents().discovery, cache: true)
        }
        router.get(".well-known/jwks.json") { _, _ in
            try await jsonResponse(self.documents().jwks, cache: true)
        }
        router.get("token") { request, _ in
            try await self.token(request)
        }
        return router
    }

    public func run(host: String, port: Int, limits: Limits = Limits(), onReady: @escaping @Sendable () -> Void = {}) async throws {
        _ = try await documents()
        var logger = Logger(label: "broker.serve")
        logger.logLevel = .warning
        let app = Application(
            router: router(),
            server: .http1(configuration: .init(idleTimeout: .milliseconds(Int64(limits.idleTimeout * 1000)))),
            configuration: .init(address: .hostname(host, port: port), serverName: "broker",
                                 availableConnectionsDelegate: MaximumAvailableConnections(limits.maxConnections)),
            onServerRunning: { _ in onReady() },
            logger: logger)
        do {
            try await app.runService()
        } catch {
            let text = "\(error)"
            if text.contains("Address already in use") || text.contains("errno: 98") {
                throw BrokerError.failure("cannot listen on \(host):\(port): the address is already in use",
                                          hint: "stop the process using it, or choose another address with --listen HOST:PORT")
            }
            throw BrokerError.failure("cannot serve on \(host):\(port): \(text)")
        }
    }

    // MARK: - Handlers

    func token(_ request: Request) async throws -> Response {
        guard let authorization = request.headers[.authorization],
              authorization.lowercased().hasPrefix("bearer ") else {
            return errorResponse(.unauthorized, "missing_request_token", "send the request token as 'Authorization: Bearer <token>'")
        }
        let presented = String(authorization.dropFirst("bearer ".count)).trimmingCharacters(in: .whitespaces)
        guard let entry = RequestTokenStore.match(presented, in: try requestTokenEntries()) else {
            return errorResponse(.unauthorized, "invalid_request_token", "the request token is unknown or revoked")
        }
        guard let audience = request.uri.queryParameters["audience"].map(String.init), !audience.isEmpty else {
            return errorResponse(.badRequest, "missing_audience", "add ?audience=<audience> to the request")
        }
        if let problem = AudienceRule.problem(audience) {
            return errorResponse(.badRequest, "invalid_audience", "the audience \(problem)")
        }
        let claims = try issuer.claims(audiences: [audience], subject: entry.subject)
        let jwt = try await signer().sign(claims)
        let body = try JSONEncoder().encode(["value": jwt])
        return Response(status: .ok, headers: [.contentType: "application/json", .cacheControl: "no-store"],
                        body: .init(byteBuffer: ByteBuffer(bytes: body)))
    }

    func jsonResponse(_ data: Data, cache: Bool) -> Response {
        Response(status: .ok,
                 headers: [.contentType: "application/json", .cacheControl: cache ? "public, max-age=60" : "no-store"],
                 body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }

    func errorResponse(_ status: HTTPResponse.Status, _ error: String, _ message: String) -> Response {
        let body = (try? JSONEncoder().encode(["error": error, "message": message])) ?? Data()
        return Response(status: status, headers: [.contentType: "application/json", .cacheControl: "no-store"],
                        body: .init(byteBuffer: ByteBuffer(bytes: body)))
    }

    // MARK: - State that follows the files

    /// Discovery and JWKS bodies, rebuilt when the keyring changes (rotation while serving).
    func documents() async throws -> ServerState.Documents {
        let stamp = issuer.keyStore.stamp()
        if let cached = state.documents(stamp: stamp) { return cached }
        let jwks = try JSONOutput.encode(issuer.jwks())
        let discovery = try JSONOutput.encode(issuer.discovery())
        let documents = ServerState.Documents(discovery: discovery, jwks: jwks)
        state.store(documents, stamp: issuer.keyStore.stamp())
        return documents
    }

    func signer() async throws -> TokenSigner {
        let stamp = issuer.keyStore.stamp()
        if let cached = state.signer(stamp: stamp) { return cached }
        let signer = try await issuer.signer()
        state.store(signer, stamp: issuer.keyStore.stamp())
        return signer
    }

    /// Re-read when the file changes, so tokens created or revoked take effect at once.
    func requestTokenEntries() throws -> [RequestTokenStore.Entry] {
        let stamp = requestTokens.stamp()
        if let cached = state.requestTokens(stamp: stamp) { return cached }
        let entries = stamp == nil ? [] : try requestTokens.list()
        state.store(entries, stamp: stamp)
        return entries
    }
}

/// Every path answers GET (and HEAD) only: anything else is 405 with `Allow`, not a 404.
struct MethodGuard: RouterMiddleware {
    typealias Context = BasicRequestContext

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard IssuerServer.paths.contains(request.uri.path), request.method != .get, request.method != .head else {
            return try await next(request, context)
        }
        let body = #"{"error":"method_not_allowed","message":"use GET"}"#
        return Response(status: .methodNotAllowed, headers: [.allow: "GET, HEAD", .contentType: "application/json"],
                        body: .init(byteBuffer: ByteBuffer(string: body)))
    }
}

/// Caches keyed by file modification stamps; a stale read only costs a rebuild.
final class ServerState: @unchecked Sendable {
    struct Documents: Sendable {
        var discovery: Data
        var jwks: Data
    }

    private let lock = NSLock()
    private var cachedDocuments: (Date?, Documents)?
    private var documentsBuiltAt = Date.distantPast
    private var cachedSigner: (Date?, TokenSigner)?
    private var cachedTokens: (Date?, [RequestTokenStore.Entry])?

    /// Also rebuilt once a minute, so a retired key leaves the JWKS when its retention ends.
    func documents(stamp: Date?) -> Documents? {
        lock.withLock {
            guard Date().timeIntervalSince(documentsBuiltAt) < 60 else { return nil }
            return cachedDocuments.flatMap { $0.0 == stamp && stamp != nil ? $0.1 : nil }
        }
    }
    func store(_ documents: Documents, stamp: Date?) {
        lock.withLock {
            cachedDocuments = (stamp, documents)
            documentsBuiltAt = Date()
        }
    }

    func signer(stamp: Date?) -> TokenSigner? {
        lock.withLock { cachedSigner.flatMap { $0.0 == stamp && stamp != nil ? $0.1 : nil } }
    }
    func store(_ signer: TokenSigner, stamp: Date?) { lock.withLock { cachedSigner = (stamp, signer) } }

    func requestTokens(stamp: Date?) -> [RequestTokenStore.Entry]? {
        lock.withLock { cachedTokens.flatMap { $0.0 == stamp ? $0.1 : nil } }
    }
    func store(_ tokens: [RequestTokenStore.Entry], stamp: Date?) { lock.withLock { cachedTokens = (stamp, tokens) } }
}

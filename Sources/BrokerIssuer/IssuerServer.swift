import BrokerCore
import Foundation
import Hummingbird
import HummingbirdCore
import HTTPTypes
import Logging
import NIOCore

/// `broker idp serve`: discovery, JWKS, and a token endpoint that speaks GitHub Actions'
/// protocol (`GET /token?audience=A` + `Authorization: Bearer <request token>` → `{"value": jwt}`).
/// With OpenBao behind it (transit keys, KV request tokens) it is one stateless replica of many:
/// besides caches it holds nothing, `/healthz` and `/readyz` answer a load balancer, and while
/// OpenBao is unreachable `/token` answers 503 with Retry-After and discovery and JWKS are
/// served from cache.
public struct IssuerServer: Sendable {
    public let issuer: Issuer
    public let options: Options
    let state: ServerState
    let metrics: ServerMetrics

    public struct Options: Sendable {
        /// How long cached keys and request tokens are trusted before OpenBao is asked again
        /// (files are re-read as soon as they change).
        public var refresh: TimeInterval = 5
        /// Serve `/metrics` (Prometheus text format).
        public var metrics = false
        /// One logfmt line per request on stderr (never a token).
        public var accessLog: (@Sendable (String) -> Void)?
        /// Backend failures in full (the operator's to read; clients get only their kind).
        public var errorLog: (@Sendable (String) -> Void)?
        public init() {}
    }

    public init(issuer: Issuer, options: Options = Options()) {
        self.issuer = issuer
        self.options = options
        state = ServerState()
        metrics = ServerMetrics()
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

    static let paths: Set<String> = ["/.well-known/openid-configuration", "/.well-known/jwks.json", "/token", "/healthz", "/readyz", "/metrics"]
    /// The token handler names the request token it matched here, for the access log only.
    static let requestTokenHeader = HTTPField.Name("X-Broker-Request-Token-Id")!
    /// Seconds a client should wait after a 503.
    var retryAfter: String { String(max(1, Int(options.refresh.rounded(.up)))) }

    public func router() -> Router<BasicRequestContext> {
        let router = Router(context: BasicRequestContext.self)
        router.add(middleware: AccessLog(log: options.accessLog, metrics: metrics))
        router.add(middleware: MethodGuard())
        router.get(".well-known/openid-configuration") { _, _ in
            try await self.documentResponse { $0.discovery }
        }
        router.get(".well-known/jwks.json") { _, _ in
            try await self.documentResponse { $0.jwks }
        }
        router.get("token") { request, _ in
            try await self.token(request)
        }
        router.get("healthz") { _, _ in
            self.jsonResponse(Data(#"{"status":"ok"}"#.utf8), cache: false)
        }
        router.get("readyz") { _, _ in
            await self.readiness()
        }
        if options.metrics {
            router.get("metrics") { _, _ in
                Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4"],
                         body: .init(byteBuffer: ByteBuffer(string: self.metrics.exposition())))
            }
        }
        return router
    }

    /// Serves until SIGTERM or SIGINT, then stops accepting and finishes what is in flight.
    public func run(host: String, port: Int, limits: Limits = Limits(), onReady: @escaping @Sendable () -> Void = {}) async throws {
        do {
            _ = try await documents()
        } catch let unavailable as OpenBaoUnavailable {
            // A replica starts while OpenBao is down: it serves 503s and recovers by itself.
            options.errorLog?("level=warning msg=\"starting without keys\" error=\(ServerMetrics.quoted("\(unavailable)"))")
        }
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
        let entries: [RequestTokenStore.Entry]
        do { entries = try await requestTokenEntries() } catch { return unavailable(error) }
        guard let entry = RequestTokenStore.match(presented, in: entries) else {
            return errorResponse(.unauthorized, "invalid_request_token", "the request token is unknown or revoked")
        }
        guard let audience = request.uri.queryParameters["audience"].map(String.init), !audience.isEmpty else {
            return errorResponse(.badRequest, "missing_audience", "add ?audience=<audience> to the request")
        }
        if let problem = AudienceRule.problem(audience) {
            return errorResponse(.badRequest, "invalid_audience", "the audience \(problem)")
        }
        let claims = try issuer.claims(audiences: [audience], subject: entry.subject)
        let jwt: String
        let started = ContinuousClock.now
        do {
            jwt = try await signer().sign(claims)
        } catch {
            state.forgetSigner()
            return unavailable(error)
        }
        metrics.observeSigning(ContinuousClock.now - started)
        let body = try JSONEncoder().encode(["value": jwt])
        var response = Response(status: .ok, headers: [.contentType: "application/json", .cacheControl: "no-store"],
                                body: .init(byteBuffer: ByteBuffer(bytes: body)))
        response.headers[Self.requestTokenHeader] = entry.id
        return response
    }

    /// Ready when the keys and request tokens can be read now and a key can sign.
    func readiness() async -> Response {
        do {
            _ = try await issuer.publishedKeys()
            _ = try await issuer.requestTokens.list()
            let signer = try await issuer.signer()
            return jsonResponse(try JSONEncoder().encode(["status": "ready", "kid": signer.kid]), cache: false)
        } catch {
            return unavailable(error, code: "not_ready")
        }
    }

    func documentResponse(_ pick: (ServerState.Documents) -> Data) async throws -> Response {
        do {
            return jsonResponse(pick(try await documents()), cache: true)
        } catch {
            return unavailable(error)
        }
    }

    /// 503 + Retry-After while OpenBao cannot answer; 500 for anything else (a policy that
    /// lacks a path, a missing key: an operator's to fix). The details (OpenBao's address, its
    /// own errors) go to the error log only: `/token` answers them before any request token is
    /// checked.
    func unavailable(_ error: any Error, code: String = "backend_unavailable") -> Response {
        metrics.countBackendError()
        options.errorLog?("level=error msg=\"backend call failed\" error=\(ServerMetrics.quoted("\(error)"))")
        guard error is OpenBaoUnavailable || code == "not_ready" else {
            return errorResponse(.internalServerError, "issuer_error", "the issuer cannot sign now; its operator has the details in its log")
        }
        var response = errorResponse(.serviceUnavailable, code, error is OpenBaoUnavailable
            ? "the issuer's key store is unreachable; try again after Retry-After seconds"
            : "the issuer cannot sign now; its operator has the details in its log")
        response.headers[.retryAfter] = retryAfter
        return response
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

    // MARK: - Cached state

    /// Discovery and JWKS bodies, rebuilt when the keys change (a file stamp) or the refresh
    /// interval passes; while the backend fails, the last ones built are served.
    func documents() async throws -> ServerState.Documents {
        let stamp = issuer.keys.stamp()
        if let cached = state.documents(stamp: stamp, refresh: options.refresh) { return cached }
        do {
            let keys = try await issuer.publishedKeys()
            let documents = ServerState.Documents(discovery: try JSONOutput.encode(issuer.discovery(keys: keys)),
                                                  jwks: try JSONOutput.encode(Issuer.jwks(keys)))
            state.store(documents, stamp: issuer.keys.stamp())
            return documents
        } catch {
            if let stale = state.lastDocuments() { return stale }
            throw error
        }
    }

    func signer() async throws -> any TokenSigning {
        let stamp = issuer.keys.stamp()
        if let cached = state.signer(stamp: stamp, refresh: options.refresh) { return cached }
        let signer = try await issuer.signer()
        state.store(signer, stamp: issuer.keys.stamp())
        return signer
    }

    /// Re-read when the file changes (at once) or the refresh interval passes (OpenBao).
    func requestTokenEntries() async throws -> [RequestTokenStore.Entry] {
        let stamp = issuer.requestTokens.stamp()
        if let cached = state.requestTokens(stamp: stamp, refresh: options.refresh) { return cached }
        let entries = try await issuer.requestTokens.list()
        state.store(entries, stamp: issuer.requestTokens.stamp())
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

/// One logfmt line per request (method, path, status, duration, the request token's id, never
/// a token or query), and the request counters.
struct AccessLog: RouterMiddleware {
    typealias Context = BasicRequestContext
    let log: (@Sendable (String) -> Void)?
    let metrics: ServerMetrics

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let started = ContinuousClock.now
        var status = 500
        var requestToken: String?
        defer {
            let elapsed = ContinuousClock.now - started
            let milliseconds = Double(elapsed.components.seconds) * 1000 + Double(elapsed.components.attoseconds) / 1e15
            metrics.countRequest(path: IssuerServer.paths.contains(request.uri.path) ? request.uri.path : "other", status: status)
            log?("method=\(request.method) path=\(ServerMetrics.quoted(request.uri.path)) status=\(status) "
                + String(format: "duration_ms=%.2f", milliseconds) + (requestToken.map { " request_token=\($0)" } ?? ""))
        }
        var response = try await next(request, context)
        status = Int(response.status.code)
        requestToken = response.headers[IssuerServer.requestTokenHeader]
        response.headers[IssuerServer.requestTokenHeader] = nil
        return response
    }
}

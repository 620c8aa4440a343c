import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import NIOSSL

/// One HTTP exchange within a hard time limit. Retry policy lives with the caller, which
/// knows which answers are worth another try.
///
/// Built on async-http-client rather than URLSession: FoundationNetworking loads libcurl and
/// its ~30 libraries into every broker process (about 9 ms here before main runs), cannot
/// trust a private CA per request on Linux, and deadlocks when cancelled at the wrong moment.
public struct HTTPClient: Sendable {
    public struct Response: Sendable {
        public var status: Int
        public var headers: [String: String]
        public var body: Data

        public init(status: Int, headers: [String: String], body: Data) {
            self.status = status
            self.headers = headers
            self.body = body
        }
    }

    /// Answers larger than this are refused rather than buffered.
    public static let maxBodyBytes = 4 << 20

    public var timeout: TimeInterval
    /// A PEM bundle that replaces the system trust roots (Vault's `caCert`, the AWS CLI's
    /// AWS_CA_BUNDLE); else `SSL_CERT_FILE` from `environment`, else the system bundle.
    public var caCertFile: String?
    /// The caller's (injected) environment: proxy variables and SSL_CERT_FILE come from here.
    public var environment: [String: String]

    public init(timeout: TimeInterval = 10, caCertFile: String? = nil, environment: [String: String]) {
        self.timeout = timeout
        self.caCertFile = caCertFile
        self.environment = environment
    }

    /// Sends `request`; throws `HTTPTransportError` when no HTTP answer arrives in time.
    public func send(_ request: HTTPRequest) async throws -> Response {
        let target = try Self.checkTarget(request)
        let client = try makeClient(for: request.url)
        do {
            let response = try await withDeadline(timeout, target: target) { try await exchange(request, on: client) }
            try await client.shutdown()
            return response
        } catch {
            try? await client.shutdown()
            throw HTTPTransportError.classify(error, target: target, seconds: timeout,
                                              proxy: ProxySettings(environment: environment).describe(for: request.url))
        }
    }

    /// An http(s) URL with a host and a usable port; what errors may show of it.
    static func checkTarget(_ request: HTTPRequest) throws -> String {
        guard let scheme = request.url.scheme?.lowercased(), scheme == "http" || scheme == "https", request.url.host != nil,
              HTTPURL.ports.contains(request.url.port ?? 443) else {
            throw HTTPTransportError(.badURL, target: request.shownTarget)
        }
        return request.shownTarget
    }

    func exchange(_ request: HTTPRequest, on client: AsyncHTTPClient.HTTPClient) async throws -> Response {
        var outgoing = HTTPClientRequest(url: request.url.absoluteString)
        outgoing.method = HTTPMethod(rawValue: request.method)
        for (name, value) in request.headers { outgoing.headers.add(name: name, value: value) }
        if let body = request.body { outgoing.body = .bytes(ByteBuffer(bytes: body)) }
        let response = try await client.execute(outgoing, timeout: Self.timeAmount(timeout))
        let body: ByteBuffer
        do {
            body = try await response.body.collect(upTo: Self.maxBodyBytes)
        } catch is NIOTooManyBytesError {
            throw HTTPTransportError(.tooLarge, target: request.shownTarget)
        }
        var headers: [String: String] = [:]
        for (name, value) in response.headers { headers[name.lowercased()] = value }
        return Response(status: Int(response.status.code), headers: headers, body: Data(body.readableBytesView))
    }

    func makeClient(for url: URL) throws -> AsyncHTTPClient.HTTPClient {
        var configuration = AsyncHTTPClient.HTTPClient.Configuration()
        var tls = TLSConfiguration.makeClientConfiguration()
        // Like OpenSSL-based tools, SSL_CERT_FILE replaces the system bundle (corporate CAs).
        if url.scheme?.lowercased() == "https", let bundle = caCertFile ?? environment["SSL_CERT_FILE"].flatMap({ $0.isEmpty ? nil : $0 }) {
            guard FileManager.default.isReadableFile(atPath: bundle) else {
                throw BrokerError.usage("cannot read the CA bundle \(bundle)\(caCertFile == nil ? " (SSL_CERT_FILE)" : "")")
            }
            tls.trustRoots = .file(bundle)
        }
        configuration.tlsConfiguration = tls
        configuration.proxy = try ProxySettings(environment: environment).proxy(for: url)
        let limit = Self.timeAmount(timeout)
        configuration.timeout = .init(connect: limit, read: limit)
        configuration.decompression = .disabled
        // Fail a refused, untrusted or proxy-denied connection at once: the caller's retry
        // policy decides what deserves another try, instead of a silent loop until the timeout.
        configuration.connectionPool.retryConnectionEstablishment = false
        return AsyncHTTPClient.HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }

    /// Settings cap timeouts well below a day; clamping here keeps any caller from trapping.
    static func timeAmount(_ seconds: TimeInterval) -> TimeAmount {
        .nanoseconds(Int64((seconds.isFinite ? min(max(seconds, 0), 86400) : 86400) * 1_000_000_000))
    }

    /// GET a JSON document, failing with the URL named on any transport error or non-2xx.
    public func getJSON<T: Decodable>(_ url: String, as type: T.Type, what: String) async throws -> T {
        let target = try HTTPURL.parse(url, name: what)
        var request = HTTPRequest(url: target)
        request.setHeader("Accept", "application/json")
        let response: Response
        do {
            response = try await send(request)
        } catch let error as HTTPTransportError {
            throw BrokerError.failure("\(what): cannot fetch \(url): \(error)")
        }
        guard (200..<300).contains(response.status) else {
            throw BrokerError.failure("\(what): \(url) answered HTTP \(response.status)")
        }
        do {
            return try JSONDecoder().decode(T.self, from: response.body)
        } catch {
            throw BrokerError.failure("\(what): \(url) did not return the expected JSON: \(error)")
        }
    }
}

/// Runs `operation` and cancels it when `seconds` pass. async-http-client handles
/// cancellation (it closes the connection), so nothing is left running.
func withDeadline<T: Sendable>(
    _ seconds: TimeInterval, target: String, _ operation: @escaping @Sendable () async throws -> T
) async throws -> T {
    try await withThrowingTaskGroup(of: T.self) { group in
        group.addTask(operation: operation)
        group.addTask {
            try await Task.sleep(nanoseconds: UInt64(HTTPClient.timeAmount(seconds).nanoseconds))
            throw HTTPTransportError(.timeout, target: target, seconds: seconds)
        }
        defer { group.cancelAll() }
        return try await group.next()!
    }
}

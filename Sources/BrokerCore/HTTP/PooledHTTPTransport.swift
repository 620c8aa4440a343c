import AsyncHTTPClient
import Foundation

/// The live network for a long-running process that calls one peer on every request (an
/// issuer replica signing through OpenBao): one async-http-client per scheme, host and CA
/// bundle, whose connections are kept and reused instead of opened (and TLS-handshaken) per
/// call. `shutdown()` before the process ends.
public final class PooledHTTPTransport: HTTPTransport, @unchecked Sendable {
    private let environment: [String: String]
    private let lock = NSLock()
    private var clients: [String: AsyncHTTPClient.HTTPClient] = [:]

    public init(environment: [String: String]) { self.environment = environment }

    public func send(_ request: HTTPRequest, timeout: TimeInterval, caCertFile: String?) async throws -> HTTPClient.Response {
        let settings = HTTPClient(timeout: timeout, caCertFile: caCertFile, environment: environment)
        let target = try HTTPClient.checkTarget(request)
        let client = try lock.withLock {
            let key = "\(target)|\(caCertFile ?? "")"
            if let client = clients[key] { return client }
            let client = try settings.makeClient(for: request.url)
            clients[key] = client
            return client
        }
        do {
            return try await withDeadline(timeout, target: target) { try await settings.exchange(request, on: client) }
        } catch {
            throw HTTPTransportError.classify(error, target: target, seconds: timeout,
                                              proxy: ProxySettings(environment: environment).describe(for: request.url))
        }
    }

    public func shutdown() async {
        let all = lock.withLock {
            defer { clients = [:] }
            return Array(clients.values)
        }
        for client in all { try? await client.shutdown() }
    }
}

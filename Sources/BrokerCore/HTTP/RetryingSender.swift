import Foundation

/// Sends one request with the retry rule every JSON/form API caller follows: network faults,
/// 429 (after its Retry-After) and 5xx are tried again; any other answer is returned as it is,
/// for the caller to read (a 4xx never succeeds by asking again).
public struct RetryingSender: Sendable {
    public let transport: any HTTPTransport
    /// Each attempt's time limit.
    public let timeout: TimeInterval
    public let maxAttempts: Int
    /// How errors name the peer ("the token endpoint https://...").
    public let peer: String
    public var caCertFile: String?

    public init(transport: any HTTPTransport, timeout: TimeInterval, maxAttempts: Int = 5, peer: String, caCertFile: String? = nil) {
        self.transport = transport
        self.timeout = timeout
        self.maxAttempts = maxAttempts
        self.peer = peer
        self.caCertFile = caCertFile
    }

    public func send(_ request: HTTPRequest) async throws -> HTTPClient.Response {
        let retry = RetryPolicy(maxAttempts: max(1, maxAttempts), deadline: max(60, timeout * Double(max(1, maxAttempts)) + 30))
        let (peer, transport, caCertFile) = (self.peer, self.transport, self.caCertFile)
        return try await retry.run(attemptTimeout: timeout) { _, timeout in
            let response: HTTPClient.Response
            do {
                response = try await transport.send(request, timeout: timeout, caCertFile: caCertFile)
            } catch let error as HTTPTransportError {
                if error.isTransient { return .transient("cannot reach it: \(error)") }
                throw BrokerError.failure("cannot reach \(peer): \(error)")
            }
            if RetryPolicy.isTransient(status: response.status) {
                return .transient("HTTP \(response.status)", retryAfter: RetryPolicy.retryAfter(response.headers))
            }
            return .done(response)
        } exhausted: { attempts, _, problem in
            BrokerError.failure("\(peer) did not answer after \(attempts) attempt\(attempts == 1 ? "" : "s"): \(problem)")
        }
    }
}

import Foundation

/// The one seam every network caller goes through: STS, Vault, OAuth token endpoints and the
/// CI token services send a request and get an answer or an `HTTPTransportError`. The live
/// transport is async-http-client (`HTTPClient`); tests hand in a scripted one, so retries and
/// error handling are tested in-process.
public protocol HTTPTransport: Sendable {
    /// `caCertFile`: a PEM bundle trusted instead of the system's (else `SSL_CERT_FILE`).
    func send(_ request: HTTPRequest, timeout: TimeInterval, caCertFile: String?) async throws -> HTTPClient.Response
}

/// The real network, with the proxy and CA rules of `HTTPClient`.
public struct LiveHTTPTransport: HTTPTransport {
    public let environment: [String: String]

    public init(environment: [String: String]) { self.environment = environment }

    public func send(_ request: HTTPRequest, timeout: TimeInterval, caCertFile: String?) async throws -> HTTPClient.Response {
        try await HTTPClient(timeout: timeout, caCertFile: caCertFile, environment: environment).send(request)
    }
}

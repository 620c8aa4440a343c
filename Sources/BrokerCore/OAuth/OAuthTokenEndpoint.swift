import Foundation

/// An OAuth 2.0 token endpoint: the form POST, its answer (RFC 6749 §5.1, RFC 8693 §2.2) and
/// its errors (§5.2), with the retry rule every network caller follows. Token exchange uses it
/// today; Google's STS and Entra ID's token endpoint speak the same protocol.
public struct OAuthTokenEndpoint: Sendable {
    public let url: URL
    public let timeout: TimeInterval
    public let transport: any HTTPTransport

    public init(url: URL, timeout: TimeInterval, transport: any HTTPTransport) {
        self.url = url
        self.timeout = timeout
        self.transport = transport
    }

    /// RFC 8693 §2.1: `grant_type` token-exchange with the subject token and its type.
    public static func tokenExchangeFields(subjectToken: SecretValue, subjectTokenType: String, requestedTokenType: String?,
                                           audience: String? = nil, resource: String? = nil, scope: String? = nil) -> [(String, String)] {
        var fields: [(String, String)] = [
            ("grant_type", "urn:ietf:params:oauth:grant-type:token-exchange"),
            ("subject_token", subjectToken.reveal),
            ("subject_token_type", subjectTokenType),
        ]
        if let requestedTokenType { fields.append(("requested_token_type", requestedTokenType)) }
        if let audience { fields.append(("audience", audience)) }
        if let resource { fields.append(("resource", resource)) }
        if let scope { fields.append(("scope", scope)) }
        return fields
    }

    /// The successful answer's members broker reads.
    public struct TokenResponse: Decodable, Sendable {
        public var access_token: String?
        public var issued_token_type: String?
        public var token_type: String?
        public var expires_in: Double?
        public var scope: String?
    }

    /// RFC 6749 §5.2.
    public struct ErrorResponse: Decodable, Sendable {
        public var error: String?
        public var error_description: String?
        public var error_uri: String?
    }

    /// Posts the form and returns the token answer; an OAuth error answer becomes a failure
    /// naming its `error`, `error_description` and `error_uri`.
    public func requestToken(fields: [(String, String)], client: OAuthClientAuthentication, what: String = "the exchange") async throws -> TokenResponse {
        var request = HTTPRequest("POST", url: url)
        request.setHeader("Content-Type", "application/x-www-form-urlencoded")
        request.setHeader("Accept", "application/json")
        var fields = fields
        client.apply(to: &request, fields: &fields)
        request.body = FormEncoding.body(fields)
        let response = try await send(request)
        let endpoint = url.absoluteString
        guard (200...299).contains(response.status) else {
            if let oauth = try? JSONDecoder().decode(ErrorResponse.self, from: response.body), let code = oauth.error {
                throw BrokerError.failure("the token endpoint \(endpoint) refused \(what): \(code)"
                                          + (oauth.error_description.map { ": \($0)" } ?? "") + " (HTTP \(response.status))"
                                          + (oauth.error_uri.map { "; see \($0)" } ?? ""),
                                          hint: code == "invalid_client" ? "check clientId, clientAuth and the client secret" : nil)
            }
            throw BrokerError.failure("the token endpoint \(endpoint) answered HTTP \(response.status)")
        }
        guard let answer = try? JSONDecoder().decode(TokenResponse.self, from: response.body), let token = answer.access_token, !token.isEmpty else {
            throw BrokerError.failure("the token endpoint \(endpoint) answered without an access_token")
        }
        return answer
    }

    /// Network faults, 429 (after its Retry-After) and 5xx are tried again; 4xx never.
    func send(_ request: HTTPRequest) async throws -> HTTPClient.Response {
        let retry = RetryPolicy(maxAttempts: 5, deadline: max(60, timeout * 5 + 30))
        let endpoint = url.absoluteString
        let transport = self.transport
        return try await retry.run(attemptTimeout: timeout) { _, timeout in
            try await Self.attempt(request, endpoint: endpoint, timeout: timeout, transport: transport)
        } exhausted: { attempts, _, problem in
            BrokerError.failure("the token endpoint \(endpoint) did not answer after \(attempts) attempts: \(problem)")
        }
    }

    private static func attempt(_ request: HTTPRequest, endpoint: String, timeout: TimeInterval,
                                transport: any HTTPTransport) async throws -> RetryAttempt<HTTPClient.Response> {
        let response: HTTPClient.Response
        do {
            response = try await transport.send(request, timeout: timeout, caCertFile: nil)
        } catch let error as HTTPTransportError {
            if error.isTransient { return .transient("cannot reach it: \(error)") }
            throw BrokerError.failure("cannot reach the token endpoint \(endpoint): \(error)")
        }
        if RetryPolicy.isTransient(status: response.status) {
            return .transient("HTTP \(response.status)", retryAfter: RetryPolicy.retryAfter(response.headers))
        }
        return .done(response)
    }
}

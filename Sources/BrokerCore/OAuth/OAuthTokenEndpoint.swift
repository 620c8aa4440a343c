import Foundation

/// An OAuth 2.0 token endpoint: the form POST, its answer (RFC 6749 §5.1, RFC 8693 §2.2) and
/// its errors (§5.2), with the retry rule every network caller follows. Token exchange uses it
/// today; Google's STS and Entra ID's token endpoint speak the same protocol.
public struct OAuthTokenEndpoint: Sendable {
    public let url: URL
    public let timeout: TimeInterval
    public let transport: any HTTPTransport
    /// Attempts for network faults, 429 and 5xx (never 4xx).
    public let maxAttempts: Int

    public init(url: URL, timeout: TimeInterval, maxAttempts: Int = 5, transport: any HTTPTransport) {
        self.url = url
        self.timeout = timeout
        self.maxAttempts = maxAttempts
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

    /// RFC 6749 §4.4: the client-credentials grant (the client authenticates itself; with an
    /// assertion, the identity token is its credential).
    public static func clientCredentialsFields(scope: String) -> [(String, String)] {
        [("grant_type", "client_credentials"), ("scope", scope)]
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

    /// The endpoint said no: its status and, when it sent one, its RFC 6749 §5.2 error (which a
    /// provider may explain further: Google's `invalid_grant` with the token's claims).
    public struct Refusal: Error, CustomStringConvertible, Sendable {
        public var endpoint: String
        public var what: String
        public var status: Int
        public var answer: ErrorResponse?
        /// The answer as sent, for members beyond RFC 6749's (Entra's `error_codes`, `trace_id`).
        public var body: Data

        public var code: String? { answer?.error }

        /// `error: error_description (HTTP n); see error_uri`, or the bare status.
        public var reason: String {
            guard let answer, let code = answer.error else { return "HTTP \(status)" }
            return code + (answer.error_description.map { ": \($0)" } ?? "") + " (HTTP \(status))" + (answer.error_uri.map { "; see \($0)" } ?? "")
        }

        public var description: String {
            guard answer != nil else { return "the token endpoint \(endpoint) answered HTTP \(status)" }
            return BrokerError.failure("the token endpoint \(endpoint) refused \(what): \(reason)",
                                       hint: code == "invalid_client" ? "check clientId, clientAuth and the client secret" : nil).description
        }
    }

    /// Posts the form and returns the token answer; a non-2xx answer throws `Refusal`.
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
            let oauth = try? JSONDecoder().decode(ErrorResponse.self, from: response.body)
            throw Refusal(endpoint: url.absoluteString, what: what, status: response.status,
                          answer: oauth?.error == nil ? nil : oauth, body: response.body)
        }
        guard let answer = try? JSONDecoder().decode(TokenResponse.self, from: response.body), let token = answer.access_token, !token.isEmpty else {
            throw BrokerError.failure("the token endpoint \(endpoint) answered without an access_token")
        }
        return answer
    }

    func send(_ request: HTTPRequest) async throws -> HTTPClient.Response {
        try await RetryingSender(transport: transport, timeout: timeout, maxAttempts: maxAttempts,
                                 peer: "the token endpoint \(url.absoluteString)").send(request)
    }
}

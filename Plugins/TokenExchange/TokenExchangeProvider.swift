import BrokerCore
import Foundation

/// Adapter `token-exchange`: an RFC 8693 exchange at any OAuth 2.0 token endpoint
/// (Keycloak, Okta, an internal STS); the issued token goes to `outputFile` (0600).
public struct TokenExchangeProvider: Provider {
    public let settings: TokenExchangeSettings
    public let audience: String
    public let environment: [String: String]

    public init(settings: TokenExchangeSettings, audience: String, environment: [String: String]) {
        self.settings = settings
        self.audience = audience
        self.environment = environment
    }

    struct Answer: Decodable {
        var access_token: String?
        var issued_token_type: String?
        var token_type: String?
        var expires_in: Double?
        var scope: String?
    }

    struct OAuthError: Decodable {
        var error: String?
        var error_description: String?
    }

    public func login(token: IdentityToken, journal: LoginJournal) async throws -> LoginResult {
        let secret = try settings.clientSecret(environment: environment)
        var request = HTTPRequest("POST", url: settings.tokenURL)
        request.setHeader("Content-Type", "application/x-www-form-urlencoded")
        request.setHeader("Accept", "application/json")
        var fields: [(String, String)] = [
            ("grant_type", "urn:ietf:params:oauth:grant-type:token-exchange"),
            ("subject_token", token.jwt.reveal),
            ("subject_token_type", settings.subjectTokenType),
            ("requested_token_type", settings.requestedTokenType),
        ]
        if let value = settings.exchangeAudience { fields.append(("audience", value)) }
        if let value = settings.resource { fields.append(("resource", value)) }
        if let value = settings.scope { fields.append(("scope", value)) }
        switch settings.clientAuth {
        case .none:
            if let clientId = settings.clientId { fields.append(("client_id", clientId)) }
        case .post:
            fields += [("client_id", settings.clientId!), ("client_secret", secret!.reveal)]
        case .basic:
            // RFC 6749 §2.3.1: form-encode id and secret, then base64 them for Basic.
            let pair = "\(FormEncoding.encode(settings.clientId!)):\(FormEncoding.encode(secret!.reveal))"
            request.setHeader("Authorization", "Basic " + Data(pair.utf8).base64EncodedString())
        }
        request.body = FormEncoding.body(fields)
        let endpoint = settings.tokenURL.absoluteString
        let response = try await exchange(request, endpoint: endpoint)
        guard (200...299).contains(response.status) else {
            if let oauth = try? JSONDecoder().decode(OAuthError.self, from: response.body), let code = oauth.error {
                throw BrokerError.failure("the token endpoint \(endpoint) refused the exchange: \(code)"
                                          + (oauth.error_description.map { ": \($0)" } ?? "") + " (HTTP \(response.status))",
                                          hint: code == "invalid_client" ? "check clientId, clientAuth and the client secret" : nil)
            }
            throw BrokerError.failure("the token endpoint \(endpoint) answered HTTP \(response.status)")
        }
        guard let answer = try? JSONDecoder().decode(Answer.self, from: response.body), let issued = answer.access_token, !issued.isEmpty else {
            throw BrokerError.failure("the token endpoint \(endpoint) answered without an access_token")
        }
        let value = SecretValue(issued)
        try journal.writeFile(settings.outputFile, contents: Data(value.reveal.utf8))
        var details = ["tokenUrl": endpoint]
        if let type = answer.issued_token_type { details["issuedTokenType"] = type }
        if let scope = answer.scope { details["scope"] = scope }
        let environment = settings.envVariable.map { [EnvironmentExport.Variable($0, value.reveal, secret: true)] } ?? []
        let credentials = IssuedCredentials(
            identity: "\(answer.issued_token_type ?? settings.requestedTokenType) from \(settings.tokenURL.host ?? endpoint)",
            expiration: answer.expires_in.map { Date().addingTimeInterval($0) },
            secrets: ["token": value], details: details, environment: environment)
        return LoginResult(credentials: credentials, written: [WrittenTarget(kind: .file, path: settings.outputFile)])
    }

    /// Network faults, 429 (after its Retry-After) and 5xx are tried again; 4xx never.
    private func exchange(_ request: HTTPRequest, endpoint: String) async throws -> HTTPClient.Response {
        let retry = RetryPolicy(maxAttempts: 5, deadline: max(60, settings.timeout * 5 + 30))
        let environment = self.environment
        return try await retry.run(attemptTimeout: settings.timeout) { _, timeout in
            try await Self.attempt(request, endpoint: endpoint, timeout: timeout, environment: environment)
        } exhausted: { attempts, _, problem in
            BrokerError.failure("the token endpoint \(endpoint) did not answer after \(attempts) attempts: \(problem)")
        }
    }

    private static func attempt(_ request: HTTPRequest, endpoint: String, timeout: TimeInterval,
                                environment: [String: String]) async throws -> RetryAttempt<HTTPClient.Response> {
        let response: HTTPClient.Response
        do {
            response = try await HTTPClient(timeout: timeout, environment: environment).send(request)
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

import Foundation

/// A GitHub Actions job's OIDC token from the runner's token service:
/// `GET $ACTIONS_ID_TOKEN_REQUEST_URL&audience=…` with the request token as bearer, answered
/// by `{"value": "<jwt>"}`. GitHub sets the two variables only for jobs with
/// `permissions: id-token: write`.
public struct GitHubActionsTokenSource: TokenSource {
    public static let urlVariable = "ACTIONS_ID_TOKEN_REQUEST_URL"
    public static let tokenVariable = "ACTIONS_ID_TOKEN_REQUEST_TOKEN"

    public let environment: [String: String]
    /// Attempts, backoff and the overall deadline for transient failures (5xx, 429, network).
    public let retry: RetryPolicy
    /// How long one request may take before it counts as a transient failure.
    public let attemptTimeout: TimeInterval
    public let transport: any HTTPTransport

    public init(
        environment: [String: String],
        retry: RetryPolicy = RetryPolicy(maxAttempts: 5, baseDelay: 0.5, maxDelay: 5, deadline: 30),
        attemptTimeout: TimeInterval = 10,
        transport: (any HTTPTransport)? = nil
    ) {
        self.environment = environment
        self.retry = retry
        self.attemptTimeout = attemptTimeout
        self.transport = transport ?? LiveHTTPTransport(environment: environment)
    }

    public var name: String { "GitHub Actions OIDC token service" }

    public func token(audience: String) async throws -> IdentityToken {
        let (base, bearer) = try endpoint()
        let shown = Self.withoutQuery(base)
        guard let url = URL(string: Self.requestURL(base, audience: audience)) else {
            throw BrokerError.usage("GitHub Actions: cannot build a request URL from \(Self.urlVariable) (\(shown)) and audience '\(audience)'")
        }
        var request = HTTPRequest(url: url)
        request.setHeader("Authorization", "Bearer \(bearer)")
        request.setHeader("Accept", "application/json")

        return try await retry.run(attemptTimeout: attemptTimeout) { _, timeout in
            try await send(request, shown: shown, bearer: bearer, timeout: timeout)
        } exhausted: { attempts, elapsed, problem in
            BrokerError.failure(
                "GitHub Actions: no identity token from \(shown) after \(attempts) attempt\(attempts == 1 ? "" : "s") in \(Self.seconds(elapsed)): \(problem)",
                hint: "GitHub's token service may be unavailable; re-run the job later")
        }
    }

    /// The request URL and bearer, or a usage error naming what GitHub did not set.
    private func endpoint() throws -> (url: String, bearer: String) {
        let url = environment[Self.urlVariable] ?? ""
        let bearer = environment[Self.tokenVariable] ?? ""
        let missing = [(Self.urlVariable, url), (Self.tokenVariable, bearer)].filter { $0.1.isEmpty }.map(\.0)
        guard missing.isEmpty else {
            throw BrokerError.usage(
                "GitHub Actions: \(missing.joined(separator: " and ")) \(missing.count == 1 ? "is" : "are") not set, so this job cannot request an identity token",
                hint: "give the workflow or job `permissions: id-token: write`; GitHub sets these variables only then")
        }
        guard let parsed = URL(string: url), ["http", "https"].contains(parsed.scheme?.lowercased() ?? ""), parsed.host != nil else {
            throw BrokerError.usage("GitHub Actions: \(Self.urlVariable) is not an http(s) URL (\(Self.withoutQuery(url)))")
        }
        return (url, bearer)
    }

    /// One request. Transient failures come back as `.transient`; anything retrying cannot fix throws.
    private func send(_ request: HTTPRequest, shown: String, bearer: String, timeout: TimeInterval) async throws -> RetryAttempt<IdentityToken> {
        let response: HTTPClient.Response
        do {
            response = try await transport.send(request, timeout: timeout, caCertFile: nil)
        } catch let error as HTTPTransportError {
            try Task.checkCancellation()
            if error.kind == .timeout { return .transient("no answer within \(Self.seconds(timeout))") }
            // Our own words: the transport's text could carry the full URL.
            if !error.isTransient { throw BrokerError.failure("GitHub Actions: cannot reach \(shown): \(error)") }
            return .transient(error.description)
        }
        let status = response.status
        if (200..<300).contains(status) { return .done(try decode(response.body, shown: shown)) }
        // The service's error text helps; it is scrubbed in case it echoes the request token.
        var body = response.body.excerpt(limit: 512)
        if !bearer.isEmpty { body = body.replacingOccurrences(of: bearer, with: "<redacted>") }
        let problem = "\(shown) answered HTTP \(status)" + (body.isEmpty ? "" : ": \(body)")
        if RetryPolicy.isTransient(status: status) { return .transient(problem, retryAfter: RetryPolicy.retryAfter(response.headers)) }
        throw BrokerError.failure(
            "GitHub Actions: \(problem)",
            hint: status == 401 || status == 403
                ? "the request token is valid only while its job runs, and only with `permissions: id-token: write`"
                : "GitHub refused the request (check the audience); client errors are not retried")
    }

    private func decode(_ body: Data, shown: String) throws -> IdentityToken {
        struct Answer: Decodable { var value: String? }
        // The body holds the token, so none of it is ever quoted.
        guard let answer = try? JSONDecoder().decode(Answer.self, from: body) else {
            throw BrokerError.failure("GitHub Actions: \(shown) answered with something that is not the expected JSON {\"value\": \"<jwt>\"}")
        }
        guard let value = answer.value?.trimmingWhitespace, !value.isEmpty else {
            throw BrokerError.failure("GitHub Actions: \(shown) answered without a token (no \"value\" in its JSON)")
        }
        guard let token = try? IdentityToken(jwt: value) else {
            throw BrokerError.failure("GitHub Actions: the \"value\" returned by \(shown) is not a JWT")
        }
        return token
    }

    /// Retries work in fractions of a second, which DurationText would round away.
    private static func seconds(_ interval: TimeInterval) -> String {
        String(format: "%.1fs", interval)
    }

    /// `base` plus the audience parameter. GitHub's URL already has a query string
    /// (`?api-version=2.0`), so the parameter is usually joined with `&`.
    static func requestURL(_ base: String, audience: String) -> String {
        let separator = !base.contains("?") ? "?" : (base.hasSuffix("?") || base.hasSuffix("&") ? "" : "&")
        return base + separator + "audience=" + FormEncoding.encode(audience)
    }


    /// The URL as errors show it: without query string or fragment.
    static func withoutQuery(_ url: String) -> String {
        String(url.prefix { $0 != "?" && $0 != "#" })
    }
}

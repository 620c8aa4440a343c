import BrokerCore
import Foundation

/// The two Vault calls broker makes: JWT login and token self-revocation.
struct VaultClient: Sendable {
    struct Auth: Decodable {
        var client_token: String
        var accessor: String?
        var policies: [String]?
        var lease_duration: Int?
        var renewable: Bool?
    }

    struct LoginAnswer: Decodable { var auth: Auth? }
    struct ErrorAnswer: Decodable { var errors: [String]? }

    let address: String
    let namespace: String?
    let timeout: TimeInterval
    let caCert: String?
    let transport: any HTTPTransport

    /// Vault's own error messages, for the caller to explain.
    struct Refusal: Error {
        var status: Int
        var messages: [String]
    }

    func login(url: URL, role: String, jwt: SecretValue) async throws -> Auth {
        var request = HTTPRequest("POST", url: url,
                                  body: try JSONSerialization.data(withJSONObject: ["role": role, "jwt": jwt.reveal]))
        request.setHeader("Content-Type", "application/json")
        let response = try await send(request)
        guard (200...299).contains(response.status) else { throw refusal(response) }
        guard let auth = try? JSONDecoder().decode(LoginAnswer.self, from: response.body).auth else {
            throw BrokerError.failure("Vault at \(address) answered the login without an auth block")
        }
        return auth
    }

    func revokeSelf(url: URL, token: SecretValue) async throws {
        var request = HTTPRequest("POST", url: url)
        request.setHeader("X-Vault-Token", token.reveal)
        let response = try await send(request)
        guard (200...299).contains(response.status) else { throw refusal(response) }
    }

    /// Network faults, 429 (after its Retry-After) and 5xx (a sealed or standby node) are tried
    /// again; any other answer is Vault's last word.
    private func send(_ request: HTTPRequest) async throws -> HTTPClient.Response {
        var request = request
        if let namespace { request.setHeader("X-Vault-Namespace", namespace) }
        var lastError: HTTPTransportError?
        let retry = RetryPolicy(maxAttempts: 5, deadline: max(60, timeout * 5 + 30))
        return try await retry.run(attemptTimeout: timeout) { _, attemptTimeout in
            let response: HTTPClient.Response
            do {
                response = try await transport.send(request, timeout: attemptTimeout, caCertFile: caCert)
            } catch let error as HTTPTransportError {
                guard error.isTransient else { throw Self.unreachable(address, error) }
                lastError = error
                return .transient(error.description)
            }
            guard RetryPolicy.isTransient(status: response.status) else { return .done(response) }
            lastError = nil
            return .transient("HTTP \(response.status)", retryAfter: RetryPolicy.retryAfter(response.headers))
        } exhausted: { attempts, _, problem in
            if let lastError { return Self.unreachable(address, lastError, attempts: attempts) }
            return BrokerError.failure("Vault at \(address) answered \(problem) to \(attempts) attempts", hint: "Vault may be sealed or overloaded; try again later")
        }
    }

    static func unreachable(_ address: String, _ error: HTTPTransportError, attempts: Int = 1) -> BrokerError {
        BrokerError.failure("cannot reach Vault at \(address)\(attempts > 1 ? " (after \(attempts) attempts)" : ""): \(error)",
                            hint: error.kind == .timeout ? nil : "check the address (VAULT_ADDR) and, for a private CA, caCert")
    }

    private func refusal(_ response: HTTPClient.Response) -> Refusal {
        let messages = (try? JSONDecoder().decode(ErrorAnswer.self, from: response.body).errors) ?? nil
        return Refusal(status: response.status, messages: messages ?? [response.body.excerpt(limit: 512)])
    }
}

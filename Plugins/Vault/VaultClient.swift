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
    let environment: [String: String]

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

    private func send(_ request: HTTPRequest) async throws -> HTTPClient.Response {
        var request = request
        if let namespace { request.setHeader("X-Vault-Namespace", namespace) }
        do {
            return try await HTTPClient(timeout: timeout, caCertFile: caCert, environment: environment).send(request)
        } catch let error as HTTPTransportError {
            throw BrokerError.failure("cannot reach Vault at \(address): \(error)",
                                      hint: error.kind == .timeout ? nil : "check the address (VAULT_ADDR) and, for a private CA, caCert")
        }
    }

    private func refusal(_ response: HTTPClient.Response) -> Refusal {
        let messages = (try? JSONDecoder().decode(ErrorAnswer.self, from: response.body).errors) ?? nil
        return Refusal(status: response.status, messages: messages ?? [response.body.excerpt(limit: 512)])
    }
}

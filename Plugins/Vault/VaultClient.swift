import BrokerCore
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

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

    /// Vault's own error messages, for the caller to explain.
    struct Refusal: Error {
        var status: Int
        var messages: [String]
    }

    func login(url: URL, role: String, jwt: SecretValue) async throws -> Auth {
        var request = URLRequest(url: url)
        request.httpMethod = "POST"
        request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        request.httpBody = try JSONSerialization.data(withJSONObject: ["role": role, "jwt": jwt.reveal])
        let response = try await send(request)
        guard (200...299).contains(response.status) else { throw refusal(response) }
        guard let auth = try? JSONDecoder().decode(LoginAnswer.self, from: response.body).auth else {
            throw BrokerError.failure("Vault at \(address) answered the login without an auth block")
        }
        return auth
    }

    func revokeSelf(url: URL, token: SecretValue) async throws {
        var request = URLRequest(url: url)
        request.httpMethod = "POST"
        request.setValue(token.reveal, forHTTPHeaderField: "X-Vault-Token")
        let response = try await send(request)
        guard (200...299).contains(response.status) else { throw refusal(response) }
    }

    private func send(_ request: URLRequest) async throws -> HTTPClient.Response {
        var request = request
        if let namespace { request.setValue(namespace, forHTTPHeaderField: "X-Vault-Namespace") }
        let prepared = request
        let client = HTTPClient(timeout: timeout)
        let privateCA = caCert.map { PrivateCAClient(caCert: $0, timeout: timeout) }
        do {
            if let privateCA { return try await privateCA.send(prepared) }
            return try await withTimeout(timeout, what: "Vault at \(address)") { try await client.send(prepared) }
        } catch let error as TimeoutError {
            throw BrokerError.failure(error.description)
        } catch {
            throw BrokerError.failure("cannot reach Vault at \(address): \(error.localizedDescription)",
                                      hint: "check the address (VAULT_ADDR) and, for a private CA, caCert")
        }
    }

    private func refusal(_ response: HTTPClient.Response) -> Refusal {
        let messages = (try? JSONDecoder().decode(ErrorAnswer.self, from: response.body).errors) ?? nil
        return Refusal(status: response.status, messages: messages ?? [response.body.excerpt(limit: 512)])
    }
}

import BrokerCore
import Foundation

/// OpenBao's (or Vault's) HTTP API as the issuer uses it: one attempt per call within the
/// connection's timeout. A replica answers its own clients at once rather than retrying: an
/// unreachable, sealed or standby-without-forwarding server is `OpenBaoUnavailable` (the
/// server says 503 with Retry-After), any other refusal is OpenBao's own error.
struct OpenBaoClient: Sendable {
    let connection: OpenBaoConnection
    let transport: any HTTPTransport

    struct Answer {
        var status: Int
        var json: JSONValue?
        /// `data` of the answer (KV v2 nests the secret one level further).
        var data: JSONValue? { json?.objectValue?["data"] }
    }

    /// `path` after `/v1/`. 404 comes back as an answer (a key or secret that does not exist
    /// yet), and so do the statuses in `allowing`; every other non-2xx throws.
    func call(_ method: String, _ path: String, body: JSONValue? = nil, allowing: Set<Int> = []) async throws -> Answer {
        guard let url = URL(string: "\(connection.address)/v1/\(path)") else {
            throw BrokerError.usage("OpenBao at \(connection.address): '\(path)' makes no URL")
        }
        var request = HTTPRequest(method, url: url, body: try body.map { try JSONEncoder().encode($0) })
        request.setHeader("X-Vault-Token", try connection.token().reveal)
        request.setHeader("X-Vault-Request", "true")
        if body != nil { request.setHeader("Content-Type", "application/json") }
        if let namespace = connection.namespace { request.setHeader("X-Vault-Namespace", namespace) }
        let response: HTTPClient.Response
        do {
            response = try await transport.send(request, timeout: connection.timeout, caCertFile: connection.caCert)
        } catch let error as HTTPTransportError {
            throw OpenBaoUnavailable(address: connection.address, reason: "\(error)")
        }
        let json = try? JSONDecoder().decode(JSONValue.self, from: response.body)
        if (200...299).contains(response.status) || response.status == 404 || allowing.contains(response.status) { return Answer(status: response.status, json: json) }
        let messages = json?.objectValue?["errors"]?.arrayValue?.compactMap(\.stringValue) ?? []
        let said = messages.isEmpty ? "" : ": " + messages.joined(separator: "; ")
        if response.status == 429 || response.status >= 500 {
            throw OpenBaoUnavailable(address: connection.address, reason: "HTTP \(response.status)\(said)")
        }
        throw BrokerError.failure("OpenBao at \(connection.address) refused \(method) /v1/\(path) (HTTP \(response.status))\(said)",
                                  hint: response.status == 403 ? "the token's policy lacks this path: 'broker idp init-transit' prints the policy broker needs" : nil)
    }
}

/// OpenBao cannot answer now (network, sealed, overloaded): worth trying again later.
public struct OpenBaoUnavailable: Error, CustomStringConvertible, Sendable {
    public var address: String
    public var reason: String
    public var description: String { "OpenBao at \(address) is unavailable: \(reason)" }
}

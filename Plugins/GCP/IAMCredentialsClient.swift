import BrokerCore
import Foundation

/// IAM Credentials `generateAccessToken`: trades the federated STS token for a service
/// account's access token (the caller needs `roles/iam.workloadIdentityUser` on it).
public struct IAMCredentialsClient: Sendable {
    let sender: RetryingSender

    struct Request: Encodable {
        var scope: [String]
        var lifetime: String
    }

    struct Answer: Decodable {
        var accessToken: String?
        var expireTime: String?
    }

    /// Google's JSON error: `{"error": {"code", "message", "status"}}`.
    struct ErrorAnswer: Decodable {
        struct Body: Decodable {
            var code: Int?
            var message: String?
            var status: String?
        }
        var error: Body?
    }

    /// IAM said no: the HTTP status with Google's `status` (PERMISSION_DENIED) and message.
    struct Refusal: Error, CustomStringConvertible {
        var status: Int
        var googleStatus: String?
        var message: String?

        var reason: String {
            [googleStatus, message].compactMap { $0 }.joined(separator: ": ") + " (HTTP \(status))"
        }

        var description: String { "IAM Credentials refused generateAccessToken: \(reason)" }
    }

    func generateAccessToken(url: URL, bearer: SecretValue, scopes: [String], lifetime: TimeInterval) async throws -> (token: SecretValue, expiry: Date) {
        var request = HTTPRequest("POST", url: url)
        request.setHeader("Authorization", "Bearer " + bearer.reveal)
        request.setHeader("Content-Type", "application/json")
        request.setHeader("Accept", "application/json")
        request.body = try JSONEncoder().encode(Request(scope: scopes, lifetime: "\(Int(lifetime))s"))
        let sent = Date()
        return try Self.read(try await sender.send(request), lifetime: lifetime, sent: sent)
    }

    /// The token and its expiry from generateAccessToken's answer; a non-2xx is a `Refusal`.
    public static func read(_ response: HTTPClient.Response, lifetime: TimeInterval, sent: Date) throws -> (token: SecretValue, expiry: Date) {
        guard (200...299).contains(response.status) else {
            let body = (try? JSONDecoder().decode(ErrorAnswer.self, from: response.body))?.error
            throw Refusal(status: response.status, googleStatus: body?.status, message: body?.message.map { String($0.prefix(500)) })
        }
        guard let answer = try? JSONDecoder().decode(Answer.self, from: response.body), let token = answer.accessToken, !token.isEmpty else {
            throw BrokerError.failure("IAM Credentials answered generateAccessToken without an accessToken")
        }
        // A missing or unreadable expireTime: the lifetime asked for, counted from the request.
        let expiry = answer.expireTime.flatMap(ISOTime.parse) ?? sent.addingTimeInterval(lifetime)
        return (SecretValue(token), expiry)
    }
}

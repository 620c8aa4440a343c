@testable import AWSProvider
import BrokerCore
import Foundation
import Testing

/// STS through the transport seam, in-process: what is retried, what never is, and the deadline.
@Suite struct STSRetryTests {
    /// Answers from a script, one entry per request; records what it was asked.
    final class ScriptedTransport: HTTPTransport, @unchecked Sendable {
        enum Step { case answer(Int, String, [String: String]), fail(HTTPTransportError.Kind) }
        private let lock = NSLock()
        private var script: [Step]
        private(set) var requests = 0

        init(_ script: [Step]) { self.script = script }

        func send(_ request: HTTPRequest, timeout: TimeInterval, caCertFile: String?) async throws -> HTTPClient.Response {
            let step: Step = lock.withLock {
                requests += 1
                return script.isEmpty ? .answer(200, Self.success, [:]) : script.removeFirst()
            }
            switch step {
            case .answer(let status, let body, let headers): return HTTPClient.Response(status: status, headers: headers, body: Data(body.utf8))
            case .fail(let kind): throw HTTPTransportError(kind, target: "https://sts.amazonaws.com", seconds: timeout)
            }
        }

        static let success = """
            <AssumeRoleWithWebIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><AssumeRoleWithWebIdentityResult>
            <AssumedRoleUser><Arn>arn:aws:sts::123456789012:assumed-role/deploy/s</Arn><AssumedRoleId>AROA:s</AssumedRoleId></AssumedRoleUser>
            <Credentials><SessionToken>T</SessionToken><SecretAccessKey>S</SecretAccessKey><Expiration>2099-01-01T00:00:00Z</Expiration>
            <AccessKeyId>ASIAOK</AccessKeyId></Credentials></AssumeRoleWithWebIdentityResult></AssumeRoleWithWebIdentityResponse>
            """

        static func error(_ code: String) -> String {
            "<ErrorResponse><Error><Type>Sender</Type><Code>\(code)</Code><Message>m</Message></Error><RequestId>r</RequestId></ErrorResponse>"
        }
    }

    func client(_ transport: ScriptedTransport, attempts: Int = 5) -> STSClient {
        var settings = AWSSettings(roleArn: "arn:aws:iam::123456789012:role/deploy")
        settings.maxAttempts = attempts
        settings.stsEndpoint = "https://sts.example.test/"
        return STSClient(settings: settings, environment: [:], transport: transport)
    }

    func token() throws -> IdentityToken {
        try IdentityToken(jwt: testJWT(#"{"iss":"https://issuer.example","sub":"repo:acme/app","aud":"sts.amazonaws.com"}"#))
    }

    @Test func throttlingAndNetworkFaultsAreRetriedThenTheSessionComes() async throws {
        let transport = ScriptedTransport([.answer(400, ScriptedTransport.error("Throttling"), ["Retry-After": "0"]),
                                           .fail(.connectionLost), .answer(503, "", [:])])
        let result = try await client(transport).assumeRole(token: try token(), sessionName: "s")
        #expect(result.accessKeyId == "ASIAOK" && transport.requests == 4)
    }

    @Test func aDenialIsNeverRetried() async throws {
        let transport = ScriptedTransport([.answer(403, ScriptedTransport.error("AccessDenied"), [:])])
        await #expect(throws: BrokerError.self) { _ = try await client(transport).assumeRole(token: try token(), sessionName: "s") }
        #expect(transport.requests == 1)
    }

    @Test func attemptsRunOutWithTheLastProblemNamed() async throws {
        let transport = ScriptedTransport(Array(repeating: .fail(.refused), count: 10))
        do {
            _ = try await client(transport, attempts: 3).assumeRole(token: try token(), sessionName: "s")
            Issue.record("expected a failure")
        } catch let error as BrokerError {
            #expect(error.message.contains("after 3 attempts") && error.message.contains("refused"))
        }
        #expect(transport.requests == 3)
    }
}

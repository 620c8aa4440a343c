import BrokerCore
import Foundation

/// Calls AssumeRoleWithWebIdentity (unsigned, form-encoded) with a timeout per attempt,
/// full-jitter retries for transient faults only, and one deadline for the whole login.
public struct STSClient: Sendable {
    public let settings: AWSSettings
    public let retry: RetryPolicy
    /// Proxies, SSL_CERT_FILE and AWS_CA_BUNDLE come from here (the injected environment).
    public let environment: [String: String]
    public let transport: any HTTPTransport

    public init(settings: AWSSettings, environment: [String: String], transport: (any HTTPTransport)? = nil) {
        self.settings = settings
        self.environment = environment
        self.transport = transport ?? LiveHTTPTransport(environment: environment)
        retry = RetryPolicy(maxAttempts: settings.maxAttempts, deadline: settings.deadline)
    }

    /// AWS_CA_BUNDLE, as the AWS CLI and SDKs read it: a PEM bundle trusted instead of the system's.
    var caBundle: String? { environment["AWS_CA_BUNDLE"].flatMap { $0.isEmpty ? nil : $0 } }

    public func assumeRole(token: IdentityToken, sessionName: String? = nil) async throws -> STSWebIdentityResult {
        try Self.checkIssuerReachable(token: token, endpoint: settings.endpoint)
        let request = STSRequest(settings: settings, token: token,
                                 sessionName: sessionName ?? settings.roleSessionName ?? RoleSessionName.derive(from: token, environment: environment))
        var last: Failure?
        return try await retry.run(attemptTimeout: settings.timeout) { attempt, timeout in
            switch try await send(request, timeout: timeout) {
            case .success(let result):
                return .done(result)
            case .failure(let failure):
                guard failure.retryable else { throw failure.error(token: token, settings: settings, attempts: attempt) }
                last = failure
                return .transient(failure.summary, retryAfter: failure.retryAfter)
            }
        } exhausted: { attempts, _, problem in
            last?.error(token: token, settings: settings, attempts: attempts) ?? BrokerError.failure(problem)
        }
    }

    /// AWS fetches the issuer's discovery document and keys over https: a token from an
    /// http:// issuer (the embedded one's default) can never work there, so say how to get a
    /// working issuer instead of sending it and reporting AWS's denial.
    static func checkIssuerReachable(token: IdentityToken, endpoint: URL) throws {
        guard let issuer = token.issuer, issuer.lowercased().hasPrefix("http://"),
              let host = endpoint.host?.lowercased(), AWSSTSProvider.isAWSHost(host)
        else { return }
        throw BrokerError.usage(
            "the identity token's issuer \(issuer) is http://, and AWS STS (\(host)) accepts only https:// issuers it can reach",
            hint: """
                to use broker's embedded issuer with AWS:
                    1. broker idp publish DIR --issuer https://YOUR-HOST/PATH   (writes the discovery document and JWKS)
                    2. host DIR at that https:// URL (S3, GitHub Pages, any static host) and set BROKER_ISSUER_URL to it
                    3. register it in IAM: aws iam create-open-id-connect-provider --url https://YOUR-HOST/PATH --client-id-list sts.amazonaws.com
                  or run where a CI platform issues tokens (GitHub Actions, GitLab CI), or pass --sts-endpoint for a local STS
                """)
    }

    enum Outcome {
        case success(STSWebIdentityResult)
        case failure(Failure)
    }

    struct Failure {
        var retryable: Bool
        var summary: String
        var stsError: STSErrorResponse?
        var retryAfter: TimeInterval?

        func error(token: IdentityToken, settings: AWSSettings, attempts: Int) -> BrokerError {
            let tries = attempts > 1 ? " (after \(attempts) attempts)" : ""
            var message = "AWS STS AssumeRoleWithWebIdentity failed\(tries): \(summary)"
            if let code = stsError?.code, ["AccessDenied", "InvalidIdentityToken", "IDPRejectedClaim", "ExpiredTokenException"].contains(code) {
                message += "\n" + TrustPolicyDiagnosis.explain(token: token, roleArn: settings.roleArn)
            }
            return BrokerError.failure(message, hint: hint)
        }

        var hint: String? {
            switch stsError?.code {
            case "AccessDenied", "IDPRejectedClaim":
                "compare the role's trust policy conditions with the values above"
            case "InvalidIdentityToken":
                "register the issuer as an IAM OIDC provider with this audience, and check its JWKS is reachable over https"
            case "ExpiredTokenException":
                "the identity token expired before STS saw it: fetch a fresh one"
            case "RegionDisabledException":
                "activate STS in this region (IAM account settings) or use another --region"
            case "MalformedPolicyDocument", "PackedPolicyTooLarge":
                "fix or shorten the session policy (--policy / --policy-arn)"
            default:
                nil
            }
        }
    }

    func send(_ request: STSRequest, timeout: TimeInterval) async throws -> Outcome {
        var http = HTTPRequest("POST", url: settings.endpoint, body: request.formBody)
        http.setHeader("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
        http.setHeader("Accept", "application/xml")
        let endpoint = settings.endpoint.absoluteString
        let response: HTTPClient.Response
        do {
            response = try await transport.send(http, timeout: timeout, caCertFile: caBundle)
        } catch let error as HTTPTransportError {
            return .failure(Failure(retryable: error.isTransient, summary: "STS: \(error)"))
        }
        let parsed: STSResponse
        do {
            parsed = try STSResponse.parse(response.body)
        } catch {
            let retryable = (500...599).contains(response.status)
            return .failure(Failure(retryable: retryable, summary: "HTTP \(response.status) from \(endpoint): \(error)"))
        }
        switch parsed {
        case .success(let result) where (200...299).contains(response.status):
            return .success(result)
        case .success:
            return .failure(Failure(retryable: (500...599).contains(response.status), summary: "HTTP \(response.status) from \(endpoint)"))
        case .error(let error):
            let classification = STSErrorClassification(httpStatus: response.status, error: error)
            let request = error.requestId.map { " (request id \($0))" } ?? ""
            return .failure(Failure(retryable: classification == .retryable,
                                    summary: "\(error.code): \(error.message)\(request)", stsError: error,
                                    retryAfter: RetryPolicy.retryAfter(response.headers)))
        }
    }
}

import Foundation

/// An Azure Pipelines job's OIDC token: `POST $SYSTEM_OIDCREQUESTURI?api-version=7.1` (with the
/// service connection, `&serviceConnectionId=ID`) and `$SYSTEM_ACCESSTOKEN` as bearer, answered
/// by `{"oidcToken": "<jwt>"}`. The job must map `SYSTEM_ACCESSTOKEN: $(System.AccessToken)` into
/// its environment. Azure DevOps always mints for `api://AzureADTokenExchange`.
public struct AzurePipelinesTokenSource: TokenSource {
    public static let urlVariable = "SYSTEM_OIDCREQUESTURI"
    public static let tokenVariable = "SYSTEM_ACCESSTOKEN"
    /// Set by the AzureCLI/AzurePowerShell tasks; `source.serviceConnection` wins.
    public static let connectionVariable = "AZURESUBSCRIPTION_SERVICE_CONNECTION_ID"
    public static let audience = "api://AzureADTokenExchange"

    public let environment: [String: String]
    public let serviceConnection: String?
    public let timeout: TimeInterval
    public let transport: any HTTPTransport

    public init(environment: [String: String], serviceConnection: String? = nil, timeout: TimeInterval = 10, transport: (any HTTPTransport)? = nil) {
        self.environment = environment
        self.serviceConnection = serviceConnection ?? environment[Self.connectionVariable].flatMap { $0.isEmpty ? nil : $0 }
        self.timeout = timeout
        self.transport = transport ?? LiveHTTPTransport(environment: environment)
    }

    public var name: String { "Azure Pipelines OIDC token service" + (serviceConnection.map { " (service connection \($0))" } ?? "") }

    public func token(audience: String) async throws -> IdentityToken {
        guard audience == Self.audience else {
            throw BrokerError.usage("Azure Pipelines mints tokens only for \(Self.audience), but '\(audience)' was requested",
                                    hint: "set the provider's audience to \(Self.audience) (AWS, Google and Vault accept any audience you register)")
        }
        let base = environment[Self.urlVariable] ?? "", bearer = environment[Self.tokenVariable] ?? ""
        let missing = [(Self.urlVariable, base), (Self.tokenVariable, bearer)].filter { $0.1.isEmpty }.map(\.0)
        guard missing.isEmpty else {
            throw BrokerError.usage("Azure Pipelines: \(missing.joined(separator: " and ")) \(missing.count == 1 ? "is" : "are") not set, so this job cannot request an identity token",
                                    hint: "map the job's token into the step: `env: { SYSTEM_ACCESSTOKEN: $(System.AccessToken) }`")
        }
        let query = "api-version=7.1" + (serviceConnection.map { "&serviceConnectionId=" + FormEncoding.encode($0) } ?? "")
        guard let url = URL(string: base + (base.contains("?") ? "&" : "?") + query) else {
            throw BrokerError.usage("Azure Pipelines: cannot build a request URL from \(Self.urlVariable)")
        }
        var request = HTTPRequest("POST", url: url, body: Data("{}".utf8))
        request.setHeader("Authorization", "Bearer \(bearer)")
        request.setHeader("Content-Type", "application/json")
        request.setHeader("Accept", "application/json")
        let shown = url.host ?? "Azure DevOps"
        let response = try await RetryingSender(transport: transport, timeout: timeout, maxAttempts: 5, peer: "the Azure DevOps token service (\(shown))").send(request)
        guard response.status == 200 else {
            throw BrokerError.failure("Azure Pipelines: the token service answered HTTP \(response.status)",
                                      hint: response.status == 401 || response.status == 403
                                          ? "the job's System.AccessToken may not request tokens for this service connection: check its security settings"
                                          : "check the service connection ID (\(serviceConnection ?? "none given"))")
        }
        // The answer is never quoted: it holds a token.
        guard let text = (try? StrictJSON.parse(response.body))?.objectValue?["oidcToken"]?.stringValue,
              let token = try? IdentityToken(jwt: text) else {
            throw BrokerError.failure("Azure Pipelines: the token service's answer holds no oidcToken JWT")
        }
        return token
    }
}

import BrokerCore
import Foundation

/// Adapter `token-exchange`: an RFC 8693 exchange at any OAuth 2.0 token endpoint
/// (Keycloak, Okta, an internal STS); the issued token goes to `outputFile` (0600).
public struct TokenExchangeProvider: Provider {
    public let settings: TokenExchangeSettings
    public let audience: String
    public let environment: [String: String]
    public let transport: any HTTPTransport

    public init(settings: TokenExchangeSettings, audience: String, environment: [String: String], transport: (any HTTPTransport)? = nil) {
        self.settings = settings
        self.audience = audience
        self.environment = environment
        self.transport = transport ?? LiveHTTPTransport(environment: environment)
    }

    public func login(token: IdentityToken, journal: LoginJournal) async throws -> LoginResult {
        try SecureFile.checkTarget(settings.outputFile)
        let endpoint = OAuthTokenEndpoint(url: settings.tokenURL, timeout: settings.timeout, transport: transport)
        let fields = OAuthTokenEndpoint.tokenExchangeFields(
            subjectToken: token.jwt, subjectTokenType: settings.subjectTokenType, requestedTokenType: settings.requestedTokenType,
            audience: settings.exchangeAudience, resource: settings.resource, scope: settings.scope)
        let answer = try await endpoint.requestToken(fields: fields, client: try settings.clientAuthentication(environment: environment))
        let issued = answer.access_token!
        let value = SecretValue(issued)
        try journal.writeFile(settings.outputFile, contents: Data(value.reveal.utf8))
        var details = ["tokenUrl": settings.tokenURL.absoluteString]
        if let type = answer.issued_token_type { details["issuedTokenType"] = type }
        if let scope = answer.scope { details["scope"] = scope }
        let environment = settings.envVariable.map { [EnvironmentExport.Variable($0, value.reveal, secret: true)] } ?? []
        let credentials = IssuedCredentials(
            identity: "\(answer.issued_token_type ?? settings.requestedTokenType) from \(settings.tokenURL.host ?? settings.tokenURL.absoluteString)",
            expiration: answer.expires_in.map { Date().addingTimeInterval($0) },
            secrets: ["token": value], details: details, environment: environment)
        return LoginResult(credentials: credentials, written: [WrittenTarget(kind: .file, path: settings.outputFile)])
    }
}

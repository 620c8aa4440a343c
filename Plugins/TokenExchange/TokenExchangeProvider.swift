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

    func exchange(_ token: IdentityToken) async throws -> OAuthTokenEndpoint.TokenResponse {
        let endpoint = OAuthTokenEndpoint(url: settings.tokenURL, timeout: settings.timeout, transport: transport)
        let fields = OAuthTokenEndpoint.tokenExchangeFields(
            subjectToken: token.jwt, subjectTokenType: settings.subjectTokenType, requestedTokenType: settings.requestedTokenType,
            audience: settings.exchangeAudience, resource: settings.resource, scope: settings.scope)
        return try await endpoint.requestToken(fields: fields, client: try settings.clientAuthentication(environment: environment))
    }

    func identity(_ answer: OAuthTokenEndpoint.TokenResponse) -> String {
        "\(answer.issued_token_type ?? settings.requestedTokenType) from \(settings.tokenURL.host ?? settings.tokenURL.absoluteString)"
    }

    /// Without `envVariable` the issued token has nowhere to go but its file: refused before
    /// any exchange.
    public func childSession(token: IdentityToken, files: EphemeralFiles) async throws -> ChildSession {
        guard let name = settings.envVariable else {
            throw BrokerError.usage("this token-exchange provider names no envVariable, so 'broker exec' has nowhere to put the token",
                                    hint: "add \"envVariable\": \"NAME\" to its settings, or use 'broker login'")
        }
        let answer = try await exchange(token)
        return ChildSession(identity: identity(answer),
                            expiration: answer.expires_in.map { Date().addingTimeInterval($0) },
                            variables: [.init(name, answer.access_token!, secret: true)])
    }

    public func login(token: IdentityToken, journal: LoginJournal) async throws -> LoginResult {
        try SecureFile.checkTarget(settings.outputFile)
        let answer = try await exchange(token)
        let value = SecretValue(answer.access_token!)
        try journal.writeFile(settings.outputFile, contents: Data(value.reveal.utf8))
        var details = ["tokenUrl": settings.tokenURL.absoluteString]
        if let type = answer.issued_token_type { details["issuedTokenType"] = type }
        if let scope = answer.scope { details["scope"] = scope }
        let environment = settings.envVariable.map { [EnvironmentExport.Variable($0, value.reveal, secret: true)] } ?? []
        let credentials = IssuedCredentials(
            identity: identity(answer),
            expiration: answer.expires_in.map { Date().addingTimeInterval($0) },
            secrets: ["token": value], details: details, environment: environment)
        return LoginResult(credentials: credentials, written: [WrittenTarget(kind: .file, path: settings.outputFile)])
    }
}

import BrokerCore
import Foundation

/// Adapter `azure-federated`: presents the identity token to Entra ID as the client assertion of
/// a client-credentials grant (proving a federated credential matches it, and getting an
/// access token), then writes the federated token file and the environment the Azure SDKs,
/// the CLI's scripts and Terraform read, so they log in again by themselves from the file.
public struct AzureFederatedProvider: Provider {
    public let name: String
    public let settings: AzureSettings
    public let audience: String
    public let transport: any HTTPTransport

    public init(name: String, settings: AzureSettings, audience: String, transport: any HTTPTransport) {
        self.name = name
        self.settings = settings
        self.audience = audience
        self.transport = transport
    }

    /// The client-credentials grant with the token as assertion: Entra's access token and its
    /// expiry, or a refusal explained (AADSTS codes) against the token's claims.
    func exchange(_ token: IdentityToken) async throws -> (accessToken: SecretValue, expiry: Date) {
        try EntraTokenRules.check(token)
        let endpoint = OAuthTokenEndpoint(url: settings.tokenURL, timeout: settings.timeout, maxAttempts: settings.maxAttempts, transport: transport)
        let started = Date()
        let answer: OAuthTokenEndpoint.TokenResponse
        do {
            answer = try await endpoint.requestToken(fields: OAuthTokenEndpoint.clientCredentialsFields(scope: settings.scope),
                                                     client: .assertion(clientId: settings.clientId, jwt: token.jwt),
                                                     what: "the federated token")
        } catch let refusal as OAuthTokenEndpoint.Refusal {
            throw EntraDenialDiagnosis.explain(EntraError.read(refusal.body), status: refusal.status, token: token, settings: settings)
        }
        let accessToken = SecretValue(answer.access_token!)
        let expiry = started.addingTimeInterval(answer.expires_in.map { min(max($0, 0), 86400) } ?? 3600)
        return (accessToken, expiry)
    }

    /// `broker exec`: Entra's yes proves the federated credential; the child gets the token as
    /// an in-memory file the SDKs, the CLI's scripts and Terraform read as they would the
    /// login's, while the identity token lasts.
    public func childSession(token: IdentityToken, files: EphemeralFiles) async throws -> ChildSession {
        let (_, expiry) = try await exchange(token)
        var ephemeral = settings
        ephemeral.tokenFile = try files.path(holding: Data(token.jwt.reveal.utf8))
        return ChildSession(identity: "app \(settings.clientId)", expiration: expiry, variables: AzureAdapter.exports(AzureLoginRecord(settings: ephemeral)),
                            removed: AzureAdapter.shadowingVariables, warnings: settings.warnings)
    }

    public func login(token: IdentityToken, journal: LoginJournal) async throws -> LoginResult {
        for file in [settings.tokenFile, settings.environmentFile] + (settings.accessTokenFile.map { [$0] } ?? []) {
            try SecureFile.checkTarget(file)
        }
        let (accessToken, expiry) = try await exchange(token)

        // Entra said yes: only now is anything written.
        let record = AzureLoginRecord(settings: settings)
        let environment = AzureAdapter.exports(record)
        // Exactly the JWT, no newline: the SDKs send the file's bytes as the assertion.
        try journal.writeFile(settings.tokenFile, contents: Data(token.jwt.reveal.utf8), brokerOwned: settings.tokenFileIsDefault)
        try journal.writeFile(settings.environmentFile, contents: Data(EnvironmentExport(environment).shellExports.utf8),
                              brokerOwned: settings.tokenFileIsDefault)
        var written = [settings.tokenFile, settings.environmentFile]
        if let file = settings.accessTokenFile {
            try journal.writeFile(file, contents: Data(accessToken.reveal.utf8), brokerOwned: false)
            written.append(file)
        }
        var details = ["tenantId": settings.tenantId, "clientId": settings.clientId, "tokenFile": settings.tokenFile,
                       "environmentFile": settings.environmentFile, "scope": settings.scope]
        if settings.authorityHost != AzureSettings.publicCloudAuthority { details["authorityHost"] = settings.authorityHost }
        if let subscription = settings.subscriptionId { details["subscriptionId"] = subscription }
        let credentials = IssuedCredentials(identity: "app \(settings.clientId)", expiration: expiry,
                                            details: details, environment: environment, accessToken: accessToken)
        return LoginResult(credentials: credentials, written: written.map { WrittenTarget(kind: .file, path: $0) },
                           tokenFile: settings.tokenFile, warnings: settings.warnings, adapterRecord: record)
    }
}

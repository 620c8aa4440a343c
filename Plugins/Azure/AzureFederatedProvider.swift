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

    public func login(token: IdentityToken, journal: LoginJournal) async throws -> LoginResult {
        try EntraTokenRules.check(token)
        for file in [settings.tokenFile, settings.environmentFile] + (settings.accessTokenFile.map { [$0] } ?? []) {
            try SecureFile.checkTarget(file)
        }
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

import BrokerCore
import Foundation

/// Adapter `gcp-workload-identity`: exchanges the identity token at Google STS (and, with a
/// service account, impersonates it through IAM Credentials) to prove the federation works and
/// get an access token, then writes the `external_account` file the client libraries, gcloud
/// and Terraform refresh from by themselves.
public struct GCPWorkloadIdentityProvider: Provider {
    public let name: String
    public let settings: GCPSettings
    public let audience: String
    /// `broker gcp-token NAME`, as the libraries run it (for the executable source).
    public let executableCommand: String
    public let sourceArguments: [String]
    public let transport: any HTTPTransport

    public init(name: String, settings: GCPSettings, audience: String, context: ProviderContext) {
        self.name = name
        self.settings = settings
        self.audience = audience
        // The libraries split the command shell-style and run it without a shell.
        executableCommand = [context.brokerPath, "gcp-token", name].map(ShellWords.quote).joined(separator: " ")
        sourceArguments = context.sourceArguments
        transport = context.transport
    }

    /// Google STS, then (with a service account) IAM Credentials: the access token and its
    /// expiry, or a refusal explained against the token's claims.
    func exchange(_ token: IdentityToken) async throws -> (accessToken: SecretValue, expiry: Date) {
        try GoogleTokenRules.check(token)
        let provider = settings.provider
        let sts = OAuthTokenEndpoint(url: settings.tokenURL, timeout: settings.timeout, maxAttempts: settings.maxAttempts, transport: transport)
        let fields = OAuthTokenEndpoint.tokenExchangeFields(
            subjectToken: token.jwt, subjectTokenType: GCPSettings.subjectTokenType,
            requestedTokenType: "urn:ietf:params:oauth:token-type:access_token",
            audience: provider.stsAudience, scope: settings.exchangeScopes.joined(separator: " "))
        let started = Date()
        let answer: OAuthTokenEndpoint.TokenResponse
        do {
            answer = try await sts.requestToken(fields: fields, client: .none(clientId: nil), what: "the token exchange")
        } catch let refusal as OAuthTokenEndpoint.Refusal {
            throw BrokerError.failure(
                "Google STS (\(settings.tokenURL.absoluteString)) refused the token for \(provider.resourceName): \(refusal.reason)\n"
                    + GCPDenialDiagnosis.exchange(refusal.answer?.error_description ?? refusal.reason, token: token, provider: provider),
                hint: "compare the pool provider's issuer, allowed audiences, attribute mapping and condition with the claims above")
        }
        var accessToken = SecretValue(answer.access_token!)
        var expiry = started.addingTimeInterval(answer.expires_in.map { min(max($0, 0), 86400 * 7) } ?? 3600)
        if let email = settings.serviceAccount {
            let iam = IAMCredentialsClient(sender: RetryingSender(transport: transport, timeout: settings.timeout, maxAttempts: settings.maxAttempts,
                                                                  peer: "IAM Credentials (\(settings.iamEndpoint))"))
            do {
                (accessToken, expiry) = try await iam.generateAccessToken(url: settings.impersonationURL(email), bearer: accessToken,
                                                                          scopes: settings.scopes, lifetime: settings.tokenLifetime)
            } catch let refusal as IAMCredentialsClient.Refusal {
                throw BrokerError.failure(
                    "IAM Credentials refused to impersonate \(email): \(refusal.reason)\n"
                        + GCPDenialDiagnosis.impersonation(token: token, provider: provider, serviceAccount: email),
                    hint: refusal.status == 403 || refusal.status == 401
                        ? "grant roles/iam.workloadIdentityUser on the service account to one of the principals above"
                        : "check serviceAccount and that the IAM Credentials API is enabled")
            }
        }
        return (accessToken, expiry)
    }

    /// `broker exec`: the same calls prove the federation; the child gets an `external_account`
    /// file (and the token it reads) as in-memory files, so the libraries, gcloud and Terraform
    /// refresh by themselves while the identity token lasts.
    public func childSession(token: IdentityToken, files: EphemeralFiles) async throws -> ChildSession {
        let (_, expiry) = try await exchange(token)
        var ephemeral = settings
        ephemeral.credentialSource = .file
        ephemeral.tokenFile = try files.path(holding: Data(token.jwt.reveal.utf8))
        ephemeral.credentialsFile = try files.path(holding: try ExternalAccountFile(settings: ephemeral, executableCommand: "").encoded())
        let record = GCPLoginRecord(settings: ephemeral, audience: audience, sourceArguments: [])
        return ChildSession(identity: settings.serviceAccount ?? settings.provider.principal(subject: token.subject ?? "?"), expiration: expiry,
                            variables: GCPAdapter.exports(record), removed: GCPAdapter.shadowingVariables, warnings: settings.warnings)
    }

    public func login(token: IdentityToken, journal: LoginJournal) async throws -> LoginResult {
        try SecureFile.checkTarget(settings.credentialsFile)
        if settings.credentialSource == .file { try SecureFile.checkTarget(settings.tokenFile) }
        let (accessToken, expiry) = try await exchange(token)
        let provider = settings.provider
        // Both calls worked: only now is anything written.
        var written: [WrittenTarget] = []
        if settings.credentialSource == .file {
            // Exactly the JWT, no newline: the libraries send the file's bytes as they are.
            try journal.writeFile(settings.tokenFile, contents: Data(token.jwt.reveal.utf8), brokerOwned: true)
            written.append(WrittenTarget(kind: .file, path: settings.tokenFile))
        }
        let file = ExternalAccountFile(settings: settings, executableCommand: executableCommand)
        try journal.writeFile(settings.credentialsFile, contents: try file.encoded(), brokerOwned: settings.credentialsFileIsDefault)
        written.append(WrittenTarget(kind: .file, path: settings.credentialsFile))

        let record = GCPLoginRecord(settings: settings, audience: audience, sourceArguments: sourceArguments)
        var details = ["workloadIdentityProvider": provider.resourceName, "credentialsFile": settings.credentialsFile,
                       "credentialSource": settings.credentialSource.rawValue]
        if let email = settings.serviceAccount { details["serviceAccount"] = email }
        if let projectId = settings.projectId { details["projectId"] = projectId }
        if settings.universeDomain != "googleapis.com" { details["universeDomain"] = settings.universeDomain }
        let identity = settings.serviceAccount ?? provider.principal(subject: token.subject ?? "?")
        let credentials = IssuedCredentials(identity: identity, expiration: expiry, details: details,
                                            environment: GCPAdapter.exports(record), accessToken: accessToken)
        var warnings = settings.warnings
        if settings.credentialSource == .executable {
            warnings.append("the client libraries run the executable source only with GOOGLE_EXTERNAL_ACCOUNT_ALLOW_EXECUTABLES=1")
        }
        return LoginResult(credentials: credentials, written: written,
                           tokenFile: settings.credentialSource == .file ? settings.tokenFile : nil, warnings: warnings,
                           runsBrokerLater: settings.credentialSource == .executable, adapterRecord: record)
    }
}

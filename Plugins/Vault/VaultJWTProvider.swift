import BrokerCore
import Foundation

/// Adapter `vault-jwt`: `POST /v1/auth/{mount}/login` with `{role, jwt}` in the body, then the
/// client token goes to the token file the `vault`/`bao` CLIs and SDKs read.
public struct VaultJWTProvider: Provider {
    public let settings: VaultSettings
    public let audience: String
    /// The injected environment, for proxies and SSL_CERT_FILE.
    public let environment: [String: String]
    public let transport: any HTTPTransport

    public init(settings: VaultSettings, audience: String, environment: [String: String], transport: (any HTTPTransport)? = nil) {
        self.settings = settings
        self.audience = audience
        self.environment = environment
        self.transport = transport ?? LiveHTTPTransport(environment: environment)
    }

    var client: VaultClient {
        VaultClient(address: settings.address, namespace: settings.namespace, timeout: settings.timeout, caCert: settings.caCert,
                    transport: transport)
    }

    /// `POST .../login`; a refusal explains itself against the token's claims.
    func authenticate(_ token: IdentityToken) async throws -> VaultClient.Auth {
        do {
            return try await client.login(url: settings.loginURL, role: settings.role, jwt: token.jwt)
        } catch let refusal as VaultClient.Refusal {
            throw BrokerError.failure(
                "Vault at \(settings.address) refused the JWT login (HTTP \(refusal.status)):\n"
                    + VaultDenialDiagnosis.explain(refusal.messages, token: token, role: settings.role),
                hint: "compare the role's bound_audiences, bound_subject and bound_claims with the token's claims above")
        }
    }

    /// What the `vault`/`bao` CLIs and SDKs read; `VAULT_TOKEN` wins over their token helper.
    func exports(_ clientToken: SecretValue) -> [EnvironmentExport.Variable] {
        var environment: [EnvironmentExport.Variable] = [.init("VAULT_ADDR", settings.address), .init("VAULT_TOKEN", clientToken.reveal, secret: true)]
        if let namespace = settings.namespace { environment.append(.init("VAULT_NAMESPACE", namespace)) }
        return environment
    }

    func identity(_ auth: VaultClient.Auth) -> String {
        let policies = auth.policies ?? []
        return "role \(settings.role), policies \(policies.isEmpty ? "none" : policies.joined(separator: ", "))"
    }

    func expiration(_ auth: VaultClient.Auth) -> Date? {
        let ttl = auth.lease_duration ?? 0
        return ttl > 0 ? Date().addingTimeInterval(TimeInterval(ttl)) : nil
    }

    public func childSession(token: IdentityToken, files: EphemeralFiles) async throws -> ChildSession {
        let auth = try await authenticate(token)
        var variables = exports(SecretValue(auth.client_token))
        if let caCert = settings.caCert { variables.append(.init("VAULT_CACERT", caCert)) }
        return ChildSession(identity: identity(auth), expiration: expiration(auth), variables: variables)
    }

    public func login(token: IdentityToken, journal: LoginJournal) async throws -> LoginResult {
        try SecureFile.checkTarget(settings.tokenFile)
        let auth = try await authenticate(token)
        let clientToken = SecretValue(auth.client_token)
        try journal.writeFile(settings.tokenFile, contents: Data(clientToken.reveal.utf8))
        let ttl = auth.lease_duration ?? 0
        let policies = auth.policies ?? []
        var details = ["address": settings.address, "role": settings.role, "policies": policies.joined(separator: ","),
                       "ttl": ttl > 0 ? DurationText.format(TimeInterval(ttl)) : "none", "renewable": String(auth.renewable ?? false)]
        if let accessor = auth.accessor { details["accessor"] = accessor }
        if let namespace = settings.namespace { details["namespace"] = namespace }
        if let caCert = settings.caCert { details["caCert"] = caCert }
        let credentials = IssuedCredentials(identity: identity(auth), expiration: expiration(auth),
                                            secrets: ["VAULT_TOKEN": clientToken], details: details, environment: exports(clientToken))
        return LoginResult(credentials: credentials, written: [WrittenTarget(kind: .file, path: settings.tokenFile)],
                           adapterRecord: VaultLoginRecord(address: settings.address, namespace: settings.namespace,
                                                           caCert: settings.caCert, accessor: auth.accessor))
    }
}

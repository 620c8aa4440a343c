import BrokerCore
import Foundation
import JWTKit

/// The embedded OIDC issuer: mints identity tokens with the active key and describes itself
/// through discovery and JWKS. Its keys and request tokens live where `settings.backends` says:
/// files in `$BROKER_HOME`, or OpenBao for a fleet of replicas.
public struct Issuer: Sendable {
    public let settings: IssuerSettings
    public let keys: any IssuerKeys
    public let requestTokens: any RequestTokenBackend
    /// The git remote of the working directory, when there is one (`repository` claim, default `sub`).
    public let repository: String?
    public let environment: [String: String]

    /// `repository` (for the `repository` claim and the default `sub`) and `environment` come
    /// from the caller: `DefaultSubject.repositoryURL()` reads the working directory's git config.
    /// `transport` carries the OpenBao calls (a server passes one that keeps connections open).
    public init(settings: IssuerSettings, home: BrokerHome, repository: String?, environment: [String: String],
                transport: (any HTTPTransport)? = nil) {
        self.settings = settings
        self.repository = repository
        self.environment = environment
        let transport = transport ?? LiveHTTPTransport(environment: environment)
        switch settings.backends.keys {
        case .file:
            keys = FileIssuerKeys(home: home)
        case .transit(let connection, let mount, let key):
            keys = TransitKeys(connection: connection, mount: mount, key: key, activationDelay: settings.backends.refresh, transport: transport)
        }
        switch settings.backends.requestTokens {
        case .file:
            requestTokens = RequestTokenStore(home: home)
        case .kv(let connection, let mount, let path):
            requestTokens = KVRequestTokens(connection: connection, mount: mount, path: path, transport: transport)
        }
    }

    /// The active key, ready to sign (the file backend creates it on first use).
    public func signer() async throws -> any TokenSigning {
        try await keys.signer(algorithm: settings.algorithm)
    }

    /// The claims of a new token. `subject` and `lifetime` override the settings for one token.
    public func claims(audiences: [String], subject: String? = nil, lifetime: TimeInterval? = nil,
                       extra: [String: JSONValue] = [:], now: Date = Date()) throws -> [String: JSONValue] {
        guard let first = audiences.first else {
            throw BrokerError.usage("at least one --audience is required", hint: "for AWS use --audience sts.amazonaws.com")
        }
        for audience in audiences { try AudienceRule.check(audience) }
        var values = settings.claims
        if let repository { values["repository"] = .string(repository) }
        for (key, value) in extra { values[key] = value }
        let issuedAt = now.timeIntervalSince1970.rounded(.down)
        let sub = subject ?? settings.subject ?? repository ?? DefaultSubject.userSubject(environment: environment)
        values["iss"] = .string(settings.url)
        values["sub"] = .string(sub)
        values["aud"] = audiences.count == 1 ? .string(first) : .array(audiences.map(JSONValue.string))
        values["azp"] = .string(first)
        values["iat"] = .number(issuedAt)
        values["nbf"] = .number(issuedAt)
        values["exp"] = .number(issuedAt + (lifetime ?? settings.lifetime).rounded())
        values["jti"] = .string(Base64URL.encode((0..<16).map { _ in UInt8.random(in: 0...255) }))
        return values
    }

    /// Rejects extra claims that would overwrite what broker sets itself.
    public static func checkExtraClaims(_ claims: [String: JSONValue], source: String) throws {
        for key in claims.keys where TokenClaims.registered.contains(key) {
            throw BrokerError.usage("\(source): claim '\(key)' is set by broker and cannot be overridden",
                                    hint: "use --subject for sub, --issuer for iss, --audience for aud and --lifetime for exp")
        }
    }

    /// Names of every claim this issuer emits, for `claims_supported`.
    public var emittedClaimNames: [String] {
        var names = Set(TokenClaims.registered).union(settings.claims.keys)
        if repository != nil { names.insert("repository") }
        return names.sorted()
    }

    /// Every key to publish now (the file backend creates its first key here).
    public func publishedKeys(now: Date = Date()) async throws -> [KeyStore.Entry] {
        try await keys.published(algorithm: settings.algorithm, now: now)
    }

    public func discovery(keys entries: [KeyStore.Entry]) -> DiscoveryDocument {
        let supported = Set(entries.map(\.algorithm.rawValue) + [(settings.algorithm ?? entries.first?.algorithm ?? .rs256).rawValue]).sorted()
        return DiscoveryDocument(issuer: settings.url, jwksURI: settings.jwksURL, algorithms: supported, claims: emittedClaimNames)
    }

    public func discovery() async throws -> DiscoveryDocument { discovery(keys: try await publishedKeys()) }

    public static func jwks(_ entries: [KeyStore.Entry]) -> JWKSet { JWKSet(keys: entries.map(\.publicKey)) }

    /// Published public keys, creating the first key if there is none yet.
    public func jwks(now: Date = Date()) async throws -> JWKSet { Self.jwks(try await publishedKeys(now: now)) }
}

/// Signs claims with one key. Built once and reused by the server.
public struct TokenSigner: Sendable {
    public let key: SigningKey
    let collection: JWTKeyCollection

    public init(key: SigningKey) async throws {
        self.key = key
        collection = try await key.keyCollection()
    }

    public func sign(_ claims: [String: JSONValue]) async throws -> String {
        try await collection.sign(TokenClaims(values: claims), kid: JWKIdentifier(string: key.kid))
    }
}

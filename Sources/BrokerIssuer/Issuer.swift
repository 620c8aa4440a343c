import BrokerCore
import Foundation
import JWTKit

/// The embedded OIDC issuer: mints identity tokens with the active key and describes itself
/// through discovery and JWKS.
public struct Issuer: Sendable {
    public let settings: IssuerSettings
    public let keyStore: KeyStore
    /// The git remote of the working directory, when there is one (`repository` claim, default `sub`).
    public let repository: String?
    public let environment: [String: String]

    /// `repository` (for the `repository` claim and the default `sub`) and `environment` come
    /// from the caller: `DefaultSubject.repositoryURL()` reads the working directory's git config.
    public init(settings: IssuerSettings, home: BrokerHome, repository: String?, environment: [String: String]) {
        self.settings = settings
        self.keyStore = KeyStore(home: home)
        self.repository = repository
        self.environment = environment
    }

    /// Loads (or on first use creates) the active key and wraps it for signing.
    public func signer() async throws -> TokenSigner {
        try await TokenSigner(key: keyStore.signingKey(algorithm: settings.algorithm))
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

    public func discovery() -> DiscoveryDocument {
        let algorithms = (try? keyStore.publishedKeys().map(\.algorithm.rawValue)) ?? []
        let supported = Set(algorithms + [(settings.algorithm ?? .rs256).rawValue]).sorted()
        return DiscoveryDocument(issuer: settings.url, jwksURI: settings.jwksURL,
                                 algorithms: supported, claims: emittedClaimNames)
    }

    /// Published public keys, creating the first key if there is none yet.
    public func jwks(now: Date = Date()) throws -> JWKSet {
        var entries = try keyStore.publishedKeys(now: now)
        if entries.isEmpty {
            _ = try keyStore.signingKey(algorithm: settings.algorithm, now: now)
            entries = try keyStore.publishedKeys(now: now)
        }
        return JWKSet(keys: entries.map(\.publicKey))
    }
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

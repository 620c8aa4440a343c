import BrokerCore
import Foundation

/// Where the issuer's keys live: files under `$BROKER_HOME/issuer` (one machine) or OpenBao
/// transit (a fleet, the private key never leaving OpenBao). Both publish the active key and
/// retired ones until tokens they signed have expired.
public protocol IssuerKeys: Sendable {
    /// Every key a verifier should accept now, the active one first; the file backend creates
    /// its first key here.
    func published(algorithm: SigningAlgorithm?, now: Date) async throws -> [KeyStore.Entry]
    /// Signs with the active key.
    func signer(algorithm: SigningAlgorithm?) async throws -> any TokenSigning
    /// A new key signs from now on; `retireNow` drops every other key at once (a leaked key).
    func rotate(algorithm: SigningAlgorithm?, retireNow: Bool, now: Date) async throws -> (kid: String, algorithm: SigningAlgorithm, removed: [String])
    /// Changes whenever the keys do (the file backend's keyring stamp); nil when there is no
    /// cheap way to tell, and a server re-reads on its refresh interval instead.
    func stamp() -> Date?
}

/// Signs a token's claims under one `kid`.
public protocol TokenSigning: Sendable {
    var kid: String { get }
    var algorithm: SigningAlgorithm { get }
    func sign(_ claims: [String: JSONValue]) async throws -> String
}

extension TokenSigner: TokenSigning {
    public var kid: String { key.kid }
    public var algorithm: SigningAlgorithm { key.algorithm }
}

/// Today's keys: the keyring and PEM files of `KeyStore`.
public struct FileIssuerKeys: IssuerKeys {
    public let store: KeyStore

    public init(home: BrokerHome) { store = KeyStore(home: home) }

    public func published(algorithm: SigningAlgorithm?, now: Date) async throws -> [KeyStore.Entry] {
        var entries = try store.publishedKeys(now: now)
        if entries.isEmpty {
            _ = try store.signingKey(algorithm: algorithm, now: now)
            entries = try store.publishedKeys(now: now)
        }
        return entries
    }

    public func signer(algorithm: SigningAlgorithm?) async throws -> any TokenSigning {
        try await TokenSigner(key: store.signingKey(algorithm: algorithm))
    }

    public func rotate(algorithm: SigningAlgorithm?, retireNow: Bool, now: Date) async throws -> (kid: String, algorithm: SigningAlgorithm, removed: [String]) {
        let (key, removed) = try store.rotate(algorithm: algorithm, retireNow: retireNow, now: now)
        return (key.kid, key.algorithm, removed)
    }

    public func stamp() -> Date? { store.stamp() }
}

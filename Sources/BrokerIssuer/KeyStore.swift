import BrokerCore
import Foundation

/// The issuer's keys in `$BROKER_HOME/issuer`: `keyring.json` lists every key still published,
/// `keys/<kid>.pem` (0600) holds the private key of the one that signs. A retired key stays
/// in the JWKS until every token it can have signed has expired (retirement + the longest
/// lifetime), then it is pruned.
public struct KeyStore: Sendable {
    public struct Entry: Codable, Sendable, Equatable {
        public var kid: String
        public var algorithm: SigningAlgorithm
        public var createdAt: Date
        public var retiredAt: Date?
        public var publicKey: PublicJWK
    }

    struct Keyring: Codable {
        var keys: [Entry]
    }

    /// Tokens live at most this long, so a retired key is kept for this long (plus leeway).
    public static let retention: TimeInterval = TokenLifetime.maximum + 60

    public let directory: String
    public init(home: BrokerHome) { directory = home.file("issuer") }

    var keyringPath: String { directory + "/keyring.json" }
    func privateKeyPath(_ kid: String) -> String { directory + "/keys/\(kid).pem" }

    /// The key that signs now, created on first use. If `algorithm` differs from the active
    /// key's, a new key of that algorithm takes over (the old one stays published until expiry).
    public func signingKey(algorithm: SigningAlgorithm?, now: Date = Date()) throws -> SigningKey {
        if let active = try keyring.read().keys.first(where: { $0.retiredAt == nil }),
           algorithm == nil || algorithm == active.algorithm {
            return try loadPrivateKey(active)
        }
        return try mutate(now: now) { ring in
            if let active = ring.keys.first(where: { $0.retiredAt == nil }),
               algorithm == nil || algorithm == active.algorithm {
                return try loadPrivateKey(active)
            }
            return try addKey(to: &ring, algorithm: algorithm ?? .rs256, retireOthers: false, now: now)
        }
    }

    /// A new key signs from now on. `retireNow` drops every other key at once (a leaked key).
    @discardableResult
    public func rotate(algorithm: SigningAlgorithm?, retireNow: Bool, now: Date = Date()) throws -> (new: SigningKey, removed: [String]) {
        try mutate(now: now) { ring in
            let previous = ring.keys.first(where: { $0.retiredAt == nil })?.algorithm
            let before = Set(ring.keys.map(\.kid))
            let key = try addKey(to: &ring, algorithm: algorithm ?? previous ?? .rs256, retireOthers: retireNow, now: now)
            let removed = before.subtracting(ring.keys.map(\.kid)).sorted()
            return (key, removed)
        }
    }

    /// Every key a verifier should accept now: the active one and retired ones still in retention.
    public func publishedKeys(now: Date = Date()) throws -> [Entry] {
        let ring = try keyring.read()
        return ring.keys.filter { isPublished($0, now: now) }
    }

    func isPublished(_ entry: Entry, now: Date) -> Bool {
        guard let retired = entry.retiredAt else { return true }
        return now.timeIntervalSince(retired) < Self.retention
    }

    /// Modification stamp of the keyring, so a running server notices rotation.
    public func stamp() -> Date? {
        (try? FileManager.default.attributesOfItem(atPath: keyringPath))?[.modificationDate] as? Date
    }

    // MARK: - Internals

    private func addKey(to ring: inout Keyring, algorithm: SigningAlgorithm, retireOthers: Bool, now: Date) throws -> SigningKey {
        let key = try SigningKey.generate(algorithm)
        try SecureFile.write(Data(key.pem.utf8), to: privateKeyPath(key.kid), mode: 0o600)
        for index in ring.keys.indices where ring.keys[index].retiredAt == nil {
            ring.keys[index].retiredAt = now
            // A retired key never signs again: its private half is no longer needed.
            try? FileManager.default.removeItem(atPath: privateKeyPath(ring.keys[index].kid))
        }
        if retireOthers {
            for entry in ring.keys { try? FileManager.default.removeItem(atPath: privateKeyPath(entry.kid)) }
            ring.keys.removeAll()
        }
        ring.keys.insert(Entry(kid: key.kid, algorithm: algorithm, createdAt: now, retiredAt: nil, publicKey: key.publicJWK), at: 0)
        return key
    }

    private func mutate<T>(now: Date, _ body: (inout Keyring) throws -> T) throws -> T {
        try SecureFile.ensureDirectory(directory, mode: 0o700)
        var result: T?
        try keyring.update { ring in
            ring.keys.removeAll { !isPublished($0, now: now) }
            result = try body(&ring)
            return true
        }
        return result!
    }

    /// A missing keyring is an empty one (the first signing creates a key); a damaged one is
    /// never replaced, since that would orphan every key it lists.
    var keyring: JSONFileStore<Keyring> {
        let path = keyringPath, directory = directory
        return JSONFileStore(path: path, empty: { Keyring(keys: []) }) { reason in
            BrokerError.failure("the issuer keyring \(path) is corrupt: \(reason)",
                                hint: "restore it from a backup; broker will not replace an existing key. Remove \(directory) only if you mean to start over with new keys")
        }
    }

    private func loadPrivateKey(_ entry: Entry) throws -> SigningKey {
        let path = privateKeyPath(entry.kid)
        guard let data = FileManager.default.contents(atPath: path) else {
            let exists = FileManager.default.fileExists(atPath: path)
            throw BrokerError.failure("cannot \(exists ? "read" : "find") the issuer signing key \(path)",
                                      hint: exists ? "check its permissions (it should be 0600 and owned by you)"
                                                   : "restore it, or run 'broker idp rotate-key --retire-now' to start over with a new key")
        }
        do {
            let key = try SigningKey(algorithm: entry.algorithm, pem: String(decoding: data, as: UTF8.self))
            guard key.kid == entry.kid else {
                throw BrokerError.failure("the issuer signing key \(path) does not match its keyring entry (kid \(entry.kid))")
            }
            return key
        } catch let error as BrokerError {
            throw error
        } catch {
            throw BrokerError.failure("the issuer signing key \(path) is corrupt or not a \(entry.algorithm.rawValue) private key",
                                      hint: "restore it from a backup, or run 'broker idp rotate-key --retire-now' to replace it")
        }
    }
}

import BrokerCore
import Foundation

/// Request tokens let a job on a self-hosted runner ask `broker idp serve` for identity
/// tokens without holding the private key. Only their SHA-256 is stored; each fixes the
/// `sub` of the tokens it obtains.
public struct RequestTokenStore: Sendable {
    public struct Entry: Codable, Sendable, Equatable {
        public var id: String
        public var subject: String
        public var createdAt: Date
        public var sha256: String
    }

    struct File: Codable, Sendable { var tokens: [Entry] }

    public static let prefix = "brt_"
    public let path: String

    public init(home: BrokerHome) { path = home.file("issuer/request-tokens.json") }

    /// Creates a request token and returns it; it is shown once and never stored in clear.
    public func create(subject: String, now: Date = Date()) throws -> (token: SecretValue, entry: Entry) {
        let (secret, entry) = try Self.newToken(subject: subject, now: now)
        try SecureFile.ensureDirectory((path as NSString).deletingLastPathComponent)
        try store.update { file in
            file.tokens.append(entry)
            return true
        }
        return (secret, entry)
    }

    /// A fresh token and the entry that stores it (its hash), whatever the backend.
    static func newToken(subject: String, now: Date) throws -> (token: SecretValue, entry: Entry) {
        guard !subject.isEmpty else { throw BrokerError.usage("--subject must not be empty") }
        let secret = prefix + Base64URL.encode((0..<32).map { _ in UInt8.random(in: 0...255) })
        let entry = Entry(id: "rt-" + lowercaseHex((0..<6).map { _ in UInt8.random(in: 0...255) }),
                          subject: subject, createdAt: now, sha256: digest(secret))
        return (SecretValue(secret), entry)
    }

    public func list() throws -> [Entry] { try store.read().tokens }

    /// Revokes by id; returns false when no such id exists.
    public func revoke(id: String) throws -> Bool {
        var found = false
        try store.update { file in
            let before = file.tokens.count
            file.tokens.removeAll { $0.id == id }
            found = file.tokens.count != before
            return found
        }
        return found
    }

    /// The entry a presented bearer token belongs to, compared in constant time.
    public static func match(_ presented: String, in entries: [Entry]) -> Entry? {
        let digest = Array(digest(presented).utf8)
        var found: Entry?
        for entry in entries {
            let stored = Array(entry.sha256.utf8)
            guard stored.count == digest.count else { continue }
            var difference: UInt8 = 0
            for index in stored.indices { difference |= stored[index] ^ digest[index] }
            if difference == 0 { found = entry }
        }
        return found
    }

    public func stamp() -> Date? {
        (try? FileManager.default.attributesOfItem(atPath: path))?[.modificationDate] as? Date
    }

    var store: JSONFileStore<File> {
        let path = path
        return JSONFileStore(path: path, empty: { File(tokens: []) }) { reason in
            BrokerError.failure("the request-token store \(path) is corrupt: \(reason)",
                                hint: "restore it or remove it (every request token is then revoked)")
        }
    }


    static func digest(_ token: String) -> String { sha256Hex(Data(token.utf8)) }
}

import Foundation

/// What broker wrote, where, and until when: `$BROKER_HOME/state.json` (0600, atomic, locked),
/// read by `status`, `logout` and `refresh`.
public struct StateStore: Sendable {
    public struct Record: Codable, Sendable, Equatable {
        public var name: String
        public var adapter: String
        public var identity: String
        public var expiration: Date?
        public var written: [WrittenTarget]
        public var refresh: Refresh?
        /// Non-secret facts the adapter needs again at logout (a Vault address, a namespace).
        public var details: [String: String]?
        public var recordedAt: Date

        public init(name: String, adapter: String, identity: String, expiration: Date?, written: [WrittenTarget],
                    refresh: Refresh? = nil, details: [String: String]? = nil, recordedAt: Date = Date()) {
            self.name = name
            self.adapter = adapter
            self.identity = identity
            self.expiration = expiration
            self.written = written
            self.refresh = refresh
            self.details = details
            self.recordedAt = recordedAt
        }
    }

    /// A token file `broker refresh` keeps fresh, and how to get a new token for it.
    public struct Refresh: Codable, Sendable, Equatable {
        public var tokenFile: String
        public var audience: String
        /// The token-source flags of the login (`--token-file P`, ...); empty means the embedded issuer.
        public var sourceArguments: [String]

        public init(tokenFile: String, audience: String, sourceArguments: [String]) {
            self.tokenFile = tokenFile
            self.audience = audience
            self.sourceArguments = sourceArguments
        }
    }

    struct File: Codable { var version = 1; var logins: [Record] = [] }

    public let path: String
    public init(home: BrokerHome) { path = home.file("state.json") }

    public func records() throws -> [Record] { try decode(SecureFile.read(path)).logins }

    public func record(_ record: Record) throws {
        try SecureFile.update(path) { data in
            var file = try decode(data)
            file.logins.removeAll { $0.name == record.name }
            file.logins.append(record)
            file.logins.sort { $0.name < $1.name }
            return try encode(file)
        }
    }

    public func remove(name: String) throws {
        try SecureFile.update(path) { data in
            var file = try decode(data)
            let before = file.logins.count
            file.logins.removeAll { $0.name == name }
            return file.logins.count == before ? nil : try encode(file)
        }
    }

    private func encode(_ file: File) throws -> Data { try JSONOutput.encode(file) }

    private func decode(_ data: Data?) throws -> File {
        guard let data, !data.isEmpty else { return File() }
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        do { return try decoder.decode(File.self, from: data) } catch {
            throw BrokerError.failure("broker's state file \(path) is corrupt: \(error)",
                                      hint: "remove it to forget earlier logins (the credential files themselves are untouched)")
        }
    }
}

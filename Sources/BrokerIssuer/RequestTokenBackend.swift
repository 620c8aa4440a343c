import BrokerCore
import Foundation

/// Where request tokens are kept (only their SHA-256): one machine's file, or OpenBao KV v2
/// shared by every replica of a fleet.
public protocol RequestTokenBackend: Sendable {
    /// Creates a request token and returns it; it is shown once and never stored in clear.
    func create(subject: String, now: Date) async throws -> (token: SecretValue, entry: RequestTokenStore.Entry)
    func list() async throws -> [RequestTokenStore.Entry]
    /// Revokes by id; false when no such id exists.
    func revoke(id: String) async throws -> Bool
    /// Changes whenever the tokens do (the file's stamp); nil: re-read on the refresh interval.
    func stamp() -> Date?
}

extension RequestTokenStore: RequestTokenBackend {}

/// Request tokens in one KV v2 secret (`{mount}/data/{path}`, `{"tokens": [...]}`), written with
/// check-and-set so replicas and operators changing it at once never lose each other's change.
public struct KVRequestTokens: RequestTokenBackend {
    let client: OpenBaoClient
    public let mount: String
    public let path: String

    public init(connection: OpenBaoConnection, mount: String, path: String, transport: any HTTPTransport) {
        client = OpenBaoClient(connection: connection, transport: transport)
        self.mount = mount
        self.path = path
    }

    public func create(subject: String, now: Date) async throws -> (token: SecretValue, entry: RequestTokenStore.Entry) {
        let (token, entry) = try RequestTokenStore.newToken(subject: subject, now: now)
        try await update { $0.append(entry) }
        return (token, entry)
    }

    public func list() async throws -> [RequestTokenStore.Entry] { try await read().entries }

    public func revoke(id: String) async throws -> Bool {
        var found = false
        try await update { entries in
            let before = entries.count
            entries.removeAll { $0.id == id }
            found = entries.count != before
        }
        return found
    }

    public func stamp() -> Date? { nil }

    var secret: String { "\(mount)/data/\(path)" }

    func read() async throws -> (entries: [RequestTokenStore.Entry], version: Int) {
        let answer = try await client.call("GET", secret)
        guard answer.status != 404 else { return ([], 0) }
        return try Self.entries(from: answer.data, secret: secret, address: client.connection.address)
    }

    /// Reads `data` of a KV v2 read answer (outside input: fuzzed).
    public static func entries(from data: JSONValue?, secret: String, address: String) throws -> (entries: [RequestTokenStore.Entry], version: Int) {
        let number = data?.objectValue?["metadata"]?.objectValue?["version"]?.numberValue ?? 0
        let version = number.isFinite && number >= 0 && number < 1e15 ? Int(number) : 0
        // A deleted secret answers 200 with null data: no tokens, but the version counts for CAS.
        guard let tokens = data?.objectValue?["data"]?.objectValue?["tokens"] else { return ([], version) }
        do {
            return (try decoder.decode([RequestTokenStore.Entry].self, from: JSONEncoder().encode(tokens)), version)
        } catch {
            throw BrokerError.failure("the request tokens in OpenBao at \(address) (\(secret)) are not broker's: \(error)",
                                      hint: "restore the secret from its earlier version (KV v2 keeps them), or point issuer.requestTokens.path elsewhere")
        }
    }

    /// Read, change, write with `cas` = the version read; tried again when someone else wrote first.
    func update(_ change: (inout [RequestTokenStore.Entry]) -> Void) async throws {
        for _ in 0..<5 {
            var (entries, version) = try await read()
            change(&entries)
            let tokens = try JSONDecoder().decode(JSONValue.self, from: Self.encoder.encode(entries))
            let answer = try await client.call("POST", secret, body: .object(["options": .object(["cas": .number(Double(version))]),
                                                                              "data": .object(["tokens": tokens])]), allowing: [400])
            if answer.status != 400 { return }
            let errors = answer.json?.objectValue?["errors"]?.arrayValue?.compactMap(\.stringValue).joined(separator: "; ") ?? ""
            guard errors.contains("check-and-set") else {
                throw BrokerError.failure("OpenBao at \(client.connection.address) refused to write \(secret) (HTTP 400): \(errors)")
            }
        }
        throw BrokerError.failure("the request tokens in OpenBao (\(secret)) kept changing while broker wrote them", hint: "try again")
    }

    static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = [.sortedKeys]
        return encoder
    }()

    static let decoder: JSONDecoder = {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return decoder
    }()
}

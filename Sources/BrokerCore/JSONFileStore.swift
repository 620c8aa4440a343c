import Foundation

/// One JSON document in a 0600 file, read whole and changed whole under the file's lock with an
/// atomic replace: broker's state, the request-token store, the issuer keyring and the trusted
/// configs. A missing or empty file reads as `empty`; one that does not decode is `corrupt`'s
/// error (each store says what losing it means), never silently replaced.
public struct JSONFileStore<Document: Codable & Sendable>: Sendable {
    public let path: String
    private let empty: @Sendable () -> Document
    private let corrupt: @Sendable (_ reason: String) -> BrokerError

    public init(path: String, empty: @escaping @Sendable () -> Document, corrupt: @escaping @Sendable (_ reason: String) -> BrokerError) {
        self.path = path
        self.empty = empty
        self.corrupt = corrupt
    }

    public func read() throws -> Document { try decode(SecureFile.read(path)) }

    /// Changes the document under the lock; it is written only when `body` returns true.
    public func update(_ body: (inout Document) throws -> Bool) throws {
        try SecureFile.update(path) { data in
            var document = try decode(data)
            return try body(&document) ? try JSONOutput.encode(document) : nil
        }
    }

    /// Takes the lock and writes nothing: fails when the file cannot be locked or written.
    public func checkWritable() throws {
        try SecureFile.update(path) { _ in nil }
    }

    func decode(_ data: Data?) throws -> Document {
        guard let data, !data.isEmpty else { return empty() }
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        do { return try decoder.decode(Document.self, from: data) } catch { throw corrupt("\(error)") }
    }
}

import Foundation

/// One JSON document in a 0600 file, read whole and changed whole under the file's lock with an
/// atomic replace: broker's state, the request-token store, the issuer keyring and the trusted
/// configs. A missing or empty file reads as `empty`; one that does not decode is `corrupt`'s
/// error (each store says what losing it means), never silently replaced.
public struct JSONFileStore<Document: Sendable>: Sendable {
    public let path: String
    private let empty: @Sendable () -> Document
    private let corrupt: @Sendable (_ reason: String) -> BrokerError
    private let decodeDocument: @Sendable (Data) throws -> Document
    private let encodeDocument: @Sendable (Document) throws -> Data

    /// A document read and written by its own code (the state file, on every login's path).
    public init(path: String, empty: @escaping @Sendable () -> Document, corrupt: @escaping @Sendable (_ reason: String) -> BrokerError,
                decode: @escaping @Sendable (Data) throws -> Document, encode: @escaping @Sendable (Document) throws -> Data) {
        self.path = path
        self.empty = empty
        self.corrupt = corrupt
        decodeDocument = decode
        encodeDocument = encode
    }

    public func read() throws -> Document { try decode(SecureFile.read(path)) }

    /// Changes the document under the lock; it is written only when `body` returns true.
    public func update(_ body: (inout Document) throws -> Bool) throws {
        try SecureFile.update(path) { data in
            var document = try decode(data)
            return try body(&document) ? try encodeDocument(document) : nil
        }
    }

    /// Takes the lock and writes nothing: fails when the file cannot be locked or written.
    public func checkWritable() throws {
        try SecureFile.update(path) { _ in nil }
    }

    func decode(_ data: Data?) throws -> Document {
        guard let data, !data.isEmpty else { return empty() }
        do { return try decodeDocument(data) } catch { throw corrupt("\(error)") }
    }
}

extension JSONFileStore where Document: Codable {
    /// A Codable document, in `JSONOutput`'s layout with ISO 8601 times.
    public init(path: String, empty: @escaping @Sendable () -> Document, corrupt: @escaping @Sendable (_ reason: String) -> BrokerError) {
        self.init(path: path, empty: empty, corrupt: corrupt, decode: { data in
            let decoder = JSONDecoder()
            decoder.dateDecodingStrategy = .iso8601
            return try decoder.decode(Document.self, from: data)
        }, encode: { try JSONOutput.encode($0) })
    }
}

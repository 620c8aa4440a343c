import BrokerCore
import BrokerTestSupport
import Foundation
import Testing

/// The one store behind state, request tokens, the keyring and trusted configs.
@Suite struct JSONFileStoreTests {
    struct Document: Codable, Sendable, Equatable { var names: [String] }

    func store(_ path: String) -> JSONFileStore<Document> {
        JSONFileStore(path: path, empty: { Document(names: []) }) { reason in BrokerError.failure("damaged: \(reason)") }
    }

    @Test func aMissingFileIsEmptyAndAnUpdateWritesIt0600() throws {
        let path = temporaryDirectory() + "/store.json"
        #expect(try store(path).read() == Document(names: []))
        try store(path).update { $0.names.append("a"); return true }
        #expect(try store(path).read() == Document(names: ["a"]) && fileMode(path) == 0o600)
    }

    @Test func anUpdateThatChangesNothingDoesNotWrite() throws {
        let path = temporaryDirectory() + "/store.json"
        try store(path).update { _ in false }
        #expect(!FileManager.default.fileExists(atPath: path))
    }

    @Test func aDamagedFileIsAnErrorAndStaysAsItWas() throws {
        let path = temporaryDirectory() + "/store.json"
        try writeText("{not json", to: path)
        #expect(throws: BrokerError.self) { try store(path).read() }
        #expect(throws: BrokerError.self) { try store(path).update { $0.names = ["x"]; return true } }
        #expect(try readText(path) == "{not json")
    }
}

import BrokerCore
import Foundation
import Testing

/// Whole-file targets (Vault token file, token-exchange output, plugin files): a file that was
/// there goes back as it was at logout; broker's own files go; a file changed since stays.
@Suite struct LoginJournalTests {
    struct Place {
        let root = temporaryDirectory()
        var state: StateStore { StateStore(home: BrokerHome(path: root + "/home")) }
        func journal(_ name: String) -> LoginJournal { LoginJournal(name: name, adapter: "vault-jwt", state: state) }
        func record(_ name: String) throws -> StateStore.Record { try #require(try state.records().first { $0.name == name }) }
        func finish(_ name: String, _ journal: LoginJournal) throws {
            try state.finish(.init(name: name, adapter: "vault-jwt", identity: "x", expiration: nil, written: [], loginID: journal.loginID))
        }
    }

    @Test func aUsersFileComesBackWithItsModeAndTheBackupGoes() throws {
        let place = Place()
        let path = place.root + "/.vault-token"
        try Data("s.users-own-root-token".utf8).write(to: URL(fileURLWithPath: path))
        chmod(path, 0o640)
        let journal = place.journal("vault")
        try journal.writeFile(path, contents: Data("hvs.broker".utf8))
        try place.finish("vault", journal)
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "hvs.broker")
        let target = try #require(try place.record("vault").written.first)
        let backup = try #require(target.backup)
        #expect(fileMode(backup) == 0o640)

        let notes = try place.record("vault").undoFiles()
        #expect(notes == ["restored \(path) as it was before the login"])
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "s.users-own-root-token")
        #expect(fileMode(path) == 0o640)
        #expect(try place.state.remove(name: "vault", loginID: journal.loginID))
        #expect(!FileManager.default.fileExists(atPath: backup))
    }

    @Test func aFileChangedAfterTheLoginIsLeftAlone() throws {
        let place = Place()
        let path = place.root + "/token"
        let journal = place.journal("t")
        try journal.writeFile(path, contents: Data("broker".utf8))
        try Data("the user's own".utf8).write(to: URL(fileURLWithPath: path))
        #expect(try place.record("t").undoFiles() == ["left \(path) as it is (it changed after the login)"])
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "the user's own")
    }

    /// `broker refresh` rewrites a token file outside BROKER_HOME: recorded first, it is still
    /// broker's at logout, and the user's own file comes back.
    @Test func aRefreshedFileIsStillBrokersAtLogout() throws {
        let place = Place()
        let path = place.root + "/federated-token"
        try Data("the user's own".utf8).write(to: URL(fileURLWithPath: path))
        let journal = place.journal("azure")
        try journal.writeFile(path, contents: Data("jwt-1".utf8))
        try place.finish("azure", journal)
        for refreshed in ["jwt-2", "jwt-3"] {
            try place.state.willRefresh(name: "azure", path: path, contentHash: sha256Hex(Data(refreshed.utf8)))
            try Data(refreshed.utf8).write(to: URL(fileURLWithPath: path))
        }
        #expect(try place.record("azure").undoFiles() == ["restored \(path) as it was before the login"])
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "the user's own")
    }

    @Test func aFileBrokerCreatedGoesAndABrokerOwnedFileGoesWhateverItHolds() throws {
        let place = Place()
        let created = place.root + "/new/token"
        let owned = place.root + "/home/aws/cache.json"
        let journal = place.journal("t")
        try journal.writeFile(created, contents: Data("broker".utf8))
        try journal.writeFile(owned, contents: Data("{}".utf8), brokerOwned: true)
        try Data("refreshed".utf8).write(to: URL(fileURLWithPath: owned))
        let notes = try place.record("t").undoFiles()
        #expect(notes.sorted() == ["removed \(created)", "removed \(owned)"].sorted())
        #expect(!FileManager.default.fileExists(atPath: created) && !FileManager.default.fileExists(atPath: owned))
    }

    @Test func aSecondLoginKeepsTheFirstBackupAndAnotherNameTakesTheFileOver() throws {
        let place = Place()
        let path = place.root + "/.vault-token"
        try Data("original".utf8).write(to: URL(fileURLWithPath: path))
        let first = place.journal("a")
        try first.writeFile(path, contents: Data("one".utf8))
        try place.finish("a", first)
        let second = place.journal("b")
        try second.writeFile(path, contents: Data("two".utf8))
        try place.finish("b", second)
        // "a" no longer owns the file; "b" took over what "a" had found there.
        #expect(try place.record("a").written.isEmpty)
        let backups = try FileManager.default.contentsOfDirectory(atPath: place.state.backupDirectory)
        #expect(backups.count == 1)
        _ = try place.record("b").undoFiles()
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "original")
    }

    @Test func aLoginRecordsBeforeItWritesAndNothingIsWrittenWhenItCannot() throws {
        let place = Place()
        let path = place.root + "/token"
        let journal = place.journal("t")
        try journal.writeFile(path, contents: Data("broker".utf8))
        // Written, not finished: the record is there already (a kill here loses nothing).
        #expect(try place.record("t").isPending)

        // A state file that cannot be written stops the write before it happens.
        chmod(place.state.path, 0o400)
        let other = place.root + "/other"
        #expect(throws: BrokerError.self) { try place.journal("u").writeFile(other, contents: Data("x".utf8)) }
        #expect(!FileManager.default.fileExists(atPath: other))
        #expect(throws: BrokerError.self) { try place.state.checkWritable() }
    }

    @Test func logoutRemovesOnlyTheRecordItUndid() throws {
        let place = Place()
        let journal = place.journal("t")
        try journal.writeFile(place.root + "/f", contents: Data("1".utf8))
        try place.finish("t", journal)
        let undone = try place.record("t")
        // A newer login of the same name finishes between the undo and the removal.
        let newer = place.journal("t")
        try newer.writeFile(place.root + "/f", contents: Data("2".utf8))
        try place.finish("t", newer)
        #expect(try !place.state.remove(name: "t", loginID: undone.loginID))
        #expect(try place.record("t").loginID == newer.loginID)
    }
}

extension LoginJournalTests {
    @Test func aFileWriteKilledAfterItWasRecordedKeepsTheFirstBackup() throws {
        let place = Place()
        let path = place.root + "/.vault-token"
        try Data("original".utf8).write(to: URL(fileURLWithPath: path))
        let first = place.journal("v")
        try first.writeFile(path, contents: Data("one".utf8))
        try place.finish("v", first)
        // Recorded "two", died before writing it: the file still says "one".
        try place.journal("v").writeFile(path, contents: Data("two".utf8))
        try Data("one".utf8).write(to: URL(fileURLWithPath: path))
        try place.journal("v").writeFile(path, contents: Data("three".utf8))
        _ = try place.record("v").undoFiles()
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "original")
    }
}

import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// One login's changes, recorded in the state file before each is made (write-ahead). Providers
/// write every file through it, so whatever happens next (a kill, a full disk, a logout running
/// at the same time) no key broker wrote is unknown to `status` and `logout`.
public final class LoginJournal: Sendable {
    public let name: String
    public let adapter: String
    /// This run: logout removes a record only while it still belongs to the run it undid.
    public let loginID: String
    /// nil: nothing is recorded (unit tests of a provider's own writing).
    public let state: StateStore?

    public init(name: String, adapter: String, state: StateStore?, loginID: String = UUID().uuidString) {
        self.name = name
        self.adapter = adapter
        self.state = state
        self.loginID = loginID
    }

    /// Records several changes in one write of the state file.
    public func willChange(_ changes: [StateStore.Change]) throws -> [WrittenTarget] {
        guard let state, !changes.isEmpty else { return changes.map(\.target) }
        return try state.journal(name: name, adapter: adapter, loginID: loginID, changes: changes)
    }

    /// A journal that records nothing, for tests that exercise a provider's writing alone.
    public static func unrecorded(name: String = "test", adapter: String = "test") -> LoginJournal {
        LoginJournal(name: name, adapter: adapter, state: nil)
    }

    /// Records a change about to be made; call it with the target's lock held, right before
    /// writing. Throws (and nothing must be written) when the state file cannot be updated.
    @discardableResult
    public func willChange(_ change: StateStore.Change, makeBackup: () throws -> String? = { nil }) throws -> WrittenTarget {
        guard let state else { return change.target }
        return try state.journal(name: name, adapter: adapter, loginID: loginID, change: change, makeBackup: makeBackup)
    }

    /// True when a login recorded `value` as what it left (or was about to leave) in `key`:
    /// broker may replace it. A record from before per-key journaling counts for its section.
    public func brokerLeft(key: String, value: String, section: String, in path: String) -> Bool {
        let fingerprint = KeyChange.fingerprint(value)
        // Most logins replace broker's own keys: a fingerprint absent from the whole state file
        // needs no decoding of it (only records without per-key detail can still match).
        if let fingerprint, let raw = state.flatMap({ FileManager.default.contents(atPath: $0.path) }),
           raw.range(of: Data(fingerprint.utf8)) != nil {
            return true
        }
        let records = (try? state?.records()) ?? nil
        return records?.contains { record in
            record.written.contains { target in
                guard target.kind == .section, target.path == path, target.section == section else { return false }
                guard let keys = target.keys else { return true }
                return keys.contains { $0.key == key && $0.isBrokers(fingerprint) }
            }
        } ?? false
    }

    /// True when a broker login created this INI section (so broker may remove it once bare).
    public func brokerCreated(section: String, in path: String) -> Bool {
        let records = (try? state?.records()) ?? nil
        return records?.contains { record in
            record.written.contains { $0.kind == .section && $0.path == path && $0.section == section && $0.createdSection == true }
        } ?? false
    }

    /// Writes a whole file. A file that was there and is not already a broker login's is copied
    /// to `$BROKER_HOME/backups` first, so logout can put it back; `brokerOwned` files (broker's
    /// own caches and token files) are simply removed at logout.
    public func writeFile(_ path: String, contents: Data, mode: mode_t = 0o600, brokerOwned: Bool = false) throws {
        try SecureFile.update(path, mode: mode) { existing in
            let target = WrittenTarget(kind: .file, path: path, createdFile: existing == nil ? true : nil,
                                       contentHash: brokerOwned ? nil : sha256Hex(contents))
            try willChange(.init(target: target, observedContent: existing.map(sha256Hex))) {
                guard let existing, let state else { return nil }
                return try Self.backUp(existing, of: path, into: state.backupDirectory)
            }
            return contents
        }
        // An unchanged file is not rewritten, but its mode must still be the one asked for.
        if let target = try? SecureFile.resolvedTarget(path) { _ = chmod(target, mode) }
    }

    /// Keeps a copy (0600, in a 0700 directory) of a file broker is about to replace, with the
    /// original's permission bits, until logout restores it.
    static func backUp(_ contents: Data, of path: String, into directory: String) throws -> String {
        var info = stat()
        let target = try SecureFile.resolvedTarget(path)
        let mode = stat(target, &info) == 0 ? info.st_mode & 0o777 : 0o600
        let backup = directory + "/" + String(sha256Hex(Data(path.utf8)).prefix(16)) + "-" + UUID().uuidString.prefix(8).lowercased()
        try SecureFile.write(contents, to: backup, mode: 0o600)
        _ = chmod(backup, mode | 0o600)
        return backup
    }
}

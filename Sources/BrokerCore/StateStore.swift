import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// What broker wrote, where, and until when: `$BROKER_HOME/state.json` (0600, atomic, locked),
/// read by `status`, `logout` and `refresh`.
///
/// A login records each change before it makes it (`journal`), so a login that is killed, or
/// that loses a race with a logout, still leaves a record of every key it may have written.
/// Each key or file is owned by one record at a time; a later login takes over what an earlier
/// one wrote, together with what the user had before either.
public struct StateStore: Sendable {
    public struct Record: Codable, Sendable, Equatable {
        public var name: String
        public var adapter: String
        public var identity: String
        public var expiration: Date?
        public var written: [WrittenTarget]
        public var refresh: Refresh?
        /// Non-secret facts shown by `status` (a profile, a Vault address).
        public var details: [String: String]?
        /// The adapter's own record of what logout and `status` need again (a Vault address
        /// to revoke at, an AWS profile to export), in a type the adapter defines; read it
        /// with `adapterRecord(_:)`.
        public var adapterRecord: JSONValue?
        public var recordedAt: Date
        /// Which login run last wrote this record: logout removes the record only while it is
        /// still the one it undid.
        public var loginID: String?
        /// The login recorded changes but has not finished: it is running, or it was interrupted.
        public var pending: Bool?

        public init(name: String, adapter: String, identity: String, expiration: Date?, written: [WrittenTarget],
                    refresh: Refresh? = nil, details: [String: String]? = nil, adapterRecord: JSONValue? = nil,
                    recordedAt: Date = Date(), loginID: String? = nil, pending: Bool? = nil) {
            self.adapterRecord = adapterRecord
            self.name = name
            self.adapter = adapter
            self.identity = identity
            self.expiration = expiration
            self.written = written
            self.refresh = refresh
            self.details = details
            self.recordedAt = recordedAt
            self.loginID = loginID
            self.pending = pending
        }

        public var isPending: Bool { pending == true }

        /// The adapter's record as its type; nil when absent (a record from before adapter
        /// records, which the adapter reads from `details`) or of another shape.
        public func adapterRecord<T: Decodable>(_ type: T.Type) -> T? {
            guard let adapterRecord, let data = try? JSONEncoder().encode(adapterRecord) else { return nil }
            return try? JSONDecoder().decode(T.self, from: data)
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

    /// A change a login is about to make, and what it found in its place.
    public struct Change: Sendable {
        public var target: WrittenTarget
        /// For `.section`: each key's value fingerprint before this change (nil: absent).
        public var observedKeys: [String: String?]
        /// For `.file`: SHA-256 of the file before this change (nil: absent).
        public var observedContent: String?

        public init(target: WrittenTarget, observedKeys: [String: String?] = [:], observedContent: String? = nil) {
            self.target = target
            self.observedKeys = observedKeys
            self.observedContent = observedContent
        }
    }

    struct File: Codable {
        var version = 1
        var logins: [Record] = []
        /// Every file a login ever wrote, records or not: where a killed writer's temp file may be.
        var touched: [String]?
    }

    public let path: String
    public let home: BrokerHome
    public init(home: BrokerHome) {
        self.home = home
        path = home.file("state.json")
    }

    /// Where copies of replaced files are kept until logout puts them back.
    public var backupDirectory: String { home.file("backups") }

    /// Fails (before a login touches anything) when the state file cannot be locked and written.
    public func checkWritable() throws {
        try store.checkWritable()
    }

    public func records() throws -> [Record] { try store.read().logins }

    /// Every file a login has written, including ones whose record is gone.
    public func touchedFiles() throws -> [String] { try store.read().touched ?? [] }

    /// Records (write-ahead) that login `loginID` of `name` is about to make `change`, merged into
    /// the record's earlier changes. Returns the target as recorded. `makeBackup` runs only when
    /// a file's earlier content is nobody's record yet (it is the user's, to be put back).
    @discardableResult
    public func journal(name: String, adapter: String, loginID: String, change: Change,
                        makeBackup: () throws -> String? = { nil }) throws -> WrittenTarget {
        try journal(name: name, adapter: adapter, loginID: loginID, changes: [change], makeBackup: makeBackup)[0]
    }

    /// Several changes recorded in one write of the state file (both AWS files of one login).
    public func journal(name: String, adapter: String, loginID: String, changes: [Change],
                        makeBackup: () throws -> String? = { nil }) throws -> [WrittenTarget] {
        var recorded: [WrittenTarget] = []
        var dropped: Set<String> = []
        try store.update { file in
            let before = Set(file.logins.flatMap { $0.written.compactMap(\.backup) })
            let index = file.logins.firstIndex { $0.name == name } ?? {
                file.logins.append(Record(name: name, adapter: adapter, identity: "", expiration: nil, written: []))
                return file.logins.count - 1
            }()
            file.logins[index].adapter = adapter
            file.logins[index].loginID = loginID
            file.logins[index].pending = true
            recorded = []
            for change in changes {
                if !(file.touched ?? []).contains(change.target.path) { file.touched = (file.touched ?? []) + [change.target.path] }
                let target = try Self.inherit(change, for: name, logins: &file.logins, makeBackup: makeBackup)
                Self.merge(target, into: &file.logins[index])
                recorded.append(target)
            }
            file.logins.sort { $0.name < $1.name }
            dropped = before.subtracting(file.logins.flatMap { $0.written.compactMap(\.backup) })
            return true
        }
        for backup in dropped { unlink(backup) }
        return recorded
    }

    /// Marks login `loginID` of `record.name` finished: the outcome replaces the record's
    /// metadata; its targets are those journaled, plus any the provider reports that were not.
    public func finish(_ record: Record) throws {
        try store.update { file in
            var finished = record
            finished.pending = nil
            if let existing = file.logins.first(where: { $0.name == record.name }) {
                finished.written = existing.written
                for target in record.written where !existing.written.contains(where: { $0.isSameTarget(as: target) }) {
                    finished.written.append(target)
                }
            }
            file.logins.removeAll { $0.name == record.name }
            file.logins.append(finished)
            file.logins.sort { $0.name < $1.name }
            return true
        }
    }

    /// Records (write-ahead) that `broker refresh` is about to put `contentHash` into the file
    /// `path` of login `name`: logout then still knows the file as broker's, wherever it is.
    public func willRefresh(name: String, path: String, contentHash: String) throws {
        try store.update { file in
            guard let login = file.logins.firstIndex(where: { $0.name == name }),
                  let index = file.logins[login].written.firstIndex(where: { $0.kind == .file && $0.path == path }),
                  file.logins[login].written[index].contentHash != nil else { return false }
            var target = file.logins[login].written[index]
            target.earlierHashes = Array(((target.earlierHashes ?? []) + [contentHash]).suffix(8))
            file.logins[login].written[index] = target
            return true
        }
    }

    /// Writes a record as given (no journal): tests and tools.
    public func record(_ record: Record) throws {
        try store.update { file in
            file.logins.removeAll { $0.name == record.name }
            file.logins.append(record)
            file.logins.sort { $0.name < $1.name }
            return true
        }
    }

    /// Removes the record `name`, but only while it is still the login that was undone
    /// (`loginID`): a login that finished in between keeps its record. True when removed.
    @discardableResult
    public func remove(name: String, loginID: String?) throws -> Bool {
        var removed: [Record] = []
        try store.update { file in
            removed = file.logins.filter { $0.name == name && $0.loginID == loginID }
            file.logins.removeAll { $0.name == name && $0.loginID == loginID }
            return !removed.isEmpty
        }
        for backup in removed.flatMap({ $0.written.compactMap(\.backup) }) { unlink(backup) }
        return !removed.isEmpty
    }

    // MARK: Merging

    /// Who had it before: a key or file whose current state is what another record (or this
    /// one, earlier) left there belongs to that record's "before", which this change takes over.
    /// What another record owned moves to this one; this record's own entry is replaced in
    /// place by `merge`.
    static func inherit(_ change: Change, for name: String, logins: inout [Record], makeBackup: () throws -> String?) throws -> WrittenTarget {
        var target = change.target
        switch target.kind {
        case .section:
            var keys: [KeyChange] = []
            for var key in target.keys ?? [] {
                let seen = change.observedKeys[key.key] ?? nil
                ownerSearch: for record in logins.indices {
                    for index in logins[record].written.indices where logins[record].written[index].isSameTarget(as: target) {
                        guard let position = logins[record].written[index].keys?.firstIndex(where: { $0.key == key.key && $0.isBrokers(seen) })
                        else { continue }
                        let earlier = logins[record].written[index].keys![position]
                        if logins[record].name != name { logins[record].written[index].keys!.remove(at: position) }
                        key.before = earlier.before
                        key.anchor = earlier.anchor
                        key.gap = earlier.gap
                        key.earlier = Array(((earlier.earlier ?? []) + [earlier.after]).suffix(8))
                        break ownerSearch
                    }
                }
                keys.append(key)
            }
            target.keys = keys
            let createdBefore = logins.contains { $0.written.contains { $0.isSameTarget(as: target) && $0.createdSection == true } }
            if createdBefore { target.createdSection = true }
            if logins.contains(where: { $0.written.contains { $0.isSameTarget(as: target) && $0.createdFile == true } }) {
                target.createdFile = true
            }
        case .file:
            var inherited = false
            if let seen = change.observedContent {
                for record in logins.indices {
                    guard let index = logins[record].written.firstIndex(where: {
                        $0.isSameTarget(as: target) && ($0.contentHash == seen || ($0.earlierHashes ?? []).contains(seen))
                    }) else { continue }
                    let earlier = logins[record].written[index]
                    if logins[record].name != name { logins[record].written.remove(at: index) }
                    target.backup = earlier.backup
                    target.createdFile = earlier.createdFile
                    target.earlierHashes = Array(((earlier.earlierHashes ?? []) + [earlier.contentHash].compactMap { $0 }).suffix(8))
                    inherited = true
                    break
                }
            }
            if !inherited, target.contentHash != nil, change.observedContent != nil {
                target.backup = try makeBackup()
            }
        }
        return target
    }

    /// Adds a change to a record: a target seen before keeps its earlier keys, and this
    /// change's keys replace the ones of the same name in their place (the order is the order
    /// in which each key's position was taken, which logout undoes backwards).
    static func merge(_ target: WrittenTarget, into record: inout Record) {
        guard let index = record.written.firstIndex(where: { $0.isSameTarget(as: target) }) else {
            record.written.append(target)
            return
        }
        var merged = target
        let existing = record.written[index]
        if target.kind == .section {
            var keys = existing.keys ?? []
            for key in target.keys ?? [] {
                if let position = keys.firstIndex(where: { $0.key == key.key }) { keys[position] = key } else { keys.append(key) }
            }
            merged.keys = keys
            merged.createdSection = (existing.createdSection == true || target.createdSection == true) ? true : nil
        }
        if existing.createdFile == true { merged.createdFile = true }
        record.written[index] = merged
    }

    var store: JSONFileStore<File> {
        let path = path
        return JSONFileStore(path: path, empty: { File() }, corrupt: { reason in
            BrokerError.failure("broker's state file \(path) is corrupt: \(reason)",
                                hint: "remove it to forget earlier logins (the credential files themselves are untouched)")
        }, decode: StateFileCodec.decode, encode: StateFileCodec.encode)
    }
}

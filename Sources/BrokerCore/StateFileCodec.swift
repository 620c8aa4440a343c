import Foundation

/// `state.json` read and written by hand rather than through Codable: every login reads and
/// writes it twice, and a fresh process's first JSONDecoder/JSONEncoder pass over these types
/// costs about 2 ms (generic metadata and a scan of every protocol conformance in the binary,
/// per type). The layout is the Codable one (`JSONOutput`'s), so older files read as before
/// and the types keep their Codable conformances for `status --output json` and tests;
/// `StateFileCodecTests` holds the two to the same document.
public enum StateFileCodec {
    struct Problem: Error, CustomStringConvertible {
        let description: String
    }

    static func decode(_ data: Data) throws -> StateStore.File {
        let root: JSONValue
        do { root = try StrictJSON.parse(data) } catch { throw Problem(description: "\(error)") }
        let object = try Fields(root, at: "")
        var file = StateStore.File()
        file.version = try object.int("version")
        file.logins = try object.array("logins").enumerated().map { index, value in try record(value, at: "logins[\(index)]") }
        file.touched = try object.optionalArray("touched")?.enumerated().map { index, value in
            try Fields.string(value, at: "touched[\(index)]")
        }
        return file
    }

    static func encode(_ file: StateStore.File) -> Data {
        var object: [String: JSONValue] = ["version": .number(Double(file.version)), "logins": .array(file.logins.map(json))]
        object["touched"] = file.touched.map { .array($0.map(JSONValue.string)) }
        return JSONWriter.pretty(.object(object))
    }

    /// What a login writes back for a state file it read: fuzzing holds it stable (reading
    /// what was written gives the same bytes again).
    public static func rewritten(_ data: Data) throws -> Data {
        encode(try decode(data))
    }

    // MARK: Records

    private static func record(_ value: JSONValue, at path: String) throws -> StateStore.Record {
        let object = try Fields(value, at: path)
        return StateStore.Record(
            name: try object.string("name"), adapter: try object.string("adapter"), identity: try object.string("identity"),
            expiration: try object.optionalDate("expiration"),
            written: try object.array("written").enumerated().map { index, value in try target(value, at: "\(path).written[\(index)]") },
            refresh: try object.optional("refresh").map { try refresh($0, at: "\(path).refresh") },
            details: try object.optionalObject("details")?.mapValues { try Fields.string($0, at: "\(path).details") },
            adapterRecord: object.optional("adapterRecord"),
            recordedAt: try object.date("recordedAt"), loginID: try object.optionalString("loginID"),
            pending: try object.optionalBool("pending"))
    }

    private static func json(_ record: StateStore.Record) -> JSONValue {
        var object: [String: JSONValue] = ["name": .string(record.name), "adapter": .string(record.adapter),
                                           "identity": .string(record.identity), "written": .array(record.written.map(json)),
                                           "recordedAt": .string(ISOTime.format(record.recordedAt))]
        object["expiration"] = record.expiration.map { .string(ISOTime.format($0)) }
        object["refresh"] = record.refresh.map { refresh in
            .object(["tokenFile": .string(refresh.tokenFile), "audience": .string(refresh.audience),
                     "sourceArguments": .array(refresh.sourceArguments.map(JSONValue.string))])
        }
        object["details"] = record.details.map { .object($0.mapValues(JSONValue.string)) }
        object["adapterRecord"] = record.adapterRecord
        object["loginID"] = record.loginID.map(JSONValue.string)
        object["pending"] = record.pending.map(JSONValue.bool)
        return .object(object)
    }

    private static func refresh(_ value: JSONValue, at path: String) throws -> StateStore.Refresh {
        let object = try Fields(value, at: path)
        return StateStore.Refresh(tokenFile: try object.string("tokenFile"), audience: try object.string("audience"),
                                  sourceArguments: try object.array("sourceArguments").map { try Fields.string($0, at: "\(path).sourceArguments") })
    }

    private static func target(_ value: JSONValue, at path: String) throws -> WrittenTarget {
        let object = try Fields(value, at: path)
        guard let kind = WrittenTarget.Kind(rawValue: try object.string("kind")) else {
            throw Problem(description: "\(path).kind: not file or section")
        }
        var target = WrittenTarget(
            kind: kind, path: try object.string("path"), section: try object.optionalString("section"),
            createdFile: try object.optionalBool("createdFile"), createdSection: try object.optionalBool("createdSection"),
            keys: try object.optionalArray("keys")?.enumerated().map { index, value in try keyChange(value, at: "\(path).keys[\(index)]") },
            contentHash: try object.optionalString("contentHash"), backup: try object.optionalString("backup"))
        target.earlierHashes = try object.optionalArray("earlierHashes")?.map { try Fields.string($0, at: "\(path).earlierHashes") }
        return target
    }

    private static func json(_ target: WrittenTarget) -> JSONValue {
        var object: [String: JSONValue] = ["kind": .string(target.kind.rawValue), "path": .string(target.path)]
        object["section"] = target.section.map(JSONValue.string)
        object["createdFile"] = target.createdFile.map(JSONValue.bool)
        object["createdSection"] = target.createdSection.map(JSONValue.bool)
        object["keys"] = target.keys.map { .array($0.map(json)) }
        object["contentHash"] = target.contentHash.map(JSONValue.string)
        object["backup"] = target.backup.map(JSONValue.string)
        object["earlierHashes"] = target.earlierHashes.map { .array($0.map(JSONValue.string)) }
        return .object(object)
    }

    private static func keyChange(_ value: JSONValue, at path: String) throws -> KeyChange {
        let object = try Fields(value, at: path)
        var change = KeyChange(key: try object.string("key"), before: try object.optionalString("before"),
                               anchor: try object.optionalString("anchor"), gap: try object.optionalInt("gap"),
                               after: try object.optionalString("after"))
        change.earlier = try object.optionalArray("earlier")?.map { value -> String? in
            if case .null = value { return nil }
            return try Fields.string(value, at: "\(path).earlier")
        }
        return change
    }

    private static func json(_ change: KeyChange) -> JSONValue {
        var object: [String: JSONValue] = ["key": .string(change.key)]
        object["before"] = change.before.map(JSONValue.string)
        object["anchor"] = change.anchor.map(JSONValue.string)
        object["gap"] = change.gap.map { .number(Double($0)) }
        object["after"] = change.after.map(JSONValue.string)
        object["earlier"] = change.earlier.map { .array($0.map { $0.map(JSONValue.string) ?? .null }) }
        return .object(object)
    }

    /// An object's members read as Codable's synthesized decoding reads them: a required
    /// member must be there with its type; an optional one may be missing or null.
    private struct Fields {
        let members: [String: JSONValue]
        let path: String

        init(_ value: JSONValue, at path: String) throws {
            guard case .object(let members) = value else { throw Problem(description: "\(path.isEmpty ? "the file" : path): not an object") }
            self.members = members
            self.path = path
        }

        func optional(_ key: String) -> JSONValue? {
            if case .null = members[key] ?? .null { return nil }
            return members[key]
        }

        private func required(_ key: String) throws -> JSONValue {
            guard let value = optional(key) else { throw Problem(description: "\(path.isEmpty ? "" : path + ".")\(key) is missing") }
            return value
        }

        private func name(_ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

        static func string(_ value: JSONValue, at path: String) throws -> String {
            guard case .string(let string) = value else { throw Problem(description: "\(path): not a string") }
            return string
        }

        func string(_ key: String) throws -> String { try Self.string(required(key), at: name(key)) }
        func optionalString(_ key: String) throws -> String? { try optional(key).map { try Self.string($0, at: name(key)) } }

        func optionalBool(_ key: String) throws -> Bool? {
            try optional(key).map { value in
                guard case .bool(let flag) = value else { throw Problem(description: "\(name(key)): not true or false") }
                return flag
            }
        }

        func optionalInt(_ key: String) throws -> Int? {
            try optional(key).map { value in
                guard case .number(let number) = value, number.rounded() == number, abs(number) <= 1e15 else {
                    throw Problem(description: "\(name(key)): not a whole number from -10^15 to 10^15")
                }
                return Int(number)
            }
        }

        func int(_ key: String) throws -> Int {
            guard let value = try optionalInt(key) else { throw Problem(description: "\(name(key)) is missing") }
            return value
        }

        func optionalArray(_ key: String) throws -> [JSONValue]? {
            try optional(key).map { value in
                guard case .array(let items) = value else { throw Problem(description: "\(name(key)): not an array") }
                return items
            }
        }

        func array(_ key: String) throws -> [JSONValue] {
            guard let items = try optionalArray(key) else { throw Problem(description: "\(name(key)) is missing") }
            return items
        }

        func optionalObject(_ key: String) throws -> [String: JSONValue]? {
            try optional(key).map { value in
                guard case .object(let members) = value else { throw Problem(description: "\(name(key)): not an object") }
                return members
            }
        }

        func optionalDate(_ key: String) throws -> Date? {
            try optionalString(key).map { text in
                guard let date = ISOTime.parse(text) else { throw Problem(description: "\(name(key)): not an ISO 8601 time") }
                return date
            }
        }

        func date(_ key: String) throws -> Date {
            guard let date = try optionalDate(key) else { throw Problem(description: "\(name(key)) is missing") }
            return date
        }
    }
}

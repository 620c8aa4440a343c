import BrokerCore
import Foundation

/// A plugin's answer, fully checked. Nothing is written until the whole answer has parsed,
/// so a bad answer leaves every file as it was.
struct ExecResponse {
    struct File: Equatable {
        var path: String
        var content: Data
        var mode: mode_t
        /// `"logout": "keep"`: the plugin merged into a file the user also owns, so logout must not delete it.
        var keepOnLogout: Bool
    }

    /// What was wrong with the answer, naming the JSON path; never the values (they may be secret).
    struct Problem: Error {
        var message: String
    }

    var identity: String
    var expiration: Date?
    var secrets: [String: String]
    var environment: [String: String]
    var files: [File]
    var owned: [String]

    init(parsing stdout: Data, home: String) throws(Problem) {
        guard !stdout.isEmpty else { throw Problem(message: "printed nothing on stdout") }
        guard let value = try? JSONDecoder().decode(JSONValue.self, from: stdout) else {
            throw Problem(message: "did not print valid JSON on stdout (\(stdout.count) bytes)")
        }
        guard let object = value.objectValue else { throw Problem(message: "printed JSON that is not an object") }
        guard let version = object["version"] else { throw Problem(message: "answered without \"version\"") }
        guard version == .number(Double(ExecRequest.version)) else {
            throw Problem(message: "answered with protocol version \(version.stringValue.map { "\"\($0)\"" } ?? version.displayText); broker speaks version \(ExecRequest.version)")
        }
        guard let identity = object["identity"]?.stringValue, !identity.isEmpty else {
            throw Problem(message: Self.missing("identity", object["identity"], "a non-empty string"))
        }
        self.identity = identity
        expiration = try Self.date(object["expiration"])
        secrets = try Self.strings(object["secrets"], at: "secrets")
        environment = try Self.strings(object["env"], at: "env")
        for name in environment.keys.sorted() where !EnvironmentName.isValid(name) {
            throw Problem(message: "env: '\(name)' is not an environment variable name")
        }
        files = try Self.files(object["files"], home: home)
        owned = try Self.list(object["owned"], at: "owned").enumerated().map { index, path throws(Problem) in
            try Self.absolute(path, home: home, at: "owned[\(index)]")
        }
    }

    static func missing(_ path: String, _ value: JSONValue?, _ expected: String) -> String {
        value == nil ? "answered without \"\(path)\"" : "\(path): expected \(expected)"
    }

    static func date(_ value: JSONValue?) throws(Problem) -> Date? {
        guard let value, value != .null else { return nil }
        guard let text = value.stringValue, let date = ISO8601.parse(text) else {
            throw Problem(message: "expiration: expected an ISO 8601 time like \"2030-01-02T03:04:05Z\", found \(value.displayText)")
        }
        return date
    }

    static func strings(_ value: JSONValue?, at path: String) throws(Problem) -> [String: String] {
        guard let value, value != .null else { return [:] }
        guard let object = value.objectValue else { throw Problem(message: "\(path): expected an object of strings") }
        var result: [String: String] = [:]
        for (key, member) in object {
            guard let text = member.stringValue else { throw Problem(message: "\(path).\(key): expected a string") }
            result[key] = text
        }
        return result
    }

    static func list(_ value: JSONValue?, at path: String) throws(Problem) -> [String] {
        guard let value, value != .null else { return [] }
        guard let items = value.arrayValue else { throw Problem(message: "\(path): expected an array of strings") }
        return try items.enumerated().map { index, item throws(Problem) in
            guard let text = item.stringValue else { throw Problem(message: "\(path)[\(index)]: expected a string") }
            return text
        }
    }

    static func files(_ value: JSONValue?, home: String) throws(Problem) -> [File] {
        guard let value, value != .null else { return [] }
        guard let items = value.arrayValue else { throw Problem(message: "files: expected an array of objects") }
        var files: [File] = []
        for (index, item) in items.enumerated() {
            let at = "files[\(index)]"
            guard let object = item.objectValue else { throw Problem(message: "\(at): expected an object") }
            guard let path = object["path"]?.stringValue else {
                throw Problem(message: "\(at).path: " + (object["path"] == nil ? "is missing" : "expected a string"))
            }
            guard let content = object["content"]?.stringValue else {
                throw Problem(message: "\(at).content: " + (object["content"] == nil ? "is missing" : "expected a string"))
            }
            let file = File(path: try absolute(path, home: home, at: "\(at).path"), content: Data(content.utf8),
                            mode: try mode(object["mode"], at: "\(at).mode"),
                            keepOnLogout: try logout(object["logout"], at: "\(at).logout"))
            if files.contains(where: { $0.path == file.path }) {
                throw Problem(message: "\(at).path: \(file.path) is listed twice")
            }
            files.append(file)
        }
        return files
    }

    /// `"0600"`, `"640"`: an octal string, so it reads the way chmod does. No setuid, setgid or sticky bits.
    static func mode(_ value: JSONValue?, at path: String) throws(Problem) -> mode_t {
        guard let value, value != .null else { return 0o600 }
        guard let text = value.stringValue, (3...4).contains(text.count),
              text.allSatisfy({ ("0"..."7").contains($0) }),
              let mode = mode_t(text, radix: 8), mode <= 0o777 else {
            throw Problem(message: "\(path): expected an octal mode string like \"0600\", found \(value.displayText)")
        }
        return mode
    }

    static func logout(_ value: JSONValue?, at path: String) throws(Problem) -> Bool {
        guard let value, value != .null else { return false }
        switch value.stringValue {
        case "remove": return false
        case "keep": return true
        default: throw Problem(message: "\(path): expected \"remove\" or \"keep\", found \(value.displayText)")
        }
    }

    /// `~` and `~/x` mean the user's home (the injected one, so tests and `HOME=` agree); anything
    /// else must be absolute, because a plugin's working directory is nobody's business.
    static func absolute(_ path: String, home: String, at location: String) throws(Problem) -> String {
        let expanded = HomePath.expand(path, home: home)
        guard expanded.hasPrefix("/"), !expanded.contains("\0") else {
            throw Problem(message: "\(location): '\(path)' is not an absolute path (write /... or ~/...)")
        }
        return expanded
    }
}

/// ISO 8601 instants with or without fractional seconds, as plugins in any language print them.
enum ISO8601 {
    static func parse(_ text: String) -> Date? {
        ISOTime.parse(text)
    }
}

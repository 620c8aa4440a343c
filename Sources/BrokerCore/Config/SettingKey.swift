/// One documented setting of an adapter (or of the config's own blocks). The same list drives
/// validation, `config show` redaction and `config schema`, so they cannot drift apart.
public struct SettingKey: Sendable {
    public enum Kind: Sendable, Equatable {
        case string
        case integer
        case boolean
        /// `90s`, `15m`, `1h` or a number of seconds.
        case duration
        case stringArray
        case stringMap
        case object
        case oneOf([String])
    }

    public var name: String
    public var kind: Kind
    public var required: Bool
    public var help: String
    /// Redacted by `config show`.
    public var secret: Bool

    public init(_ name: String, _ kind: Kind, required: Bool = false, secret: Bool = false, help: String) {
        self.name = name
        self.kind = kind
        self.required = required
        self.help = help
        self.secret = secret
    }

    var typeName: String {
        switch kind {
        case .string: "a string"
        case .integer: "an integer"
        case .boolean: "true or false"
        case .duration: "a duration like \"15m\" or a number of seconds"
        case .stringArray: "an array of strings"
        case .stringMap: "an object of strings"
        case .object: "an object"
        case .oneOf(let values): "one of " + values.map { "\"\($0)\"" }.joined(separator: ", ")
        }
    }

    func accepts(_ value: JSONValue) -> Bool {
        switch (kind, value) {
        case (.string, .string), (.boolean, .bool), (.object, .object): true
        case (.integer, .number(let n)): n.rounded() == n
        case (.duration, .string(let text)): (try? DurationText.parse(text, name: name)) != nil
        case (.duration, .number(let n)): n >= 0
        case (.stringArray, .array(let items)): items.allSatisfy { $0.stringValue != nil }
        case (.stringMap, .object(let items)): items.values.allSatisfy { $0.stringValue != nil }
        case (.oneOf(let values), .string(let text)): values.contains(text)
        default: false
        }
    }
}

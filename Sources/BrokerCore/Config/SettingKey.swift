extension Array where Element == SettingKey {
    /// The key of that name (adapters look up their own keys, so each range is written once).
    public subscript(named name: String) -> SettingKey {
        first { $0.name == name } ?? SettingKey(name, .string, help: "")
    }
}

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
    /// For `.integer` and `.duration` (seconds): the documented range, checked when the config
    /// is read. Integers without one still must fit `defaultIntegerRange`.
    public var range: ClosedRange<Double>?
    /// For `.string`: a regular expression (JSON Schema dialect) the value must match, given
    /// to editors through `config schema`; the adapter checks the value itself when it reads it.
    public var pattern: String?
    /// Other command-line spellings of `flag` (`--role-to-assume` as configure-aws-credentials
    /// calls `--role-arn`).
    public var flagAliases: [String]

    /// The command-line option of this setting: the key in kebab case (`roleArn` → `role-arn`).
    public var flag: String { flagOverride ?? Self.flag(forKey: name) }
    /// A flag other than the kebab-case key, where that would collide with a command's own
    /// option (Vault's `tokenFile` against the token source's `--token-file`).
    public var flagOverride: String?

    public static func flag(forKey name: String) -> String {
        name.reduce(into: "") { word, character in
            if character.isUppercase { word += "-" + character.lowercased() } else { word.append(character) }
        }
    }

    /// `flag` and its aliases.
    public var flagNames: [String] { [flag] + flagAliases }

    /// An http(s) URL without user info whose port, if any, is 1-65535 (what `HTTPURL.parse`
    /// accepts), or a `${VARIABLE}`.
    public static let urlPattern = "^(https?://[^/:@\\s]+(:([1-9][0-9]{0,3}|[1-5][0-9]{4}|6[0-4][0-9]{3}|65[0-4][0-9]{2}|655[0-2][0-9]|6553[0-5]))?([/?#].*)?|\\$\\{.+\\})$"

    /// What an integer setting without a range of its own may hold (so no conversion traps).
    public static let defaultIntegerRange: ClosedRange<Double> = -1_000_000_000 ... 1_000_000_000

    public init(_ name: String, _ kind: Kind, required: Bool = false, secret: Bool = false,
                range: ClosedRange<Double>? = nil, pattern: String? = nil, flag: String? = nil, flagAliases: [String] = [], help: String) {
        flagOverride = flag
        self.pattern = pattern
        self.flagAliases = flagAliases
        self.name = name
        self.kind = kind
        self.required = required
        self.help = help
        self.secret = secret
        self.range = range
    }

    /// A command-line value as the config would hold it: a number for an integer setting (when
    /// it reads as one; otherwise the text, which the setting's check then names), else text.
    public func value(fromFlag text: String) -> JSONValue {
        switch kind {
        // Not finite (`1e400`): kept as text, so the error shows what was typed.
        case .integer: Double(text).flatMap { $0.isFinite ? JSONValue.number($0) : nil } ?? .string(text)
        default: .string(text)
        }
    }

    var typeName: String {
        switch kind {
        case .string: "a string"
        case .integer: range.map { "an integer from \(Int($0.lowerBound)) to \(Int($0.upperBound))" } ?? "an integer"
        case .boolean: "true or false"
        case .duration:
            "a duration like \"15m\" or a number of seconds" + (range.map { ", from \(DurationText.describe($0))" } ?? "")
        case .stringArray: "an array of strings"
        case .stringMap: "an object of strings"
        case .object: "an object"
        case .oneOf(let values): "one of " + values.map { "\"\($0)\"" }.joined(separator: ", ")
        }
    }

    func accepts(_ value: JSONValue) -> Bool {
        switch (kind, value) {
        case (.string, .string), (.boolean, .bool), (.object, .object): true
        case (.integer, .number(let n)): n.rounded() == n && (range ?? Self.defaultIntegerRange).contains(n)
        case (.duration, .string(let text)): (try? DurationText.parse(text, name: name, range: range)) != nil
        case (.duration, .number(let n)): (try? DurationText.check(seconds: n, name: name, range: range)) != nil
        case (.stringArray, .array(let items)): items.allSatisfy { $0.stringValue != nil }
        case (.stringMap, .object(let items)): items.values.allSatisfy { $0.stringValue != nil }
        case (.oneOf(let values), .string(let text)): values.contains(text)
        default: false
        }
    }
}

import Foundation

/// A JSON object from the config (or built from flags) together with its path, so every
/// error names the file and the JSON path: `broker.json: providers.aws-dev.roleArn: ...`.
public struct SettingsBlock: Sendable {
    public var values: [String: JSONValue]
    /// `providers.aws-dev`
    public var path: String
    public var file: String?
    /// Keys whose value came from a command-line flag, with the flag: errors name it (`--role`).
    public var flagKeys: [String: String] = [:]

    public init(_ values: [String: JSONValue], path: String, file: String? = nil) {
        self.values = values
        self.path = path
        self.file = file
    }

    public func location(_ key: String) -> String {
        if let flag = flagKeys[key] { return "--" + flag }
        let jsonPath = path.isEmpty ? key : "\(path).\(key)"
        return file.map { "\($0): \(jsonPath)" } ?? jsonPath
    }

    public func error(_ key: String, _ message: String, hint: String? = nil) -> BrokerError {
        .usage("\(location(key)): \(message)", hint: hint)
    }

    /// Unknown keys (with a "did you mean"), wrong types and missing required settings.
    public func check(against keys: [SettingKey]) throws {
        let known = Set(keys.map(\.name))
        for key in values.keys.sorted() where !known.contains(key) {
            let suggestion = Suggestion.closest(to: key, among: known.sorted())
            throw error(key, "unknown setting", hint: suggestion.map { "did you mean '\($0)'?" }
                        ?? "known settings: \(known.sorted().joined(separator: ", "))")
        }
        for key in keys {
            guard let value = values[key.name] else {
                if key.required { throw error(key.name, "is required", hint: key.help) }
                continue
            }
            guard key.accepts(value) else {
                throw error(key.name, "expected \(key.typeName), found \(value.displayText)", hint: key.help)
            }
        }
    }

    public func string(_ key: String) -> String? { values[key]?.stringValue }
    public func strings(_ key: String) -> [String]? { values[key]?.arrayValue?.compactMap(\.stringValue) }
    public func stringMap(_ key: String) -> [String: String]? { values[key]?.objectValue?.compactMapValues(\.stringValue) }
    /// A whole number within `SettingKey.defaultIntegerRange` (`check` enforces each key's own
    /// range); anything else reads as missing rather than trapping.
    public func int(_ key: String) -> Int? {
        guard let number = values[key]?.numberValue, SettingKey.defaultIntegerRange.contains(number) else { return nil }
        return Int(exactly: number.rounded())
    }
    public func bool(_ key: String) -> Bool? { if case .bool(let b) = values[key] { b } else { nil } }

    /// An integer setting within its key's range; `name` is what errors call it (a flag), else
    /// its JSON path.
    public func integer(_ key: SettingKey, name: String? = nil) throws -> Int? {
        guard let value = values[key.name] else { return nil }
        guard key.accepts(value), let number = value.numberValue, let integer = Int(exactly: number) else {
            throw BrokerError.usage("\(name ?? location(key.name)): expected \(key.typeName), found \(value.displayText)", hint: key.help)
        }
        return integer
    }

    /// A duration setting within its key's range.
    public func duration(_ key: SettingKey, name: String? = nil) throws -> TimeInterval? {
        switch values[key.name] {
        case .string(let text): try DurationText.parse(text, name: name ?? location(key.name), range: key.range)
        case .number(let seconds): try DurationText.check(seconds: seconds, name: name ?? location(key.name), range: key.range)
        case nil: nil
        case let other?: throw BrokerError.usage("\(name ?? location(key.name)): expected \(key.typeName), found \(other.displayText)")
        }
    }

    public func duration(_ key: String, range: ClosedRange<TimeInterval>? = nil) throws -> TimeInterval? {
        switch values[key] {
        case .string(let text): try DurationText.parse(text, name: location(key), range: range)
        case .number(let seconds): try DurationText.check(seconds: seconds, name: location(key), range: range)
        default: nil
        }
    }

    /// `other` wins: flags laid over a config entry.
    public func overlaid(with other: [String: JSONValue]) -> SettingsBlock {
        var copy = self
        copy.values.merge(other) { _, new in new }
        return copy
    }

    /// Flags laid over this block: errors about their keys name the flag.
    public func overlaid(withFlags flags: [String: JSONValue], keys: [SettingKey]) -> SettingsBlock {
        var copy = overlaid(with: flags)
        for key in keys where flags[key.name] != nil { copy.flagKeys[key.name] = key.flag }
        return copy
    }
}

/// "Did you mean" by edit distance, for unknown keys and names.
public enum Suggestion {
    public static func closest(to word: String, among candidates: [String]) -> String? {
        let scored = candidates.map { ($0, distance(word.lowercased(), $0.lowercased())) }
        guard let best = scored.min(by: { $0.1 < $1.1 }), best.1 <= max(2, word.count / 3) else { return nil }
        return best.0
    }

    static func distance(_ a: String, _ b: String) -> Int {
        let a = Array(a), b = Array(b)
        var previous = Array(0...b.count)
        for i in 1...max(a.count, 1) where !a.isEmpty {
            var current = [i] + Array(repeating: 0, count: b.count)
            for j in 1...max(b.count, 1) where !b.isEmpty {
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
            }
            previous = current
        }
        return a.isEmpty ? b.count : previous[b.count]
    }
}

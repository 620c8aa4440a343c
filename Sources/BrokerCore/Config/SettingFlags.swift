/// An adapter's settings given as command-line flags, `--<key in kebab case> value` (or
/// `--flag=value`), for the flags-first `broker login <adapter>`. Repeating a flag adds to a list
/// setting and replaces any other; a boolean setting is a bare `--flag` (or `--flag=false`); a
/// map setting takes `KEY=VALUE`. Errors name the flag and list the known ones.
public enum SettingFlags {
    public static func values(_ words: [String], keys: [SettingKey]) throws -> [String: JSONValue] {
        var values: [String: JSONValue] = [:]
        var index = 0
        while index < words.count {
            let word = words[index]
            guard word.hasPrefix("--"), word.count > 2 else {
                throw BrokerError.usage("unexpected argument '\(shown(word))'", hint: "settings are given as --name value")
            }
            let body = word.dropFirst(2)
            let name = String(body.prefix { $0 != "=" })
            var inline = body.contains("=") ? String(body.drop { $0 != "=" }.dropFirst()) : nil
            guard let key = keys.first(where: { $0.flagNames.contains(name) }), key.kind != .object else {
                let known = keys.filter { $0.kind != .object }.map(\.flag)
                let suggestion = Suggestion.closest(to: name, among: known)
                throw BrokerError.usage("unknown option '--\(name)'",
                                        hint: suggestion.map { "did you mean '--\($0)'?" } ?? "known options: " + known.map { "--" + $0 }.joined(separator: ", "))
            }
            index += 1
            if key.kind == .boolean && inline == nil {
                values[key.name] = .bool(true)
                continue
            }
            if inline == nil {
                guard index < words.count, !words[index].hasPrefix("--") else {
                    throw BrokerError.usage("--\(name) needs a value", hint: key.help)
                }
                inline = words[index]
                index += 1
            }
            let text = inline!
            switch key.kind {
            case .boolean:
                guard let flag = ["true": true, "false": false][text] else {
                    throw BrokerError.usage("--\(name): expected true or false, found '\(shown(text))'")
                }
                values[key.name] = .bool(flag)
            case .stringArray:
                values[key.name] = .array((values[key.name]?.arrayValue ?? []) + [.string(text)])
            case .stringMap:
                guard let equals = text.firstIndex(of: "="), equals != text.startIndex else {
                    throw BrokerError.usage("--\(name): expected KEY=VALUE, found '\(shown(text))'", hint: key.help)
                }
                var map = values[key.name]?.objectValue ?? [:]
                map[String(text[..<equals])] = .string(String(text[text.index(after: equals)...]))
                values[key.name] = .object(map)
            default:
                values[key.name] = key.value(fromFlag: text)
            }
        }
        return values
    }

    /// A word echoed in an error: a long one (a pasted token, a header value) is not shown whole.
    static func shown(_ word: String) -> String {
        word.count > 40 ? word.prefix(12) + "…" : word
    }
}

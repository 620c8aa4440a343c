/// `${VAR}` and `${VAR:-default}` in string values. An unset variable without a default is an
/// error naming the variable and the JSON path; `$$` is a literal `$`.
public enum ConfigInterpolation {
    public static func expand(_ value: JSONValue, path: String, environment: [String: String]) throws -> JSONValue {
        switch value {
        case .string(let text):
            return .string(try expand(text, path: path, environment: environment))
        case .array(let items):
            return .array(try items.enumerated().map { try expand($0.element, path: "\(path)[\($0.offset)]", environment: environment) })
        case .object(let members):
            var result: [String: JSONValue] = [:]
            for (key, member) in members {
                result[key] = try expand(member, path: path.isEmpty ? key : "\(path).\(key)", environment: environment)
            }
            return .object(result)
        default:
            return value
        }
    }

    static func expand(_ text: String, path: String, environment: [String: String]) throws -> String {
        guard text.contains("$") else { return text }
        var output = ""
        var rest = Substring(text)
        while let dollar = rest.firstIndex(of: "$") {
            output += rest[..<dollar]
            let after = rest[rest.index(after: dollar)...]
            if after.hasPrefix("$") {
                output += "$"
                rest = after.dropFirst()
                continue
            }
            guard after.hasPrefix("{") else {
                output += "$"
                rest = after
                continue
            }
            guard let close = after.firstIndex(of: "}") else {
                throw BrokerError.usage("\(path): unterminated '${' in the value", hint: "close it: ${NAME} or ${NAME:-default}; write $$ for a literal $")
            }
            let body = after[after.index(after: after.startIndex)..<close]
            let name: Substring
            let fallback: Substring?
            if let marker = body.range(of: ":-") {
                name = body[..<marker.lowerBound]
                fallback = body[marker.upperBound...]
            } else {
                name = body
                fallback = nil
            }
            if let fallback, fallback.contains("${") {
                throw BrokerError.usage("\(path): nested defaults like ${A:-${B}} are not supported",
                                        hint: "give a literal default, or set the variable")
            }
            guard !name.isEmpty, name.allSatisfy({ $0 == "_" || ($0.isASCII && ($0.isLetter || $0.isNumber)) }) else {
                throw BrokerError.usage("\(path): '${\(body)}' is not a variable reference", hint: "write ${NAME} or ${NAME:-default}")
            }
            if let value = environment[String(name)], !(value.isEmpty && fallback != nil) {
                output += value
            } else if let fallback {
                output += fallback
            } else {
                throw BrokerError.usage("\(path): environment variable \(name) is not set",
                                        hint: "export \(name), or write ${\(name):-default} to give a default")
            }
            rest = after[after.index(after: close)...]
        }
        return output + rest
    }
}

import Foundation

/// What `config show` may print of a resolved config: a value that came from an environment
/// variable is shown as the `${...}` text that produced it (the variable may hold a secret),
/// and so is any value under a secret-looking key (`clientSecret`, an exec plugin's
/// `env.API_TOKEN`), unless the user asks with `--reveal`.
public enum ConfigRedaction {
    public static func redact(_ expanded: JSONValue, raw: JSONValue?, secretKeys: Set<String> = []) -> JSONValue {
        switch expanded {
        case .object(let values):
            let rawValues = raw?.objectValue ?? [:]
            var result: [String: JSONValue] = [:]
            for (key, value) in values {
                if secretKeys.contains(key) || isSecretLooking(key) {
                    result[key] = .string("<redacted>")
                } else {
                    result[key] = redact(value, raw: rawValues[key])
                }
            }
            return .object(result)
        case .array(let items):
            let rawItems = raw?.arrayValue ?? []
            return .array(items.enumerated().map { index, item in redact(item, raw: index < rawItems.count ? rawItems[index] : nil) })
        case .string:
            if let text = raw?.stringValue, text.contains("${") { return .string("<from \(text)>") }
            return expanded
        default:
            return expanded
        }
    }

    /// Key names that usually hold secrets, in any case and spelling (apiToken, API_TOKEN).
    public static func isSecretLooking(_ key: String) -> Bool {
        let lowered = key.lowercased().replacingOccurrences(of: "_", with: "").replacingOccurrences(of: "-", with: "")
        return ["secret", "token", "password", "passwd", "credential", "apikey", "privatekey", "accesskey"].contains { lowered.contains($0) }
            // Names of places and kinds, not secrets: tokenFile, clientSecretEnv, subjectTokenType.
            && !["url", "file", "path", "env", "ttl", "type"].contains { lowered.hasSuffix($0) }
    }
}

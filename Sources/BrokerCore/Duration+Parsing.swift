import Foundation

/// Durations are written `90s`, `15m`, `1h`, `1h30m` everywhere; a bare number means seconds.
public enum DurationText {
    public static func parse(_ text: String, name: String) throws -> TimeInterval {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        if let seconds = Int(trimmed), seconds >= 0 { return TimeInterval(seconds) }
        var total = 0
        var digits = ""
        var sawUnit = false
        for character in trimmed {
            if character.isASCII, character.isNumber {
                digits.append(character)
                continue
            }
            guard let value = Int(digits) else { throw invalid(text, name) }
            switch character {
            case "s": total += value
            case "m": total += value * 60
            case "h": total += value * 3600
            case "d": total += value * 86400
            default: throw invalid(text, name)
            }
            digits = ""
            sawUnit = true
        }
        guard sawUnit, digits.isEmpty else { throw invalid(text, name) }
        return TimeInterval(total)
    }

    /// `3600` → `1h`, `5400` → `1h30m`, `45` → `45s`.
    public static func format(_ interval: TimeInterval) -> String {
        var seconds = Int(interval.rounded())
        if seconds <= 0 { return "0s" }
        var parts = ""
        let days = seconds / 86400; seconds %= 86400
        let hours = seconds / 3600; seconds %= 3600
        let minutes = seconds / 60; seconds %= 60
        if days > 0 { parts += "\(days)d" }
        if hours > 0 { parts += "\(hours)h" }
        if minutes > 0 { parts += "\(minutes)m" }
        if seconds > 0 { parts += "\(seconds)s" }
        return parts
    }

    private static func invalid(_ text: String, _ name: String) -> BrokerError {
        .usage("\(name): '\(text)' is not a duration", hint: "write durations like 90s, 15m, 1h or 1h30m; a bare number means seconds")
    }
}

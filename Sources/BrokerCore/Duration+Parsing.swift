import Foundation

/// Durations are written `90s`, `15m`, `1h`, `1h30m` everywhere; a bare number means seconds.
/// Units come largest first, each at most once (`1h1h` is a typo, not 2h). Nothing parses
/// above `maximum` (a year), so no later arithmetic can overflow; each setting narrows that
/// with its own documented range.
public enum DurationText {
    /// The longest duration any setting accepts: one year.
    public static let maximum: TimeInterval = 365 * 86400

    public static func parse(_ text: String, name: String, range: ClosedRange<TimeInterval>? = nil) throws -> TimeInterval {
        let value = try parseUnbounded(text, name: name)
        if let range, !range.contains(value) {
            throw outOfRange(value, name: name, range: range)
        }
        return value
    }

    private static func parseUnbounded(_ text: String, name: String) throws -> TimeInterval {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        guard !trimmed.isEmpty, trimmed.utf8.count <= 32 else { throw invalid(text, name) }
        if trimmed.allSatisfy({ $0.isASCII && $0.isNumber }) {
            guard let seconds = Int(trimmed), TimeInterval(seconds) <= maximum else { throw tooLong(text, name) }
            return TimeInterval(seconds)
        }
        let units: [(Character, Int)] = [("d", 86400), ("h", 3600), ("m", 60), ("s", 1)]
        var total = 0
        var digits = ""
        var nextUnit = 0
        for character in trimmed {
            if character.isASCII, character.isNumber {
                digits.append(character)
                continue
            }
            guard let value = Int(digits) else { throw digits.isEmpty ? invalid(text, name) : tooLong(text, name) }
            guard let unit = units.firstIndex(where: { $0.0 == character }) else { throw invalid(text, name) }
            guard unit >= nextUnit else {
                throw BrokerError.usage("\(name): '\(text)' repeats a unit or puts a smaller one first",
                                        hint: "write each unit once, largest first, like 1h30m")
            }
            let (scaled, overflow) = value.multipliedReportingOverflow(by: units[unit].1)
            guard !overflow, scaled <= Int(maximum) else { throw tooLong(text, name) }
            total += scaled
            guard total <= Int(maximum) else { throw tooLong(text, name) }
            digits = ""
            nextUnit = unit + 1
        }
        guard nextUnit > 0, digits.isEmpty else { throw invalid(text, name) }
        return TimeInterval(total)
    }

    /// A number of seconds from JSON: finite, not negative, at most `maximum`, then `range`.
    public static func check(seconds: Double, name: String, range: ClosedRange<TimeInterval>? = nil) throws -> TimeInterval {
        guard seconds.isFinite, seconds >= 0 else {
            throw BrokerError.usage("\(name): \(seconds) is not a duration", hint: "give a number of seconds of at least 0, or write 90s, 15m, 1h")
        }
        guard seconds <= maximum else { throw tooLong(JSONValue.number(seconds).displayText, name) }
        if let range, !range.contains(seconds) { throw outOfRange(seconds, name: name, range: range) }
        return seconds
    }

    /// `3600` → `1h`, `5400` → `1h30m`, `45` → `45s`. Any value renders, however large.
    public static func format(_ interval: TimeInterval) -> String {
        guard interval.isFinite else { return interval > 0 ? "forever" : "0s" }
        if interval >= 1e12 { return "more than 30,000 years" }
        if interval < 0.5 { return "0s" }
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

    /// `1m to 12h`, the way ranges are written in messages and help.
    public static func describe(_ range: ClosedRange<TimeInterval>) -> String {
        "\(format(range.lowerBound)) to \(format(range.upperBound))"
    }

    private static func invalid(_ text: String, _ name: String) -> BrokerError {
        .usage("\(name): '\(text)' is not a duration", hint: "write durations like 90s, 15m, 1h or 1h30m; a bare number means seconds")
    }

    private static func tooLong(_ text: String, _ name: String) -> BrokerError {
        .usage("\(name): '\(text)' is longer than any duration broker accepts", hint: "durations go up to 365d; each setting documents its own range")
    }

    private static func outOfRange(_ value: TimeInterval, name: String, range: ClosedRange<TimeInterval>) -> BrokerError {
        .usage("\(name): \(format(value)) is out of range", hint: "it must be from \(describe(range))")
    }
}

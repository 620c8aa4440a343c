import Foundation

/// The lines a denial prints about the token that was sent: its claims decoded, never the
/// token itself, with how long it had left. Every provider's diagnosis starts with them.
public enum TokenClaimsReport {
    static let timeClaims: Set = ["iat", "nbf", "auth_time"]

    /// `required` claims show "(missing)" when absent; `optional` ones only when present.
    /// Names are padded to `width`; `exp` comes last with its distance from `now`.
    public static func lines(_ token: IdentityToken, required: [String], optional: [String] = [], width: Int, now: Date) -> [String] {
        func line(_ name: String, _ value: String) -> String { "  \(name.padding(toLength: width, withPad: " ", startingAt: 0)) \(value)" }
        var lines = ["the token sent carried (decoded, unverified):"]
        lines += required.map { line($0, token.claims[$0]?.displayText ?? "(missing)") }
        lines += optional.compactMap { name in
            // Times as times: a denial about the clock must be readable beside `exp`.
            if timeClaims.contains(name), let seconds = token.claims[name]?.numberValue, abs(seconds) < 1e11 {
                return line(name, ISOTime.format(Date(timeIntervalSince1970: seconds)))
            }
            return (token.claims[name]?.displayText).map { line(name, $0) }
        }
        if let expires = token.expiresAt {
            let left = expires.timeIntervalSince(now)
            lines.append(line("exp", "\(ISOTime.format(expires)) (" + (left >= 0 ? "in \(DurationText.format(left))" : "EXPIRED \(DurationText.format(-left)) ago") + ")"))
        }
        return lines
    }
}

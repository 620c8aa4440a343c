import Foundation

/// ISO 8601 UTC times (`2026-11-26T23:00:00Z`) through FoundationEssentials' format style:
/// ISO8601DateFormatter loads ICU, which costs more than a cached credential_process answer.
public enum ISOTime {
    public static func format(_ date: Date) -> String {
        date.formatted(Date.ISO8601FormatStyle())
    }

    /// Accepts fractional seconds too, as STS and other services send them.
    public static func parse(_ text: String) -> Date? {
        (try? Date(text, strategy: Date.ISO8601FormatStyle()))
            ?? (try? Date(text, strategy: Date.ISO8601FormatStyle(includingFractionalSeconds: true)))
    }
}

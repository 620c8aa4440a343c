import BrokerCore
import Foundation

/// Token lifetimes: 1 h by default, between 1 min and 12 h.
public enum TokenLifetime {
    public static let `default`: TimeInterval = 3600
    public static let minimum: TimeInterval = 60
    public static let maximum: TimeInterval = 12 * 3600

    public static func parse(_ text: String, name: String = "--lifetime") throws -> TimeInterval {
        try DurationText.parse(text, name: name, range: minimum ... maximum)
    }
}

import Foundation

/// Full-jitter exponential backoff within an overall deadline. The caller decides which
/// failures are transient; this only decides when (and whether) to try again.
public struct RetryPolicy: Sendable {
    public var maxAttempts: Int
    public var baseDelay: TimeInterval
    public var maxDelay: TimeInterval
    public var deadline: TimeInterval

    public init(maxAttempts: Int = 5, baseDelay: TimeInterval = 0.2, maxDelay: TimeInterval = 5, deadline: TimeInterval = 60) {
        self.maxAttempts = maxAttempts
        self.baseDelay = baseDelay
        self.maxDelay = maxDelay
        self.deadline = deadline
    }

    /// The pause before attempt `attempt + 1` (attempts count from 1): uniform in [0, min(cap, base·2^(attempt-1))].
    public func delay(after attempt: Int) -> TimeInterval {
        let ceiling = min(maxDelay, baseDelay * pow(2, Double(max(0, attempt - 1))))
        return TimeInterval.random(in: 0...ceiling)
    }
}

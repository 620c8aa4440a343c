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

/// Runs `operation` and cancels it when `seconds` pass.
public func withTimeout<T: Sendable>(
    _ seconds: TimeInterval, what: String, _ operation: @escaping @Sendable () async throws -> T
) async throws -> T {
    try await withThrowingTaskGroup(of: T.self) { group in
        group.addTask { try await operation() }
        group.addTask {
            try await Task.sleep(nanoseconds: UInt64(seconds * 1_000_000_000))
            throw TimeoutError(what: what, seconds: seconds)
        }
        defer { group.cancelAll() }
        return try await group.next()!
    }
}

public struct TimeoutError: Error, CustomStringConvertible, Sendable {
    public let what: String
    public let seconds: TimeInterval
    public var description: String { "\(what) did not answer within \(DurationText.format(seconds))" }
}

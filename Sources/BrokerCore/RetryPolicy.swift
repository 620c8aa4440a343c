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

/// What one attempt produced: the answer, or a transient problem worth another attempt
/// (with the server's `Retry-After`, when it sent one).
public enum RetryAttempt<Value: Sendable>: Sendable {
    case done(Value)
    case transient(String, retryAfter: TimeInterval? = nil)
}

extension RetryPolicy {
    /// The one retry loop. `operation` gets the attempt number (from 1) and the time that
    /// attempt may take: `attemptTimeout`, cut to what is left of the deadline. Another attempt
    /// starts only while attempts remain and it can begin before the deadline, after full-jitter
    /// backoff or the server's `Retry-After`. What cannot succeed by asking again is thrown by
    /// `operation` itself; when the retries run out, `exhausted(attempts, elapsed, last problem)`.
    public func run<Value: Sendable>(
        attemptTimeout: TimeInterval,
        _ operation: (_ attempt: Int, _ timeout: TimeInterval) async throws -> RetryAttempt<Value>,
        exhausted: (_ attempts: Int, _ elapsed: TimeInterval, _ problem: String) -> any Error
    ) async throws -> Value {
        let started = Date()
        var attempt = 0
        while true {
            attempt += 1
            let remaining = deadline - Date().timeIntervalSince(started)
            switch try await operation(attempt, max(0.05, min(attemptTimeout, remaining))) {
            case .done(let value):
                return value
            case .transient(let problem, let retryAfter):
                let pause = retryAfter.map { max(0, $0) } ?? delay(after: attempt)
                let elapsed = Date().timeIntervalSince(started)
                guard attempt < maxAttempts, elapsed + pause < deadline else { throw exhausted(attempt, elapsed, problem) }
                try await Task.sleep(nanoseconds: UInt64(pause * 1_000_000_000))
            }
        }
    }

    /// `Retry-After` in seconds (the HTTP-date form is rare from these services and ignored).
    public static func retryAfter(_ headers: [String: String]) -> TimeInterval? {
        guard let value = headers.first(where: { $0.key.lowercased() == "retry-after" })?.value,
              let seconds = Int(value.trimmingCharacters(in: .whitespaces)), (0 ... 3600).contains(seconds) else { return nil }
        return TimeInterval(seconds)
    }

    /// Worth asking again: throttling and server errors; never any other 4xx.
    public static func isTransient(status: Int) -> Bool {
        status == 429 || status == 408 || (500 ... 599).contains(status)
    }
}

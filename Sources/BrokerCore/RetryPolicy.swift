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

/// Runs `operation` and gives up waiting for it when `seconds` pass. A late operation is
/// abandoned, not cancelled: cancelling FoundationNetworking's async `URLSession.data(for:)` just as it completes can
/// deadlock on Linux (the cancel handler waits for URLSession's queue while holding the task's
/// status lock, and that queue waits for the lock to resume the task), so a late request is
/// left to end by its own URLSession timeout.
public func withTimeout<T: Sendable>(
    _ seconds: TimeInterval, what: String, _ operation: @escaping @Sendable () async throws -> T
) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        let once = ResumeOnce(continuation)
        let timer = Task.detached {
            try? await Task.sleep(nanoseconds: UInt64(max(0, seconds) * 1_000_000_000))
            once.resume(.failure(TimeoutError(what: what, seconds: seconds)))
        }
        Task.detached {
            do { once.resume(.success(try await operation())) } catch { once.resume(.failure(error)) }
            timer.cancel() // only a sleep; cancelling it is safe
        }
    }
}

/// Hands the first result to the continuation and drops the rest.
private final class ResumeOnce<T: Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    private var continuation: CheckedContinuation<T, any Error>?

    init(_ continuation: CheckedContinuation<T, any Error>) { self.continuation = continuation }

    func resume(_ result: Result<T, any Error>) {
        lock.lock()
        let pending = continuation
        continuation = nil
        lock.unlock()
        pending?.resume(with: result)
    }
}

public struct TimeoutError: Error, CustomStringConvertible, Sendable {
    public let what: String
    public let seconds: TimeInterval
    public var description: String { "\(what) did not answer within \(DurationText.format(seconds))" }
}

import BrokerCore
import Foundation
import Testing

/// The one retry loop every network caller uses (STS, GitHub's token service, Vault, token
/// exchange): each supplies only its classification of what is transient.
@Suite struct RetryLoopTests {
    struct Refused: Error {}

    final class Counter: @unchecked Sendable {
        var attempts = 0
        var timeouts: [TimeInterval] = []
    }

    @Test func transientThenDone() async throws {
        let counter = Counter()
        let policy = RetryPolicy(maxAttempts: 5, baseDelay: 0.001, maxDelay: 0.01, deadline: 600)
        let value: String = try await policy.run(attemptTimeout: 2) { attempt, timeout in
            counter.attempts = attempt
            counter.timeouts.append(timeout)
            return attempt < 3 ? .transient("throttled", retryAfter: 0) : .done("ok")
        } exhausted: { _, _, _ in Refused() }
        #expect(value == "ok" && counter.attempts == 3)
        #expect(counter.timeouts.allSatisfy { $0 <= 2 })
    }

    @Test func whatCannotSucceedIsThrownAtOnce() async {
        let counter = Counter()
        let policy = RetryPolicy(maxAttempts: 5, baseDelay: 0.001, deadline: 600)
        await #expect(throws: Refused.self) {
            let _: String = try await policy.run(attemptTimeout: 1) { attempt, _ in
                counter.attempts = attempt
                throw Refused()
            } exhausted: { _, _, _ in BrokerError.failure("exhausted") }
        }
        #expect(counter.attempts == 1)
    }

    @Test func attemptsAndTheDeadlineBoundTheLoop() async throws {
        let policy = RetryPolicy(maxAttempts: 3, baseDelay: 0.001, maxDelay: 0.001, deadline: 600)
        var seen: (Int, String)?
        await #expect(throws: Refused.self) {
            let _: Int = try await policy.run(attemptTimeout: 1) { _, _ in .transient("503") } exhausted: { attempts, _, problem in
                seen = (attempts, problem)
                return Refused()
            }
        }
        #expect(seen?.0 == 3 && seen?.1 == "503")
        // A Retry-After beyond the deadline ends the loop instead of sleeping past it.
        let started = Date()
        let short = RetryPolicy(maxAttempts: 20, deadline: 0.5)
        await #expect(throws: Refused.self) {
            let _: Int = try await short.run(attemptTimeout: 0.2) { _, timeout in
                #expect(timeout <= 0.5)
                return .transient("429", retryAfter: 30)
            } exhausted: { _, _, _ in Refused() }
        }
        #expect(Date().timeIntervalSince(started) < 2)
    }

    @Test func retryAfterAndStatuses() {
        #expect(RetryPolicy.retryAfter(["Retry-After": "3"]) == 3)
        #expect(RetryPolicy.retryAfter(["retry-after": " 0 "]) == 0)
        #expect(RetryPolicy.retryAfter(["Retry-After": "Wed, 21 Oct 2026 07:28:00 GMT"]) == nil)
        #expect(RetryPolicy.retryAfter(["Retry-After": "99999999"]) == nil)
        #expect([429, 408, 500, 503].allSatisfy(RetryPolicy.isTransient(status:)))
        #expect(![400, 401, 403, 404].contains(where: RetryPolicy.isTransient(status:)))
    }
}

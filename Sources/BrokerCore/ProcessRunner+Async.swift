import Foundation
#if canImport(Glibc)
import Glibc
#endif

extension ProcessRunner {
    /// `run` for async callers, on a thread of its own: the wait of up to `timeout` stays off
    /// the few cooperative threads.
    public static func runDetached(
        _ argv: [String], stdin: Data? = nil, environment: [String: String]? = nil,
        timeout: TimeInterval, what: String
    ) async throws -> Result {
        try await withCheckedThrowingContinuation { continuation in
            Thread {
                continuation.resume(with: Swift.Result {
                    try run(argv, stdin: stdin, environment: environment, timeout: timeout, what: what)
                })
            }.start()
        }
    }
}

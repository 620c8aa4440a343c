import Foundation
#if canImport(Glibc)
import Glibc
#endif

extension ProcessRunner {
    /// `run` for async callers. It runs on a thread of its own with no signals blocked: a child
    /// inherits the signal mask of the thread that spawns it, and Swift's concurrency and
    /// Dispatch threads block SIGTERM, so a child spawned there could not be stopped (or clean
    /// up) on SIGTERM at its timeout. The own thread also keeps a wait of up to `timeout` off
    /// the few cooperative threads.
    public static func runDetached(
        _ argv: [String], stdin: Data? = nil, environment: [String: String]? = nil,
        timeout: TimeInterval, what: String
    ) async throws -> Result {
        surviveBrokenPipes()
        return try await withCheckedThrowingContinuation { continuation in
            Thread {
                var none = sigset_t()
                sigemptyset(&none)
                pthread_sigmask(SIG_SETMASK, &none, nil)
                continuation.resume(with: Swift.Result {
                    try run(argv, stdin: stdin, environment: environment, timeout: timeout, what: what)
                })
            }.start()
        }
    }

    /// A child may exit without reading stdin; writing to it must then fail with EPIPE instead
    /// of killing broker with SIGPIPE. A no-op handler rather than SIG_IGN, because exec resets
    /// handlers but keeps ignored signals: children still get the default SIGPIPE.
    static func surviveBrokenPipes() {
        _ = signal(SIGPIPE) { _ in }
    }
}

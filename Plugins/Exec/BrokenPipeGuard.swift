import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A plugin may exit without reading its stdin; writing the request must then fail with EPIPE
/// instead of killing broker with SIGPIPE (ProcessRunner writes stdin and does not guard this).
/// A no-op handler, not SIG_IGN: handlers are reset by exec, so plugins still get the default
/// SIGPIPE behaviour their shell pipelines expect, while an ignored signal would be inherited.
enum BrokenPipeGuard {
    static func install() {
        _ = signal(SIGPIPE) { _ in }
    }
}

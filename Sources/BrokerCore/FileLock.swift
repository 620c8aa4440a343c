import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// An exclusive advisory lock on `<target>.lock`, so concurrent broker processes that
/// read-modify-write the same file never lose each other's changes. The holder's PID is
/// written into the lock file so a timeout can say who holds it.
public enum FileLock {
    public static func withLock<T>(
        on target: String, timeout: TimeInterval = 10, _ body: () throws -> T
    ) throws -> T {
        let lockPath = target + ".lock"
        let fd = open(lockPath, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else {
            throw BrokerError.failure("cannot open lock file \(lockPath): \(String(cString: strerror(errno)))")
        }
        defer { close(fd) }
        let deadline = Date().addingTimeInterval(timeout)
        while flock(fd, LOCK_EX | LOCK_NB) != 0 {
            guard errno == EWOULDBLOCK || errno == EINTR else {
                throw BrokerError.failure("cannot lock \(lockPath): \(String(cString: strerror(errno)))")
            }
            if Date() >= deadline {
                let holder = (try? String(contentsOfFile: lockPath, encoding: .utf8))?
                    .trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
                throw BrokerError.failure(
                    "\(target) is locked by another broker process (pid \(holder.isEmpty ? "unknown" : holder))",
                    hint: "wait for it to finish; remove \(lockPath) only if that process no longer exists")
            }
            usleep(10_000)
        }
        defer { flock(fd, LOCK_UN) }
        let pid = "\(getpid())\n"
        _ = ftruncate(fd, 0)
        _ = pid.withCString { pwrite(fd, $0, strlen($0), 0) }
        return try body()
    }
}

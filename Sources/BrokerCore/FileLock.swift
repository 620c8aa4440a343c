import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// An exclusive advisory lock on `<target>.lock`, so concurrent broker processes that
/// read-modify-write the same file never lose each other's changes. The holder's PID is
/// written into the lock file so a timeout can say who holds it. The lock file is removed
/// when the lock is released, so nothing is left beside `~/.aws/credentials`; a waiter that
/// then finds it locked an unlinked file starts over with a new one.
public enum FileLock {
    public static func withLock<T>(
        on target: String, timeout: TimeInterval = 10, _ body: () throws -> T
    ) throws -> T {
        let lockPath = target + ".lock"
        let deadline = Date().addingTimeInterval(timeout)
        let fd = try acquire(lockPath, target: target, deadline: deadline)
        defer {
            // Unlinked while still held: whoever waits on this file sees it is gone and retries.
            unlink(lockPath)
            flock(fd, LOCK_UN)
            close(fd)
        }
        let pid = "\(getpid())\n"
        _ = ftruncate(fd, 0)
        _ = pid.withCString { pwrite(fd, $0, strlen($0), 0) }
        return try body()
    }

    private static func acquire(_ lockPath: String, target: String, deadline: Date) throws -> Int32 {
        while true {
            let fd = open(lockPath, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
            guard fd >= 0 else {
                throw BrokerError.failure("cannot open lock file \(lockPath): \(String(cString: strerror(errno)))")
            }
            while flock(fd, LOCK_EX | LOCK_NB) != 0 {
                guard errno == EWOULDBLOCK || errno == EINTR else {
                    close(fd)
                    throw BrokerError.failure("cannot lock \(lockPath): \(String(cString: strerror(errno)))")
                }
                if Date() >= deadline {
                    let holder = (try? String(contentsOfFile: lockPath, encoding: .utf8))?
                        .trimmingWhitespace ?? ""
                    close(fd)
                    throw BrokerError.failure(
                        "\(target) is locked by another broker process (pid \(holder.isEmpty ? "unknown" : holder))",
                        hint: "wait for it to finish; remove \(lockPath) only if that process no longer exists")
                }
                usleep(10_000)
            }
            // Still the file at that path? Its previous holder may have removed it meanwhile.
            var held = stat(), current = stat()
            if fstat(fd, &held) == 0, stat(lockPath, &current) == 0, held.st_ino == current.st_ino, held.st_dev == current.st_dev {
                return fd
            }
            flock(fd, LOCK_UN)
            close(fd)
        }
    }
}

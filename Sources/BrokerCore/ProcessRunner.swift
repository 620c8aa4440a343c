import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Runs a program directly (never through a shell) with a timeout, optional stdin, and both
/// output streams captured. Secrets travel on stdin, never in argv or the environment.
public enum ProcessRunner {
    public struct Result: Sendable {
        public var status: Int32
        public var stdout: Data
        public var stderr: Data
        public var timedOut: Bool
        /// The program printed more than `maxStdout` / `maxStderr`; the rest was read and dropped.
        public var stdoutTruncated = false
        public var stderrTruncated = false
    }

    /// What is kept of another program's output: enough for any credential answer, and a
    /// bound on what a misbehaving program can make broker hold.
    public static let maxStdout = 4 << 20
    public static let maxStderr = 64 << 10

    /// Finds `name` on PATH the way execvp would; paths with a slash are taken as they are.
    public static func locate(_ name: String, environment: [String: String]) -> String? {
        if name.contains("/") { return FileManager.default.isExecutableFile(atPath: name) ? name : nil }
        for directory in (environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":") {
            let candidate = "\(directory)/\(name)"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }

    public static func run(
        _ argv: [String], stdin: Data? = nil, environment: [String: String]? = nil,
        timeout: TimeInterval, what: String
    ) throws -> Result {
        guard let program = argv.first else { throw BrokerError.usage("\(what): the command is empty") }
        let environment = environment ?? ProcessInfo.processInfo.environment
        guard let path = locate(program, environment: environment) else {
            throw BrokerError.failure("\(what): '\(program)' was not found on PATH or is not executable",
                                      hint: "install it or give its absolute path")
        }
        // posix_spawn and waitpid directly: Foundation's Process learns of a child's exit through
        // Dispatch, which under load noticed it many seconds late and stretched every timeout.
        surviveBrokenPipes()
        let output = try PipePair(), errors = try PipePair(), input = try PipePair()
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        if stdin != nil {
            posix_spawn_file_actions_adddup2(&actions, input.read, 0)
        } else {
            posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        }
        posix_spawn_file_actions_adddup2(&actions, output.write, 1)
        posix_spawn_file_actions_adddup2(&actions, errors.write, 2)
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        resetSignals(&attributes)

        let arguments = argv.map { strdup($0) } + [nil]
        let variables = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { (arguments + variables).forEach { free($0) } }
        var pid: pid_t = 0
        var spawned = posix_spawn(&pid, path, &actions, &attributes, arguments, variables)
        // A program written a moment ago may still be open for writing in some other process
        // that forked meanwhile ("Text file busy"); that clears up within milliseconds.
        for _ in 0..<50 where spawned == ETXTBSY {
            usleep(20_000)
            spawned = posix_spawn(&pid, path, &actions, &attributes, arguments, variables)
        }
        close(output.write)
        close(errors.write)
        close(input.read)
        guard spawned == 0 else {
            close(output.read); close(errors.read); close(input.write)
            throw BrokerError.failure("\(what): cannot start '\(path)': \(String(cString: strerror(spawned)))")
        }

        let collected = Collected()
        let readers = DispatchGroup()
        for (fd, isOut) in [(output.read, true), (errors.read, false)] {
            readers.enter()
            Thread {
                drain(fd, into: collected, isOut: isOut, limit: isOut ? maxStdout : maxStderr)
                close(fd)
                readers.leave()
            }.start()
        }
        Thread {
            if let stdin { writeAll(stdin, to: input.write) }
            close(input.write)
        }.start()
        let exit = ExitStatus()
        let finished = DispatchSemaphore(value: 0)
        let child = pid
        Thread {
            var status: Int32 = 0
            while waitpid(child, &status, 0) < 0 && errno == EINTR {}
            exit.set(status)
            finished.signal()
        }.start()

        var timedOut = false
        if finished.wait(timeout: .now() + timeout) == .timedOut {
            timedOut = true
            kill(child, SIGTERM)
            if finished.wait(timeout: .now() + 2) == .timedOut {
                kill(child, SIGKILL)
                finished.wait()
            }
        }
        // A grandchild holding the pipes open must not hang us past the timeout: what the
        // program printed before it exited is what counts.
        _ = readers.wait(timeout: .now() + 1)
        return collected.result(status: exit.code, timedOut: timedOut)
    }

    /// A child starts with no signals blocked and default dispositions, whatever thread spawned
    /// it and whatever broker ignores.
    static func resetSignals(_ attributes: inout posix_spawnattr_t) {
        var none = sigset_t(), defaults = sigset_t()
        sigemptyset(&none)
        sigemptyset(&defaults)
        for signal in [SIGPIPE, SIGTERM, SIGINT, SIGHUP, SIGQUIT] { sigaddset(&defaults, signal) }
        posix_spawnattr_setsigmask(&attributes, &none)
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
    }

    /// A child may exit without reading stdin; writing to it must then fail with EPIPE instead
    /// of killing broker with SIGPIPE. A no-op handler rather than SIG_IGN, because exec resets
    /// handlers but keeps ignored signals: children still get the default SIGPIPE.
    static func surviveBrokenPipes() {
        _ = signal(SIGPIPE) { _ in }
    }

    /// A pipe whose ends are close-on-exec, so no other child spawned meanwhile inherits them.
    struct PipePair {
        let read: Int32
        let write: Int32

        init() throws {
            var fds: [Int32] = [0, 0]
            guard pipe(&fds) == 0 else {
                throw BrokerError.failure("cannot create a pipe: \(String(cString: strerror(errno)))")
            }
            // pipe2(O_CLOEXEC) is not visible from Swift here; a concurrent spawn could inherit
            // the ends in this short window, which only delays its reader's end-of-file.
            _ = fcntl(fds[0], F_SETFD, FD_CLOEXEC)
            _ = fcntl(fds[1], F_SETFD, FD_CLOEXEC)
            read = fds[0]
            write = fds[1]
        }
    }

    /// Reads until end of file, keeping at most `limit` bytes (the rest is read and dropped, so
    /// the writer never blocks), and hands each piece over as it arrives.
    static func drain(_ fd: Int32, into collected: Collected, isOut: Bool, limit: Int) {
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = Glibc.read(fd, &buffer, buffer.count)
            if count > 0 {
                collected.append(buffer[0..<count], isOut: isOut, limit: limit)
            } else if count < 0 && errno == EINTR {
                continue
            } else {
                break
            }
        }
    }

    static func writeAll(_ data: Data, to fd: Int32) {
        data.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count {
                let written = Glibc.write(fd, raw.baseAddress! + offset, raw.count - offset)
                if written > 0 { offset += written } else if written < 0 && errno == EINTR { continue } else { return }
            }
        }
    }

    /// The child's exit code, or 128 + signal when a signal ended it (as shells report it).
    private final class ExitStatus: @unchecked Sendable {
        private let lock = NSLock()
        private var status: Int32 = 0
        func set(_ value: Int32) { lock.lock(); status = value; lock.unlock() }
        var code: Int32 {
            lock.lock(); defer { lock.unlock() }
            let signal = status & 0x7f
            return signal == 0 ? (status >> 8) & 0xff : 128 + signal
        }
    }

    final class Collected: @unchecked Sendable {
        private let lock = NSLock()
        private var out = Data(), err = Data()
        private var outTruncated = false, errTruncated = false

        func append(_ bytes: ArraySlice<UInt8>, isOut: Bool, limit: Int) {
            lock.lock(); defer { lock.unlock() }
            let current = isOut ? out.count : err.count
            let kept = bytes.prefix(max(0, limit - current))
            if isOut { out.append(contentsOf: kept) } else { err.append(contentsOf: kept) }
            if kept.count < bytes.count {
                if isOut { outTruncated = true } else { errTruncated = true }
            }
        }

        func result(status: Int32, timedOut: Bool) -> Result {
            lock.lock(); defer { lock.unlock() }
            return Result(status: status, stdout: out, stderr: err, timedOut: timedOut, stdoutTruncated: outTruncated,
                          stderrTruncated: errTruncated)
        }
    }
}

extension Data {
    /// At most `limit` bytes of text, for quoting another program's stderr in an error.
    public func excerpt(limit: Int = 4096) -> String {
        let text = String(decoding: prefix(limit), as: UTF8.self).trimmingWhitespace
        return count > limit ? text + " …" : text
    }
}

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
    }

    /// Finds `name` on PATH the way execvp would; paths with a slash are taken as they are.
    public static func locate(_ name: String, environment: [String: String] = ProcessInfo.processInfo.environment) -> String? {
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
        guard let path = locate(program, environment: environment ?? ProcessInfo.processInfo.environment) else {
            throw BrokerError.failure("\(what): '\(program)' was not found on PATH or is not executable",
                                      hint: "install it or give its absolute path")
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = Array(argv.dropFirst())
        if let environment { process.environment = environment }
        let outPipe = Pipe(), errPipe = Pipe(), inPipe = Pipe()
        process.standardOutput = outPipe
        process.standardError = errPipe
        process.standardInput = stdin == nil ? FileHandle.nullDevice : inPipe
        do { try process.run() } catch {
            throw BrokerError.failure("\(what): cannot start '\(path)': \(error.localizedDescription)")
        }
        let collected = Collected()
        let group = DispatchGroup()
        // Plain threads, not Dispatch's pool: many blocking waits at once (tests, concurrent
        // logins) can exhaust the pool and stall a timeout far past its deadline.
        for (pipe, isOut) in [(outPipe, true), (errPipe, false)] {
            group.enter()
            Thread {
                let data = pipe.fileHandleForReading.readDataToEndOfFile()
                collected.set(data, isOut: isOut)
                group.leave()
            }.start()
        }
        if let stdin {
            Thread {
                try? inPipe.fileHandleForWriting.write(contentsOf: stdin)
                try? inPipe.fileHandleForWriting.close()
            }.start()
        }
        let finished = DispatchSemaphore(value: 0)
        Thread {
            process.waitUntilExit()
            finished.signal()
        }.start()
        var timedOut = false
        if finished.wait(timeout: .now() + timeout) == .timedOut {
            timedOut = true
            kill(process.processIdentifier, SIGTERM)
            if finished.wait(timeout: .now() + 2) == .timedOut {
                kill(process.processIdentifier, SIGKILL)
                finished.wait()
            }
        }
        // A grandchild holding the pipes open must not hang us past the timeout.
        _ = group.wait(timeout: .now() + 2)
        let (out, err) = collected.get()
        return Result(status: process.terminationStatus, stdout: out, stderr: err, timedOut: timedOut)
    }

    private final class Collected: @unchecked Sendable {
        private let lock = NSLock()
        private var out = Data(), err = Data()
        func set(_ data: Data, isOut: Bool) { lock.lock(); if isOut { out = data } else { err = data }; lock.unlock() }
        func get() -> (Data, Data) { lock.lock(); defer { lock.unlock() }; return (out, err) }
    }
}

extension Data {
    /// At most `limit` bytes of text, for quoting another program's stderr in an error.
    public func excerpt(limit: Int = 4096) -> String {
        let text = String(decoding: prefix(limit), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        return count > limit ? text + " …" : text
    }
}

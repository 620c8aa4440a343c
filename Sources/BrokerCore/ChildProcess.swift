import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// `broker exec`'s child: run directly (no shell) with exactly the environment given, on
/// broker's own stdin, stdout and stderr. SIGINT, SIGTERM, SIGHUP and SIGQUIT sent to broker
/// are passed on; its status comes back as a shell reports it (128 + signal when killed).
public enum ChildProcess {
    /// Why the command could not start, with the code a shell (and env(1)) would exit with.
    public struct StartFailure: Error, CustomStringConvertible {
        public var code: Int32
        public var description: String
    }

    public static func run(_ argv: [String], environment: [String: String]) throws -> Int32 {
        guard let program = argv.first, !program.isEmpty else {
            throw StartFailure(code: 127, description: "no command to run")
        }
        guard let path = ProcessRunner.locate(program, environment: environment) else {
            let exists = program.contains("/") && FileManager.default.fileExists(atPath: program)
            throw StartFailure(code: exists ? 126 : 127,
                               description: exists ? "\(program): not executable" : "\(program): command not found on PATH")
        }
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        ProcessRunner.resetSignals(&attributes)
        let arguments = argv.map { strdup($0) } + [nil]
        let variables = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { (arguments + variables).forEach { free($0) } }

        // Signals from another process are passed on; those from the terminal reach the
        // child already (it shares broker's process group), so passing them on would make
        // one Ctrl-C two (which Terraform takes as "stop now").
        for signal in forwarded { installForwarder(signal) }
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, path, nil, &attributes, arguments, variables)
        guard spawned == 0 else {
            throw StartFailure(code: spawned == ENOENT ? 127 : 126, description: "\(program): \(String(cString: strerror(spawned)))")
        }
        ChildProcessSignals.child = pid
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 {
            guard errno == EINTR else { return 1 }
        }
        ChildProcessSignals.child = 0
        return shellStatus(status)
    }

    static let forwarded = [SIGINT, SIGTERM, SIGHUP, SIGQUIT]

    /// A wait status as `$?`: the exit code, or 128 + the signal that ended it.
    public static func shellStatus(_ status: Int32) -> Int32 {
        let signal = status & 0x7f
        return signal == 0 ? (status >> 8) & 0xff : 128 + signal
    }

    private static func installForwarder(_ signal: Int32) {
        var action = sigaction()
        action.__sigaction_handler.sa_sigaction = { signal, info, _ in
            // SI_USER, SI_QUEUE, SI_TKILL: sent by a process (codes of the kernel's own, the terminal's included, are positive).
            let code = info?.pointee.si_code ?? 0
            let child = ChildProcessSignals.child
            if code <= 0, child > 0 { kill(child, signal) }
        }
        action.sa_flags = SA_SIGINFO | SA_RESTART
        sigemptyset(&action.sa_mask)
        sigaction(signal, &action, nil)
    }
}

/// The pid the signal handler passes signals to (read in a handler, so a plain global).
enum ChildProcessSignals {
    nonisolated(unsafe) static var child: pid_t = 0
}

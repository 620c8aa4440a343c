import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Files that exist only while broker runs, for SDKs that read credentials from a path (Azure's
/// federated token file, Google's external-account file) under `broker exec`. Each is created in
/// memory (`/dev/shm`, else the temporary directory), unlinked at once and kept open; its path
/// is `/proc/<broker's pid>/fd/<n>`, which every process of the user can open, the child's own
/// children included, until broker exits. Nothing is left behind, even after a kill.
public final class EphemeralFiles: @unchecked Sendable {
    private let lock = NSLock()
    private var descriptors: [Int32] = []
    private let directory: String

    public init(environment: [String: String] = [:]) {
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: "/dev/shm", isDirectory: &isDirectory), isDirectory.boolValue,
           access("/dev/shm", W_OK) == 0 {
            directory = "/dev/shm"
        } else {
            directory = environment["TMPDIR"].flatMap { $0.isEmpty ? nil : $0 } ?? "/tmp"
        }
    }

    /// A path whose contents are `data` (mode 0600), readable until `close()` or broker's exit.
    public func path(holding data: Data) throws -> String {
        var template = Array("\(directory)/broker-exec-XXXXXX".utf8CString)
        let fd = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        guard fd >= 0 else {
            throw BrokerError.failure("cannot create an in-memory file in \(directory): \(String(cString: strerror(errno)))")
        }
        let name = String(cString: template)
        unlink(name)
        _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
        let written = data.withUnsafeBytes { buffer -> Bool in
            var offset = 0
            while offset < buffer.count {
                let count = write(fd, buffer.baseAddress! + offset, buffer.count - offset)
                if count < 0, errno == EINTR { continue }
                guard count > 0 else { return false }
                offset += count
            }
            return true
        }
        guard written else {
            Glibc.close(fd)
            throw BrokerError.failure("cannot write an in-memory file in \(directory): \(String(cString: strerror(errno)))")
        }
        lock.lock()
        descriptors.append(fd)
        lock.unlock()
        return "/proc/\(getpid())/fd/\(fd)"
    }

    public func close() {
        lock.lock()
        let open = descriptors
        descriptors = []
        lock.unlock()
        open.forEach { _ = Glibc.close($0) }
    }

    deinit { close() }
}

import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Writes files that may hold secrets: temp file in the same directory, fsync, rename over
/// the target, 0600 by default. A symlinked target is written through to its real path so the
/// link survives. Directories we create are 0700.
public enum SecureFile {
    /// The path a write really lands on: symlinks followed, even when the final target is missing.
    public static func resolvedTarget(_ path: String) -> String {
        var current = path
        for _ in 0..<32 {
            guard let destination = try? FileManager.default.destinationOfSymbolicLink(atPath: current) else {
                return current
            }
            current = destination.hasPrefix("/")
                ? destination
                : (current as NSString).deletingLastPathComponent + "/" + destination
        }
        return current
    }

    public static func ensureDirectory(_ path: String, mode: mode_t = 0o700) throws {
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) {
            guard isDirectory.boolValue else {
                throw BrokerError.failure("\(path) exists but is not a directory")
            }
            return
        }
        let parent = (path as NSString).deletingLastPathComponent
        if !parent.isEmpty && parent != path { try ensureDirectory(parent, mode: mode) }
        if mkdir(path, mode) != 0 && errno != EEXIST {
            throw BrokerError.failure("cannot create directory \(path): \(String(cString: strerror(errno)))")
        }
        _ = chmod(path, mode)
    }

    public static func read(_ path: String) throws -> Data? {
        let target = resolvedTarget(path)
        guard FileManager.default.fileExists(atPath: target) else { return nil }
        guard let data = FileManager.default.contents(atPath: target) else {
            throw BrokerError.failure("cannot read \(path)", hint: "check the file's permissions")
        }
        return data
    }

    /// Replaces the file's contents atomically. The caller holds the lock when it read first.
    public static func write(_ data: Data, to path: String, mode: mode_t = 0o600) throws {
        let target = resolvedTarget(path)
        let directory = (target as NSString).deletingLastPathComponent
        try ensureDirectory(directory.isEmpty ? "." : directory)
        var template = Array(((directory.isEmpty ? "." : directory) + "/." + (target as NSString).lastPathComponent + ".tmp.XXXXXX").utf8CString)
        let fd = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        guard fd >= 0 else {
            throw BrokerError.failure("cannot create a temporary file beside \(target): \(String(cString: strerror(errno)))")
        }
        let tempPath = template.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
        var renamed = false
        defer {
            if !renamed { unlink(tempPath) }
        }
        do {
            defer { close(fd) }
            guard fchmod(fd, mode) == 0 else { throw posixFailure("set permissions on", tempPath) }
            try data.withUnsafeBytes { buffer in
                var offset = 0
                while offset < buffer.count {
                    let written = Glibc.write(fd, buffer.baseAddress! + offset, buffer.count - offset)
                    if written < 0 {
                        if errno == EINTR { continue }
                        throw posixFailure("write", tempPath)
                    }
                    offset += written
                }
            }
            guard fsync(fd) == 0 else { throw posixFailure("fsync", tempPath) }
        }
        guard rename(tempPath, target) == 0 else { throw posixFailure("replace", target) }
        renamed = true
        let dirFD = open(directory.isEmpty ? "." : directory, O_RDONLY | O_DIRECTORY)
        if dirFD >= 0 {
            fsync(dirFD)
            close(dirFD)
        }
    }

    /// Read-modify-write under the file's lock. `transform` returns nil to leave the file alone.
    @discardableResult
    public static func update(
        _ path: String, mode: mode_t = 0o600, lockTimeout: TimeInterval = 10,
        _ transform: (Data?) throws -> Data?
    ) throws -> Bool {
        let target = resolvedTarget(path)
        let directory = (target as NSString).deletingLastPathComponent
        try ensureDirectory(directory.isEmpty ? "." : directory)
        return try FileLock.withLock(on: target, timeout: lockTimeout) {
            let existing = try read(target)
            guard let updated = try transform(existing) else { return false }
            if updated == existing { return false }
            try write(updated, to: target, mode: mode)
            return true
        }
    }

    private static func posixFailure(_ action: String, _ path: String) -> BrokerError {
        .failure("cannot \(action) \(path): \(String(cString: strerror(errno)))")
    }
}

extension SecureFile {
    /// Removes a file broker wrote, with the lock file beside it; true when the file was there.
    @discardableResult
    public static func remove(_ path: String) -> Bool {
        let removed = (try? FileManager.default.removeItem(atPath: path)) != nil
        try? FileManager.default.removeItem(atPath: path + ".lock")
        return removed
    }
}

extension StateStore.Record {
    /// The default logout: remove every file the login wrote; one line per file removed.
    public func removeWrittenFiles() -> [String] {
        written.filter { $0.kind == .file }.compactMap { SecureFile.remove($0.path) ? "removed \($0.path)" : nil }
    }
}

import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Writes files that may hold secrets: temp file in the same directory, fsync, rename over
/// the target, 0600 by default. A symlinked target is written through to its real path so the
/// link survives. Directories we create are 0700. A target that is read-only, not a regular
/// file, or a symlink loop is refused before anything is written.
public enum SecureFile {
    /// What an edit does with the file it read.
    public enum Change {
        case keep
        case write(Data)
        /// Contents handed over in pieces, written as they come: a large file edited in one
        /// place is a few slices of the bytes read, not a second copy in memory.
        case stream(Pieces)
        case remove
    }

    /// Calls its argument with each piece of the new contents, in order.
    public typealias Pieces = ((UnsafeRawBufferPointer) throws -> Void) throws -> Void

    /// The path a write really lands on: symlinks followed, even when the final target is missing.
    /// A loop (or a chain longer than the kernel's own limit of 40) is refused, naming the path.
    public static func resolvedTarget(_ path: String) throws -> String {
        var current = path
        var seen: Set<String> = [path]
        for _ in 0..<40 {
            guard let destination = try? FileManager.default.destinationOfSymbolicLink(atPath: current) else {
                return current
            }
            current = destination.hasPrefix("/")
                ? destination
                : (current as NSString).deletingLastPathComponent + "/" + destination
            if !seen.insert((current as NSString).standardizingPath).inserted { break }
        }
        throw BrokerError.usage("\(path) is a symbolic link loop",
                                hint: "point the link at a real file, or remove it (`ls -l \(path)` shows where it goes)")
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
        let target = try resolvedTarget(path)
        guard try checkRegularFile(target, named: path) else { return nil }
        guard let data = FileManager.default.contents(atPath: target) else {
            throw BrokerError.failure("cannot read \(path)", hint: "check the file's permissions")
        }
        return data
    }

    /// The whole file, read at the size `fstat` reports and on to the end (it may grow meanwhile).
    static func readBytes(_ target: String, named path: String) throws -> [UInt8] {
        let fd = open(target, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw BrokerError.failure("cannot read \(path): \(String(cString: strerror(errno)))", hint: "check the file's permissions") }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw posixFailure("inspect", path) }
        // One read at the size fstat reports (plus one byte to see the end); a file that grew
        // meanwhile is read on to its end.
        var bytes = try readChunk(fd, upTo: max(Int(info.st_size), 0) + 1, path: path)
        guard bytes.count > Int(info.st_size) else { return bytes }
        while true {
            let chunk = try readChunk(fd, upTo: 65536, path: path)
            bytes += chunk
            if chunk.count < 65536 { return bytes }
        }
    }

    private static func readChunk(_ fd: Int32, upTo size: Int, path: String) throws -> [UInt8] {
        var failure: Int32 = 0
        let chunk = [UInt8](unsafeUninitializedCapacity: size) { buffer, count in
            count = 0
            while count < buffer.count {
                let got = Glibc.read(fd, buffer.baseAddress! + count, buffer.count - count)
                if got < 0 {
                    if errno == EINTR { continue }
                    failure = errno
                    return
                }
                if got == 0 { return }
                count += got
            }
        }
        guard failure == 0 else {
            throw BrokerError.failure("cannot read \(path): \(String(cString: strerror(failure)))", hint: "check the file's permissions")
        }
        return chunk
    }

    /// Replaces the file's contents atomically. Callers that read first hold the lock (`update`).
    public static func write(_ data: Data, to path: String, mode: mode_t = 0o600) throws {
        let target = try resolvedTarget(path)
        try checkWritable(target, named: path)
        try replace(target, mode: mode) { emit in try data.withUnsafeBytes(emit) }
    }

    /// Read-modify-write under the file's lock. `transform` returns nil to leave the file alone.
    @discardableResult
    public static func update(
        _ path: String, mode: mode_t = 0o600, lockTimeout: TimeInterval = 10,
        _ transform: (Data?) throws -> Data?
    ) throws -> Bool {
        try edit(path, mode: mode, lockTimeout: lockTimeout) { data in
            guard let updated = try transform(data), updated != data else { return .keep }
            return .write(updated)
        }
    }

    /// Read-modify-write (or remove) under the file's lock; true when the file changed.
    @discardableResult
    public static func edit(
        _ path: String, mode: mode_t = 0o600, lockTimeout: TimeInterval = 10,
        _ transform: (Data?) throws -> Change
    ) throws -> Bool {
        try editAll([path], mode: mode, lockTimeout: lockTimeout) { contents in [try transform(contents[0])] }
    }

    /// Edits several files together: every target is checked and locked (in one order, so two
    /// writers never wait on each other), every one read, and only then is anything written.
    /// A refusal or a failing transform therefore leaves all of them untouched.
    @discardableResult
    public static func editAll(
        _ paths: [String], mode: mode_t = 0o600, lockTimeout: TimeInterval = 10,
        _ transform: ([Data?]) throws -> [Change]
    ) throws -> Bool {
        try editAllBytes(paths, mode: mode, lockTimeout: lockTimeout) { contents in
            try transform(contents.map { $0.map { Data($0) } })
        }
    }

    /// `editAll` with the contents as byte arrays, read straight from the file: a parser that
    /// keeps slices of a large file needs no second copy of it.
    @discardableResult
    public static func editAllBytes(
        _ paths: [String], mode: mode_t = 0o600, lockTimeout: TimeInterval = 10,
        _ transform: ([[UInt8]?]) throws -> [Change]
    ) throws -> Bool {
        let targets = try paths.map { try resolvedTarget($0) }
        for (target, path) in zip(targets, paths) {
            try checkWritable(target, named: path)
            let directory = (target as NSString).deletingLastPathComponent
            try ensureDirectory(directory.isEmpty ? "." : directory)
        }
        let order = Array(Set(targets)).sorted()
        func locked(_ remaining: ArraySlice<String>) throws -> Bool {
            guard let first = remaining.first else {
                for target in order { removeStaleTemporaryFiles(of: target) }
                let existing = try zip(targets, paths).map { target, path in
                    try checkRegularFile(target, named: path) ? try readBytes(target, named: path) : nil
                }
                let changes = try transform(existing)
                var changed = false
                for (index, change) in changes.enumerated() {
                    switch change {
                    case .keep: continue
                    case .write(let data):
                        if let old = existing[index], data.elementsEqual(old) { continue }
                        try replace(targets[index], mode: mode) { emit in try data.withUnsafeBytes(emit) }
                    case .stream(let pieces):
                        try replace(targets[index], mode: mode, with: pieces)
                    case .remove:
                        guard existing[index] != nil else { continue }
                        guard unlink(targets[index]) == 0 else { throw posixFailure("remove", targets[index]) }
                        syncDirectory(of: targets[index])
                    }
                    changed = true
                }
                return changed
            }
            return try FileLock.withLock(on: first, timeout: lockTimeout) { try locked(remaining.dropFirst()) }
        }
        return try locked(order[...])
    }

    /// Temp files (`.NAME.tmp.XXXXXX`) beside `target`. Every writer of a target holds its
    /// lock while its temp file exists, so under the lock any such file is a dead writer's.
    public static func temporaryFiles(of target: String) -> [String] {
        let directory = (target as NSString).deletingLastPathComponent
        let prefix = "." + (target as NSString).lastPathComponent + ".tmp."
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.isEmpty ? "." : directory)) ?? []
        return names.filter { $0.hasPrefix(prefix) && $0.count == prefix.count + 6 }
            .map { (directory.isEmpty ? "." : directory) + "/" + $0 }
    }

    /// Call with the target's lock held.
    static func removeStaleTemporaryFiles(of target: String) {
        for file in temporaryFiles(of: target) { unlink(file) }
    }

    // MARK: Checks

    /// Before a login calls anyone: refuses (exit 2) a target broker could not write afterwards
    /// (a directory, a read-only file, a symlink loop), so a credential is never issued and lost.
    public static func checkTarget(_ path: String) throws {
        try checkWritable(try resolvedTarget(path), named: path)
    }

    /// True when `target` is a regular file, false when it does not exist; anything else is refused.
    @discardableResult
    static func checkRegularFile(_ target: String, named path: String) throws -> Bool {
        var info = stat()
        guard stat(target, &info) == 0 else {
            if errno == ENOENT { return false }
            if errno == ELOOP { throw BrokerError.usage("\(path) is a symbolic link loop", hint: "point the link at a real file, or remove it") }
            throw posixFailure("inspect", target)
        }
        let type = info.st_mode & S_IFMT
        guard type == S_IFREG else {
            let kinds: [mode_t: String] = [S_IFDIR: "a directory", S_IFCHR: "a character device", S_IFBLK: "a block device",
                                           S_IFIFO: "a named pipe", S_IFSOCK: "a socket"]
            throw BrokerError.usage("\(path) is \(kinds[type] ?? "not a regular file"), not a file broker can write",
                                    hint: "point the setting (or the variable naming it) at a regular file")
        }
        return true
    }

    /// Refuses a target broker must not replace: not a regular file, or read-only (even for root,
    /// a file without write bits says "leave me alone").
    static func checkWritable(_ target: String, named path: String) throws {
        guard try checkRegularFile(target, named: path) else { return }
        var info = stat()
        guard stat(target, &info) == 0 else { return }
        if info.st_mode & 0o222 == 0 || access(target, W_OK) != 0 {
            throw BrokerError.usage("\(path) is not writable (mode \(String(info.st_mode & 0o7777, radix: 8)))",
                                    hint: "broker replaces the file; make it writable (chmod u+w \(path)) if it should, or choose another file")
        }
    }

    // MARK: Writing

    private static func replace(_ target: String, mode: mode_t, with pieces: Pieces) throws {
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
            var writer = BufferedWriter(fd: fd, path: tempPath)
            try pieces { try writer.write($0) }
            try writer.flush()
            guard fsync(fd) == 0 else { throw posixFailure("fsync", tempPath) }
        }
        guard rename(tempPath, target) == 0 else { throw posixFailure("replace", target) }
        renamed = true
        syncDirectory(of: target)
    }

    /// Gathers small pieces into 64 KiB writes; large ones go straight to the file.
    private struct BufferedWriter {
        let fd: Int32
        let path: String
        var buffer: [UInt8] = []

        mutating func write(_ piece: UnsafeRawBufferPointer) throws {
            if buffer.count + piece.count > 65536 { try flush() }
            if piece.count >= 65536 {
                try writeAll(piece)
            } else {
                buffer.append(contentsOf: piece)
            }
        }

        mutating func flush() throws {
            try buffer.withUnsafeBytes { try writeAll($0) }
            buffer.removeAll(keepingCapacity: true)
        }

        private func writeAll(_ bytes: UnsafeRawBufferPointer) throws {
            var offset = 0
            while offset < bytes.count {
                let written = Glibc.write(fd, bytes.baseAddress! + offset, bytes.count - offset)
                if written < 0 {
                    if errno == EINTR { continue }
                    throw posixFailure("write", path)
                }
                offset += written
            }
        }
    }

    private static func syncDirectory(of target: String) {
        let directory = (target as NSString).deletingLastPathComponent
        let dirFD = open(directory.isEmpty ? "." : directory, O_RDONLY | O_DIRECTORY)
        if dirFD >= 0 {
            fsync(dirFD)
            close(dirFD)
        }
    }

    private static func posixFailure(_ action: String, _ path: String) -> BrokerError {
        .failure("cannot \(action) \(path): \(String(cString: strerror(errno)))")
    }
}

extension SecureFile {
    /// Removes a file broker wrote (under its lock), its stale temp files and the lock file
    /// beside it; true when the file was there.
    @discardableResult
    public static func remove(_ path: String) -> Bool {
        guard let target = try? resolvedTarget(path), FileManager.default.fileExists(atPath: target) else { return false }
        let removed = (try? edit(path) { $0 == nil ? .keep : .remove }) ?? false
        if let target = try? resolvedTarget(path) { try? FileManager.default.removeItem(atPath: target + ".lock") }
        return removed
    }
}

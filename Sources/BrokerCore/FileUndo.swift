import Foundation
#if canImport(Glibc)
import Glibc
#endif

extension StateStore.Record {
    /// Undoes the record's whole-file targets: a file that still holds what broker wrote goes
    /// back to what the login found (the backup, or no file); a file changed since is left
    /// alone and said so; broker's own files are removed. One line per thing done.
    public func undoFiles() throws -> [String] {
        try written.filter { $0.kind == .file }.compactMap(FileUndo.undo)
    }
}

public enum FileUndo {
    /// True while `target` still holds exactly what broker wrote there.
    public static func holdsWhatBrokerWrote(_ target: WrittenTarget) -> Bool {
        guard target.contentHash != nil, let path = try? SecureFile.resolvedTarget(target.path),
              let contents = FileManager.default.contents(atPath: path) else { return false }
        return isBrokers(sha256Hex(contents), target)
    }

    static func isBrokers(_ hash: String, _ target: WrittenTarget) -> Bool {
        hash == target.contentHash || (target.earlierHashes ?? []).contains(hash)
    }

    static func undo(_ target: WrittenTarget) throws -> String? {
        guard target.contentHash != nil else {
            return SecureFile.remove(target.path) ? "removed \(target.path)" : nil
        }
        let path = try SecureFile.resolvedTarget(target.path)
        if target.backup == nil && !FileManager.default.fileExists(atPath: path) { return nil }
        var mode: mode_t = 0o600
        var info = stat()
        if let backup = target.backup, stat(backup, &info) == 0 { mode = info.st_mode & 0o777 }
        var note: String?
        try SecureFile.edit(target.path, mode: mode) { current in
            switch (current, target.backup) {
            case (nil, nil):
                return .keep
            case (let current?, _) where !isBrokers(sha256Hex(current), target):
                note = "left \(target.path) as it is (it changed after the login)"
                return .keep
            case (_, nil):
                note = "removed \(target.path)"
                return .remove
            case (_, let backup?):
                guard let contents = FileManager.default.contents(atPath: backup) else {
                    note = "removed \(target.path) (the copy of what was there before is gone)"
                    return .remove
                }
                note = "restored \(target.path) as it was before the login"
                return .write(contents)
            }
        }
        if !FileManager.default.fileExists(atPath: path) { try? FileManager.default.removeItem(atPath: path + ".lock") }
        return note
    }
}

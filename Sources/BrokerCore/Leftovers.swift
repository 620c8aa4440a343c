import Foundation

/// What broker wrote that no record names, so logout would not remove it: temp files of
/// writers that were killed mid-write (they may hold full copies of credentials files),
/// cache and token files in an adapter's own folders, and backups no record needs.
public enum Leftovers {
    public static func find(records: [StateStore.Record], state: StateStore, ownedDirectories: [String]) -> [String] {
        let recorded = Set(records.flatMap { $0.written.map(\.path) }.compactMap { try? SecureFile.resolvedTarget($0) })
        let touched = Set(((try? state.touchedFiles()) ?? []).compactMap { try? SecureFile.resolvedTarget($0) })
        let backups = Set(records.flatMap { $0.written.compactMap(\.backup) })
        var found: [String] = []
        let targets = recorded.union(touched).union([state.path])
        for target in targets.sorted() { found += SecureFile.temporaryFiles(of: target) }
        for directory in ownedDirectories.map(state.home.file) + [state.backupDirectory] {
            for name in (try? FileManager.default.contentsOfDirectory(atPath: directory))?.sorted() ?? [] {
                let path = directory + "/" + name
                if name.hasSuffix(".lock") || recorded.contains(path) || backups.contains(path) { continue }
                found.append(path)
            }
        }
        return found
    }

    /// Removes one leftover. A temp file goes under its target's lock, so a writer that is
    /// alive and holding it is never cut short.
    @discardableResult
    public static func remove(_ path: String) -> Bool {
        let directory = (path as NSString).deletingLastPathComponent
        let name = (path as NSString).lastPathComponent
        if name.hasPrefix("."), let range = name.range(of: ".tmp.", options: .backwards) {
            let target = directory + "/" + String(name[name.index(after: name.startIndex) ..< range.lowerBound])
            _ = try? SecureFile.edit(target) { _ in .keep }
            return !FileManager.default.fileExists(atPath: path)
        }
        return (try? FileManager.default.removeItem(atPath: path)) != nil
    }
}

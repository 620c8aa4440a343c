import Foundation

/// The git work tree a directory lies in: the nearest ancestor holding `.git` (a directory, or
/// the file a worktree or submodule has).
public enum GitWorkTree {
    public static func root(of directory: String) -> String? {
        var path = LexicalPath.isStandardAbsolute(directory) ? directory : URL(fileURLWithPath: directory).standardizedFileURL.path
        while true {
            if FileManager.default.fileExists(atPath: (path == "/" ? "" : path) + "/.git") { return path }
            guard path != "/", !path.isEmpty else { return nil }
            path = LexicalPath.parent(path)
        }
    }

    /// The work tree of `workingDirectory` when `file` lies inside it.
    public static func containing(_ file: String, from workingDirectory: String?) -> String? {
        guard let workingDirectory, let tree = root(of: workingDirectory) else { return nil }
        let path = URL(fileURLWithPath: file).standardizedFileURL.path
        return tree == "/" || path.hasPrefix(tree + "/") ? tree : nil
    }
}

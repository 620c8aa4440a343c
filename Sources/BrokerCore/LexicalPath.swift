import Foundation

/// Path helpers for the login path, without Foundation's first-use costs (NSString path
/// methods and URL standardizing cost 0.1-0.4 ms the first time in a fresh process). Anything
/// unusual goes to Foundation, so the results never differ from it.
public enum LexicalPath {
    /// `(path as NSString).standardizingPath`: an absolute path that is already standard (no
    /// `~`, `.`, `..` or empty components, no trailing `/`) is returned as it is.
    public static func standardized(_ path: String) -> String {
        isStandardAbsolute(path) ? path : (path as NSString).standardizingPath
    }

    /// The parent of a standard absolute path (`/` for `/` and `/x`), else NSString's answer.
    public static func parent(_ path: String) -> String {
        guard isStandardAbsolute(path) else { return (path as NSString).deletingLastPathComponent }
        guard let slash = path.utf8.lastIndex(of: UInt8(ascii: "/")), slash != path.utf8.startIndex else { return "/" }
        return String(path[..<slash])
    }

    static func isStandardAbsolute(_ path: String) -> Bool {
        guard path.utf8.first == UInt8(ascii: "/") else { return false }
        if path == "/" { return true }
        return !path.hasSuffix("/") && !path.split(separator: "/", omittingEmptySubsequences: false).dropFirst().contains {
            $0.isEmpty || $0 == "." || $0 == ".."
        }
    }
}

import Foundation

/// Path and text helpers for the login path, without Foundation's first-use costs (NSString
/// path methods, URL standardizing and CharacterSet each cost 0.1-0.4 ms the first time in a
/// fresh process). Anything unusual goes to Foundation, so the results never differ from it.
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

extension String {
    /// `trimmingCharacters(in: .whitespacesAndNewlines)` without CharacterSet.
    public var trimmingWhitespace: String {
        let scalars = unicodeScalars
        guard let first = scalars.firstIndex(where: { !Self.isTrimmedWhitespace($0) }),
              let last = scalars.lastIndex(where: { !Self.isTrimmedWhitespace($0) }) else { return "" }
        return String(scalars[first ... last])
    }

    /// Foundation's `whitespacesAndNewlines`: Unicode's White_Space and the zero-width space.
    static func isTrimmedWhitespace(_ scalar: Unicode.Scalar) -> Bool {
        scalar.properties.isWhitespace || scalar.value == 0x200B
    }
}

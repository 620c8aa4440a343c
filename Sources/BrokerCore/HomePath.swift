/// `~` and `~/...` in a path the user wrote, as Python's `os.path.expanduser` reads them (the
/// AWS CLI's rule): the injected home, never `~user`. One rule for every setting and adapter.
public enum HomePath {
    public static func expand(_ path: String, home: String) -> String {
        guard path == "~" || path.hasPrefix("~/") else { return path }
        var base = home
        while base.hasSuffix("/") { base.removeLast() }
        let expanded = base + path.dropFirst()
        return expanded.isEmpty ? "/" : expanded
    }
}

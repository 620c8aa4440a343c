import BrokerCore
import Foundation

/// The `sub` a token carries when nobody chose one: the repository's normalized remote URL
/// (the way Gitpod derives it), else `user:<name>@<host>`. Reads `.git/config` directly:
/// spawning git would cost more than signing.
public enum DefaultSubject {
    public static func repositoryURL(from directory: String) -> String? {
        guard let configPath = gitConfigPath(from: directory),
              let text = try? String(contentsOfFile: configPath, encoding: .utf8) else { return nil }
        var remotes: [String: String] = [:]
        var section: String?
        for rawLine in text.split(whereSeparator: \.isNewline) {
            let line = rawLine.trimmingCharacters(in: .whitespaces)
            if line.hasPrefix("[") {
                section = line
                continue
            }
            guard let section, section.hasPrefix("[remote \""), let equals = line.firstIndex(of: "=") else { continue }
            let key = line[..<equals].trimmingCharacters(in: .whitespaces).lowercased()
            guard key == "url" else { continue }
            let name = String(section.dropFirst("[remote \"".count).prefix { $0 != "\"" })
            remotes[name] = line[line.index(after: equals)...].trimmingCharacters(in: .whitespaces)
        }
        guard let raw = remotes["origin"] ?? remotes.sorted(by: { $0.key < $1.key }).first?.value else { return nil }
        return normalize(remote: raw)
    }

    /// `git@github.com:org/repo.git`, `ssh://git@host:22/org/repo`, `https://user:pw@host/org/repo.git`
    /// all become `https://host/org/repo`.
    public static func normalize(remote: String) -> String? {
        var text = remote.trimmingCharacters(in: .whitespaces)
        if text.hasSuffix("/") { text.removeLast() }
        if text.hasSuffix(".git") { text.removeLast(4) }
        var host: String
        var path: String
        if let components = URLComponents(string: text), let scheme = components.scheme, let h = components.host, !h.isEmpty,
           ["http", "https", "ssh", "git"].contains(scheme.lowercased()) {
            host = h
            path = components.path
        } else if let colon = text.firstIndex(of: ":"), !text.contains("://") {
            // scp-like: [user@]host:path
            let hostPart = text[..<colon]
            host = String(hostPart.split(separator: "@").last ?? hostPart)
            path = "/" + text[text.index(after: colon)...]
        } else {
            return nil
        }
        host = host.lowercased()
        while path.hasPrefix("//") { path.removeFirst() }
        if !path.hasPrefix("/") { path = "/" + path }
        guard path.count > 1 else { return nil }
        return "https://\(host)\(path)"
    }

    public static func userSubject(environment: [String: String]) -> String {
        let user = environment["USER"] ?? environment["LOGNAME"] ?? NSUserName()
        return "user:\(user)@\(ProcessInfo.processInfo.hostName)"
    }

    private static func gitConfigPath(from directory: String) -> String? {
        guard let root = GitWorkTree.root(of: directory) else { return nil }
        let dotGit = (root == "/" ? "" : root) + "/.git"
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: dotGit, isDirectory: &isDirectory) else { return nil }
        if isDirectory.boolValue { return dotGit + "/config" }
        // A worktree or submodule: `.git` is a file naming the real git directory.
        guard let pointer = try? String(contentsOfFile: dotGit, encoding: .utf8),
              let line = pointer.split(separator: "\n").first(where: { $0.hasPrefix("gitdir:") }) else { return nil }
        var gitDir = line.dropFirst("gitdir:".count).trimmingCharacters(in: .whitespaces)
        if !gitDir.hasPrefix("/") { gitDir = root + "/" + gitDir }
        let commonDir = (try? String(contentsOfFile: gitDir + "/commondir", encoding: .utf8))?
            .trimmingWhitespace
        if let commonDir { return (commonDir.hasPrefix("/") ? commonDir : gitDir + "/" + commonDir) + "/config" }
        return gitDir + "/config"
    }
}

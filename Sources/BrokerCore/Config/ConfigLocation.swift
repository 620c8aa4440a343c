import Foundation

/// Which config file a command uses, and how it was found. Only a file found in the working
/// directory (or above it, up to the repository root) can be a stranger's: a cloned
/// repository's `broker.json` must not run its plugins with the user's token unasked.
public struct ConfigLocation: Sendable, Equatable {
    public enum Origin: String, Sendable {
        /// `--config`: the user named it, which is trust.
        case flag
        /// `$BROKER_CONFIG`: set by the user, likewise.
        case environment
        /// `broker.json` in the working directory or a parent up to the repository root.
        case workingDirectory
        /// `$BROKER_HOME/config.json`: the user's own.
        case brokerHome
    }

    public var path: String
    public var origin: Origin

    /// `--config`, then `$BROKER_CONFIG`, then `broker.json` from the working directory up to
    /// the repository root (the directory holding `.git`; outside a repository, the working
    /// directory only), then `$BROKER_HOME/config.json`.
    public static func find(explicit: String?, environment: [String: String], workingDirectory: String) -> ConfigLocation? {
        if let explicit { return ConfigLocation(path: explicit, origin: .flag) }
        if let path = environment["BROKER_CONFIG"], !path.isEmpty { return ConfigLocation(path: path, origin: .environment) }
        for directory in searchedDirectories(from: workingDirectory) {
            let candidate = (directory == "/" ? "" : directory) + "/broker.json"
            if FileManager.default.fileExists(atPath: candidate) { return ConfigLocation(path: candidate, origin: .workingDirectory) }
        }
        let home = BrokerHome(environment: environment).file("config.json")
        return FileManager.default.fileExists(atPath: home) ? ConfigLocation(path: home, origin: .brokerHome) : nil
    }

    /// The working directory and its parents up to the repository root.
    static func searchedDirectories(from start: String) -> [String] {
        let start = LexicalPath.standardized(start)
        guard let root = GitWorkTree.root(of: start) else { return [start] }
        var directories = [start]
        while let last = directories.last, last != root, last != "/" {
            directories.append(LexicalPath.parent(last))
        }
        return directories
    }

    /// How the file was found, for the line every login prints.
    public var description: String {
        switch origin {
        case .flag: "\(path) (--config)"
        case .environment: "\(path) ($BROKER_CONFIG)"
        case .workingDirectory: "\(path) (found from the working directory)"
        case .brokerHome: "\(path) ($BROKER_HOME)"
        }
    }
}

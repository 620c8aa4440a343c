import Foundation

/// `broker config trust`: a working-directory config that runs commands or sends tokens to
/// endpoints of its own is used only once the user has trusted it, the way direnv needs
/// `direnv allow`. Trust is recorded by path and content hash in `$BROKER_HOME`, so any change
/// to the file needs trusting again.
public struct ConfigTrust: Sendable {
    public let home: BrokerHome

    public init(home: BrokerHome) { self.home = home }

    var file: String { home.file("trusted-configs.json") }

    public func isTrusted(path: String, contents: Data) -> Bool {
        trusted()[Self.key(path)] == sha256Hex(contents)
    }

    public func trust(path: String, contents: Data) throws {
        let hash = sha256Hex(contents)
        try store.update { entries in
            entries[Self.key(path)] = hash
            return true
        }
    }

    /// Unreadable reads as nothing trusted (a config is then refused, never run unasked).
    private func trusted() -> [String: String] { (try? store.read()) ?? [:] }

    private var store: JSONFileStore<[String: String]> {
        let file = file
        return JSONFileStore(path: file, empty: { [:] }) { reason in
            BrokerError.failure("the trusted-config list \(file) is corrupt: \(reason)", hint: "remove it, then trust the configs you use again")
        }
    }

    static func key(_ path: String) -> String {
        let absolute = path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path
        return (absolute as NSString).standardizingPath
    }

    /// A CI job building the repository runs the repository's code anyway: its own config is
    /// trusted when it lies inside the job's checkout.
    public static func isInsideCIWorkspace(_ path: String, environment: [String: String]) -> Bool {
        let workspaces: [(flag: String, directory: String)] = [
            ("GITHUB_ACTIONS", "GITHUB_WORKSPACE"), ("GITLAB_CI", "CI_PROJECT_DIR"), ("BUILDKITE", "BUILDKITE_BUILD_CHECKOUT_PATH"),
        ]
        let file = key(path)
        return workspaces.contains { flag, directory in
            guard environment[flag]?.lowercased() == "true", let root = environment[directory], !root.isEmpty else { return false }
            let base = (root as NSString).standardizingPath
            return file.hasPrefix(base.hasSuffix("/") ? base : base + "/")
        }
    }
}

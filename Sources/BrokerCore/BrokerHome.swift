import Foundation

/// broker's own state directory: `$BROKER_HOME`, else `~/.config/broker`, created 0700.
public struct BrokerHome: Sendable {
    public let path: String

    public init(environment: [String: String]) {
        if let explicit = environment["BROKER_HOME"], !explicit.isEmpty {
            path = explicit
        } else {
            let home = environment["HOME"] ?? NSHomeDirectory()
            path = home + "/.config/broker"
        }
    }

    public init(path: String) { self.path = path }

    public func file(_ name: String) -> String { path + "/" + name }

    /// Creates the directory (0700) on first use.
    public func prepare() throws -> BrokerHome {
        try SecureFile.ensureDirectory(path, mode: 0o700)
        return self
    }
}

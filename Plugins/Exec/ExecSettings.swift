import BrokerCore
import Foundation

/// The decoded settings of one `exec` entry: which program to run and what to hand it.
public struct ExecSettings: Sendable, Equatable {
    /// The provider entry's name, sent to the plugin as `provider`.
    public var name: String
    public var audience: String
    /// argv of the plugin, run directly (no shell).
    public var command: [String]
    public var timeout: TimeInterval = 30
    /// Extra environment variables for the plugin, laid over broker's environment.
    public var environment: [String: String] = [:]
    /// Passed through to the plugin untouched, as the request's `settings`.
    public var pluginSettings: [String: JSONValue] = [:]

    public init(name: String, audience: String, command: [String]) {
        self.name = name
        self.audience = audience
        self.command = command
    }

    /// Settings from a config entry. The core already checked the types; this checks the values.
    public init(block: SettingsBlock, name: String, audience: String) throws {
        self.init(name: name, audience: audience, command: block.strings("command") ?? [])
        guard let program = command.first, !program.isEmpty else {
            throw block.error("command", "needs at least the program to run",
                              hint: "an argv array such as [\"/usr/local/bin/my-plugin\", \"--flag\"]; no shell is involved")
        }
        if let timeout = try block.duration(ExecAdapter.keys[named: "timeout"]) { self.timeout = timeout }
        environment = block.stringMap("env") ?? [:]
        for variable in environment.keys.sorted() where !EnvironmentName.isValid(variable) {
            throw block.error("env", "'\(variable)' is not an environment variable name",
                              hint: "use letters, digits and '_', not starting with a digit")
        }
        pluginSettings = block.values["settings"]?.objectValue ?? [:]
    }
}

/// Names that are safe in `export NAME=...` and `$GITHUB_ENV` lines.
enum EnvironmentName {
    static func isValid(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first, !("0"..."9").contains(first) else { return false }
        return name.unicodeScalars.allSatisfy { $0.isASCII && ($0 == "_" || CharacterSet.alphanumerics.contains($0)) }
    }
}

import BrokerCore
import Foundation

/// Registers `exec` with the core: any executable as a provider, speaking the JSON protocol of
/// docs/plugin-protocol.md over stdin and stdout.
public enum ExecAdapter {
    public static let keys: [SettingKey] = [
        SettingKey("command", .stringArray, required: true, help: "the plugin's argv, run without a shell, e.g. [\"/usr/local/bin/my-plugin\"]"),
        SettingKey("timeout", .duration, range: 1 ... 3600, help: "how long the plugin may take before it is killed, 1s to 1h (default 30s)"),
        SettingKey("env", .stringMap, help: "extra environment variables for the plugin"),
        SettingKey("settings", .object, help: "passed through to the plugin as the request's \"settings\""),
    ]

    /// Record detail listing files the plugin merged into (`"logout": "keep"`), one per line.
    static let keptFilesDetail = "keptFiles"

    /// What logout needs again: the files the plugin merged into, which stay.
    struct ExecLoginRecord: Codable, Sendable { var keptFiles: [String] }

    public static let descriptor = AdapterDescriptor(
        adapter: "exec",
        summary: "any executable as a provider: JSON request on stdin, credentials and files back on stdout",
        defaultAudience: nil,
        keys: keys,
        // What a plugin writes is only known from its answer, so there is nothing to compare up front.
        target: { _, _ in nil },
        make: { entry, context in
            ExecPluginProvider(settings: try ExecSettings(block: entry.settings, name: entry.name, audience: entry.audience),
                               context: context)
        },
        logout: { record, context in try logout(record, context: context) },
        trustConcerns: { entry, _ in ["runs " + (entry.settings.strings("command") ?? []).joined(separator: " ") + " with the token"] })

    /// Parses a plugin's answer as a login would (for fuzzing the parser from outside the module).
    public static func checkAnswer(_ stdout: Data, home: String) throws {
        _ = try ExecResponse(parsing: stdout, home: home)
    }

    /// Removes the files the login recorded (and their lock files); files the plugin merged
    /// into are left alone and named, so the user knows where the credential still is.
    static func logout(_ record: StateStore.Record, context: ProviderContext) throws -> [String] {
        var done = try record.undoFiles()
        let kept = record.adapterRecord(ExecLoginRecord.self)?.keptFiles
            ?? record.details?[keptFilesDetail]?.split(separator: "\n").map(String.init) ?? []
        for path in kept {
            try? FileManager.default.removeItem(atPath: path + ".lock")
            done.append("left \(path) in place (the plugin merged into it; remove its entry with the tool that owns the file)")
        }
        return done
    }
}

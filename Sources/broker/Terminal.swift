import Foundation

/// Human messages go to stderr, machine output to stdout.
enum Terminal {
    /// In GitHub Actions an error is also an `::error` annotation, shown on the run's summary.
    static func error(_ message: String) {
        FileHandle.standardError.write(Data(("broker: " + message + "\n").utf8))
        if ProcessInfo.processInfo.environment["GITHUB_ACTIONS"] == "true" {
            FileHandle.standardError.write(Data(("::error title=broker::" + escapeWorkflowData(message) + "\n").utf8))
        }
    }

    /// The runner's escaping for a workflow command's message (a multi-line message stays one command).
    static func escapeWorkflowData(_ text: String) -> String {
        text.replacingOccurrences(of: "%", with: "%25").replacingOccurrences(of: "\r", with: "%0D").replacingOccurrences(of: "\n", with: "%0A")
    }

    static func note(_ message: String) {
        FileHandle.standardError.write(Data((message + "\n").utf8))
    }

    static func warn(_ message: String) {
        FileHandle.standardError.write(Data(("broker: warning: " + message + "\n").utf8))
    }

    static func output(_ text: String) {
        FileHandle.standardOutput.write(Data((text.hasSuffix("\n") ? text : text + "\n").utf8))
    }
}

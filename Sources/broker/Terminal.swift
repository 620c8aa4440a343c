import Foundation

/// Human messages go to stderr, machine output to stdout (the command context's).
enum Terminal {
    /// In GitHub Actions an error is also an `::error` annotation, shown on the run's summary.
    static func error(_ message: String) {
        stderr("broker: " + message + "\n")
        if CommandContext.current.environment["GITHUB_ACTIONS"] == "true" {
            stderr("::error title=broker::" + escapeWorkflowData(message) + "\n")
        }
    }

    /// The runner's escaping for a workflow command's message (a multi-line message stays one command).
    static func escapeWorkflowData(_ text: String) -> String {
        text.replacingOccurrences(of: "%", with: "%25").replacingOccurrences(of: "\r", with: "%0D").replacingOccurrences(of: "\n", with: "%0A")
    }

    static func note(_ message: String) {
        stderr(message + "\n")
    }

    static func warn(_ message: String) {
        stderr("broker: warning: " + message + "\n")
    }

    static func output(_ text: String) {
        CommandContext.current.output.standardOutput(text.hasSuffix("\n") ? text : text + "\n")
    }

    private static func stderr(_ text: String) { CommandContext.current.output.standardError(text) }
}

import Foundation

/// Human messages go to stderr, machine output to stdout.
enum Terminal {
    static func error(_ message: String) {
        FileHandle.standardError.write(Data(("broker: " + message + "\n").utf8))
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

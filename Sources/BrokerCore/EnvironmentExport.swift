import Foundation

/// Credentials handed to the environment: `export` lines for `eval`, or GitHub Actions'
/// `$GITHUB_ENV` file with `::add-mask::` for every secret printed first.
public struct EnvironmentExport: Sendable {
    public struct Variable: Sendable {
        public var name: String
        public var value: String
        public var isSecret: Bool
        public init(_ name: String, _ value: String, secret: Bool = false) {
            self.name = name
            self.value = value
            isSecret = secret
        }
    }

    public var variables: [Variable]
    public init(_ variables: [Variable]) { self.variables = variables }

    /// `export NAME='value'` lines for `eval "$(broker ... --output env)"`.
    public var shellExports: String {
        variables.map { "export \($0.name)=\(ShellWords.quote($0.value))" }.joined(separator: "\n") + "\n"
    }

    /// Checks `$GITHUB_ENV` before anything is written, so a login never writes a profile and
    /// then fails to export it.
    public static func checkGitHubEnv(environment: [String: String]) throws {
        let path = try gitHubEnvPath(environment)
        if FileManager.default.fileExists(atPath: path) {
            guard FileManager.default.isWritableFile(atPath: path) else {
                throw BrokerError.usage("$GITHUB_ENV (\(path)) is not writable", hint: "run inside a GitHub Actions step, or use --output env")
            }
        } else {
            let directory = (path as NSString).deletingLastPathComponent
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: directory.isEmpty ? "." : directory, isDirectory: &isDirectory), isDirectory.boolValue else {
                throw BrokerError.usage("$GITHUB_ENV names \(path), whose directory does not exist",
                                        hint: "run inside a GitHub Actions step (the runner creates it), or use --output env")
            }
        }
    }

    static func gitHubEnvPath(_ environment: [String: String]) throws -> String {
        guard let path = environment["GITHUB_ENV"], !path.isEmpty else {
            throw BrokerError.usage("--output github needs $GITHUB_ENV (set by GitHub Actions)",
                                    hint: "run inside a GitHub Actions step, or use --output env")
        }
        return path
    }

    /// Appends to `$GITHUB_ENV` and returns the mask commands to print on stdout before anything else.
    public func appendToGitHubEnv(environment: [String: String]) throws -> String {
        let path = try Self.gitHubEnvPath(environment)
        var lines = ""
        for variable in variables {
            guard !variable.value.contains("\n") else {
                throw BrokerError.failure("\(variable.name) contains a newline and cannot go into $GITHUB_ENV safely")
            }
            lines += "\(variable.name)=\(variable.value)\n"
        }
        try Self.append(lines, to: path, named: "$GITHUB_ENV")
        return variables.filter(\.isSecret).map { "::add-mask::\($0.value)\n" }.joined()
    }

    /// Appends to one of the files GitHub Actions hands a step (`$GITHUB_ENV`, `$GITHUB_OUTPUT`).
    static func append(_ lines: String, to path: String, named name: String) throws {
        if !FileManager.default.fileExists(atPath: path) { FileManager.default.createFile(atPath: path, contents: nil) }
        guard let handle = FileHandle(forWritingAtPath: path) else {
            throw BrokerError.failure("cannot open \(name) (\(path)) for appending")
        }
        defer { try? handle.close() }
        try handle.seekToEnd()
        try handle.write(contentsOf: Data(lines.utf8))
    }
}

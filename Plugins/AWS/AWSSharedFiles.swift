import BrokerCore
import Foundation

/// The AWS shared credentials and config files, found and edited the way botocore reads them.
/// Each write touches one profile's section and leaves the rest of the file byte for byte.
public struct AWSSharedFiles: Sendable, Equatable {
    public var credentialsPath: String
    public var configPath: String

    /// Keys that make the credentials file hand out static keys for a profile. botocore
    /// prefers these over `credential_process`, and reads the legacy `aws_security_token`
    /// before `aws_session_token`, so all of them belong to us when we write or clear a profile.
    public static let staticCredentialKeys = [
        "aws_access_key_id", "aws_secret_access_key", "aws_session_token",
        "aws_security_token", "x_security_token_expires",
    ]

    public init(credentialsPath: String, configPath: String) {
        self.credentialsPath = credentialsPath
        self.configPath = configPath
    }

    /// `AWS_SHARED_CREDENTIALS_FILE` / `AWS_CONFIG_FILE`, else `~/.aws/credentials` / `~/.aws/config`.
    /// An empty variable counts as unset. Like botocore, `$VAR` and `~` in the value are expanded;
    /// `~` is `home`, else the environment's `HOME`.
    public init(environment: [String: String], home: String? = nil) {
        let home = home ?? environment["HOME"] ?? NSHomeDirectory()
        func resolve(_ variable: String, _ fallback: String) -> String {
            let chosen = environment[variable].flatMap { $0.isEmpty ? nil : $0 } ?? fallback
            return Self.expandUser(Self.expandVariables(chosen, environment: environment), home: home)
        }
        self.init(credentialsPath: resolve("AWS_SHARED_CREDENTIALS_FILE", "~/.aws/credentials"),
                  configPath: resolve("AWS_CONFIG_FILE", "~/.aws/config"))
    }

    public func readCredentials() throws -> AWSINIFile {
        try AWSINIFile(contents: SecureFile.read(credentialsPath), path: credentialsPath)
    }

    public func readConfig() throws -> AWSINIFile {
        try AWSINIFile(contents: SecureFile.read(configPath), path: configPath)
    }

    /// Writes `[profile]` in the credentials file with the key, secret, session token and expiry
    /// together, and `region` in the config profile when one is given. `removingConfigKeys`
    /// clears config keys botocore would prefer over static keys (e.g. `web_identity_token_file`).
    public func writeStaticProfile(
        _ profile: String, credentials: AWSSessionCredentials, region: String? = nil,
        removingConfigKeys: [String] = []
    ) throws {
        try Self.validate(profile: profile)
        let touchConfig = region != nil || !removingConfigKeys.isEmpty
        // Parse both files before writing either, so a broken file means nothing is written.
        _ = try readCredentials()
        if touchConfig { _ = try readConfig() }

        try SecureFile.update(credentialsPath) { data in
            var file = try AWSINIFile(contents: data, path: credentialsPath)
            try file.set(section: profile, values: [
                ("aws_access_key_id", credentials.accessKeyId),
                ("aws_secret_access_key", credentials.secretAccessKey.reveal),
                ("aws_session_token", credentials.sessionToken.reveal),
                ("x_security_token_expires", AWSSessionCredentials.iso8601(credentials.expiration)),
            ])
            file.remove(section: profile, keys: ["aws_security_token"])
            return file.data
        }
        guard touchConfig else { return }
        try updateConfig(profile) { file, section in
            if let region { try file.set(section: section, values: [("region", region)]) }
            file.remove(section: section, keys: removingConfigKeys)
        }
    }

    /// Sets keys in the config profile (`credential_process`, or `role_arn` +
    /// `web_identity_token_file`, ...) and removes that profile's static keys from the credentials
    /// file, which botocore would otherwise use first. A credentials section left with nothing
    /// in it is removed.
    public func writeConfigProfile(
        _ profile: String, settings: [(key: String, value: String)], removingConfigKeys: [String] = []
    ) throws {
        try Self.validate(profile: profile)
        _ = try readConfig()
        _ = try readCredentials()

        try updateConfig(profile) { file, section in
            try file.set(section: section, values: settings)
            file.remove(section: section, keys: removingConfigKeys)
        }
        try removeStaticCredentials(profile)
    }

    /// Removes the profile's static keys from the credentials file (its section too, once bare).
    /// A missing file is left missing.
    public func removeStaticCredentials(_ profile: String) throws {
        try Self.validate(profile: profile)
        // Checked first so that not even the file's directory gets created.
        guard FileManager.default.fileExists(atPath: SecureFile.resolvedTarget(credentialsPath)) else { return }
        try SecureFile.update(credentialsPath) { data in
            guard data != nil else { return nil }
            var file = try AWSINIFile(contents: data, path: credentialsPath)
            guard file.hasSection(profile) else { return nil }
            file.remove(section: profile, keys: Self.staticCredentialKeys)
            if file.isBare(section: profile) { file.removeSection(profile) }
            return file.data
        }
    }

    /// Edits the config section botocore reads for the profile, creating `[profile NAME]`
    /// (or `[default]`) when there is none.
    private func updateConfig(_ profile: String, _ edit: (inout AWSINIFile, String) throws -> Void) throws {
        try SecureFile.update(configPath) { data in
            var file = try AWSINIFile(contents: data, path: configPath)
            let section = file.configSection(profile: profile) ?? AWSINIFile.configSectionName(profile: profile)
            try edit(&file, section)
            // Nothing to change: do not create an empty config file.
            return file.data == (data ?? Data()) ? nil : file.data
        }
    }

    /// A profile name must survive as both `[NAME]` and `[profile NAME]`: botocore splits the
    /// latter shell-style, and configparser treats `[DEFAULT]` as defaults for every section.
    public static func validate(profile: String) throws {
        let forbidden = profile.unicodeScalars.contains {
            AWSINIFile.isSpace($0) || $0.properties.generalCategory == .control || "[]\"'\\".unicodeScalars.contains($0)
        }
        if profile.isEmpty || forbidden || profile == "DEFAULT" {
            throw BrokerError.usage("AWS profile name '\(profile)' cannot be written to the shared files",
                                    hint: "use letters, digits and -_.@+=,/: without spaces, brackets or quotes; 'DEFAULT' is reserved")
        }
    }

    /// Python's `os.path.expandvars`: `$NAME` and `${NAME}` that are set get replaced, others stay.
    static func expandVariables(_ path: String, environment: [String: String]) -> String {
        var result = ""
        var rest = Substring(path)
        while let dollar = rest.firstIndex(of: "$") {
            result += rest[..<dollar]
            let after = rest[rest.index(after: dollar)...]
            let name: Substring
            let end: Substring.Index
            if after.first == "{", let close = after.firstIndex(of: "}") {
                name = after[after.index(after: after.startIndex) ..< close]
                end = after.index(after: close)
            } else {
                name = after.prefix { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") }
                end = name.endIndex
            }
            if !name.isEmpty, let value = environment[String(name)] {
                result += value
            } else {
                result += rest[dollar ..< end]
            }
            rest = rest[end...]
        }
        return result + rest
    }

    /// Python's `os.path.expanduser` for `~` and `~/...`; `~user` is left alone.
    static func expandUser(_ path: String, home: String) -> String {
        guard path == "~" || path.hasPrefix("~/") else { return path }
        var base = home
        while base.hasSuffix("/") { base.removeLast() }
        let expanded = base + path.dropFirst()
        return expanded.isEmpty ? "/" : expanded
    }
}

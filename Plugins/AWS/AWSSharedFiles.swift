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

    /// What one login changes in one file's profile section.
    public struct ProfileEdit: Sendable {
        public var set: [(key: String, value: String)]
        public var remove: [String]
        /// Also clear a web identity setup (`web_identity_token_file` with its `role_arn` and
        /// `role_session_name`) when the section has one; a `role_arn` alone (a `source_profile`
        /// chain) is the user's and stays.
        public var removeWebIdentity: Bool
        /// Access keys broker did not write may be replaced or removed (`--overwrite`).
        public var overwrite: Bool

        public init(set: [(key: String, value: String)] = [], remove: [String] = [], removeWebIdentity: Bool = false,
                    overwrite: Bool = false) {
            self.set = set
            self.remove = remove
            self.removeWebIdentity = removeWebIdentity
            self.overwrite = overwrite
        }

        var isEmpty: Bool { self.set.isEmpty && remove.isEmpty && !removeWebIdentity }
        /// An edit that only removes keys never creates a file, a directory or a section.
        var onlyRemoves: Bool { self.set.isEmpty }
    }

    /// Edits the profile in both files as one step: both are locked and parsed (once) before
    /// either is written, so a broken file means nothing changes; every change is recorded in
    /// `journal` (with what it replaced) before it is written. Returns what was changed.
    @discardableResult
    public func apply(profile: String, credentials: ProfileEdit, config: ProfileEdit, journal: LoginJournal) throws -> [WrittenTarget] {
        try Self.validate(profile: profile)
        var plan: [(path: String, edit: ProfileEdit, isConfig: Bool)] = []
        for (path, edit, isConfig) in [(credentialsPath, credentials, false), (configPath, config, true)] where !edit.isEmpty {
            // Checked first so that a removal does not even create the file's directory.
            if edit.onlyRemoves, !FileManager.default.fileExists(atPath: try SecureFile.resolvedTarget(path)) { continue }
            plan.append((path, edit, isConfig))
        }
        var written: [WrittenTarget] = []
        try SecureFile.editAllBytes(plan.map(\.path)) { contents in
            var files: [AWSINIFile] = []
            for (index, step) in plan.enumerated() { files.append(try AWSINIFile(fileBytes: contents[index], path: step.path)) }
            var changes: [SecureFile.Change] = []
            var recorded: [StateStore.Change] = []
            for (index, step) in plan.enumerated() {
                var file = files[index]
                let section = step.isConfig
                    ? file.configSection(profile: profile) ?? AWSINIFile.configSectionName(profile: profile)
                    : profile
                let change = try Self.edit(&file, section: section, step.edit, createdFile: contents[index] == nil,
                                           journal: journal)
                guard let change, !file.isUnchanged(from: contents[index]) else { changes.append(.keep); continue }
                recorded.append(change)
                changes.append(.stream { [file] emit in try file.emitPieces(emit) })
            }
            // Both files' changes in one write of the state file, before either file is written.
            written = try journal.willChange(recorded)
            return changes
        }
        return written
    }

    /// Applies one edit to one section and describes it for the journal (nil: nothing to do).
    static func edit(_ file: inout AWSINIFile, section: String, _ edit: ProfileEdit, createdFile: Bool,
                     journal: LoginJournal) throws -> StateStore.Change? {
        let existed = file.hasSection(section)
        guard existed || !edit.onlyRemoves else { return nil }
        try checkNotReplacingUserKeys(file, section: section, edit, journal: journal)
        var keys: [KeyChange] = []
        var observed: [String: String?] = [:]
        for (key, value) in edit.set {
            let earlier = file.keyLines(section: section, key: key)
            keys.append(KeyChange(key: key.lowercased(), before: earlier?.text, anchor: earlier?.anchor, gap: earlier?.gap,
                                  after: KeyChange.fingerprint(value)))
            observed[key.lowercased()] = KeyChange.fingerprint(earlier?.value)
        }
        try file.set(section: section, values: edit.set)
        var removals = edit.remove
        if edit.removeWebIdentity, file.value(section: section, key: "web_identity_token_file") != nil {
            removals += ["web_identity_token_file", "role_arn", "role_session_name"]
        }
        for key in removals {
            guard let earlier = file.keyLines(section: section, key: key) else { continue }
            keys.append(KeyChange(key: key.lowercased(), before: earlier.text, anchor: earlier.anchor, gap: earlier.gap, after: nil))
            observed[key.lowercased()] = KeyChange.fingerprint(earlier.value)
            file.remove(section: section, keys: [key])
        }
        // A section broker created and has now emptied goes too; a user's stays, header and all.
        if existed, edit.onlyRemoves, file.isBare(section: section), journal.brokerCreated(section: section, in: file.path) {
            file.removeSection(section)
        }
        let target = WrittenTarget(kind: .section, path: file.path, section: section, createdFile: createdFile ? true : nil,
                                   createdSection: existed ? nil : true, keys: keys)
        return StateStore.Change(target: target, observedKeys: observed)
    }

    /// An access key in the profile that no broker login left there is the user's (long-lived
    /// `AKIA…` keys, or another tool's session): replacing or removing it needs `--overwrite`,
    /// as configure-aws-credentials needs `overwrite-aws-profile`.
    static func checkNotReplacingUserKeys(_ file: AWSINIFile, section: String, _ edit: ProfileEdit, journal: LoginJournal) throws {
        let key = "aws_access_key_id"
        guard !edit.overwrite, edit.set.contains(where: { $0.key == key }) || edit.remove.contains(key),
              let value = file.value(section: section, key: key), !value.isEmpty,
              !journal.brokerLeft(key: key, value: value, section: section, in: file.path) else { return }
        let kind = value.hasPrefix("AKIA") ? "long-lived access keys" : "access keys"
        throw BrokerError.usage(
            "[\(section)] in \(file.path) holds \(kind) (aws_access_key_id \(value.prefix(4))…) that broker did not write",
            hint: "pass --overwrite (config \"overwrite\": true) to replace them (logout puts them back), or log in to another --profile")
    }

    /// Static keys (key, secret, session token, expiry) in the credentials file, and `region`
    /// in the config profile when one is given. `removingConfigKeys` clears config keys
    /// botocore would prefer over static keys (e.g. `credential_process`).
    @discardableResult
    public func writeStaticProfile(
        _ profile: String, credentials: AWSSessionCredentials, region: String? = nil,
        removingConfigKeys: [String] = [], removeWebIdentity: Bool = false, overwrite: Bool = false,
        journal: LoginJournal = .unrecorded()
    ) throws -> [WrittenTarget] {
        try apply(profile: profile, credentials: ProfileEdit(set: [
            ("aws_access_key_id", credentials.accessKeyId),
            ("aws_secret_access_key", credentials.secretAccessKey.reveal),
            ("aws_session_token", credentials.sessionToken.reveal),
            ("x_security_token_expires", AWSSessionCredentials.iso8601(credentials.expiration)),
        ], remove: ["aws_security_token"], overwrite: overwrite),
        config: ProfileEdit(set: region.map { [("region", $0)] } ?? [], remove: removingConfigKeys, removeWebIdentity: removeWebIdentity,
                            overwrite: overwrite),
        journal: journal)
    }

    /// Sets keys in the config profile (`credential_process`, or `role_arn` +
    /// `web_identity_token_file`, ...) and removes that profile's static keys from the credentials
    /// file, which botocore would otherwise use first.
    @discardableResult
    public func writeConfigProfile(
        _ profile: String, settings: [(key: String, value: String)], removingConfigKeys: [String] = [],
        removeWebIdentity: Bool = false, overwrite: Bool = false, journal: LoginJournal = .unrecorded()
    ) throws -> [WrittenTarget] {
        try apply(profile: profile, credentials: ProfileEdit(remove: Self.staticCredentialKeys, overwrite: overwrite),
                  config: ProfileEdit(set: settings, remove: removingConfigKeys, removeWebIdentity: removeWebIdentity,
                                      overwrite: overwrite),
                  journal: journal)
    }

    /// botocore expands `~` with `HOME` even when it is empty (`/.aws/credentials`), where
    /// broker would fall back to the passwd home: refuse rather than write where the CLI won't look.
    public static func checkHome(_ environment: [String: String]) throws {
        guard environment["HOME"] == "" else { return }
        for (variable, fallback) in [("AWS_SHARED_CREDENTIALS_FILE", "~/.aws/credentials"), ("AWS_CONFIG_FILE", "~/.aws/config")] {
            let chosen = environment[variable].flatMap { $0.isEmpty ? nil : $0 } ?? fallback
            if chosen == "~" || chosen.hasPrefix("~/") {
                throw BrokerError.usage("HOME is set but empty, so the AWS CLI would look for \(chosen.dropFirst()) instead of your home directory",
                                        hint: "set HOME to your home directory, or set \(variable) to an absolute path")
            }
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
    static func expandUser(_ path: String, home: String) -> String { HomePath.expand(path, home: home) }
}

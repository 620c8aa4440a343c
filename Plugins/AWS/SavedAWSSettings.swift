import BrokerCore
import Foundation

/// The settings a `credential_process` line names with `--settings NAME`, saved by the login
/// that wrote the line to `$BROKER_HOME/aws/settings/NAME.json` (0600; logout removes it). The
/// line stays short and the settings are written once, as config keys, not re-spelled as flags.
public struct SavedAWSSettings: Sendable {
    public static let directory = "aws/settings"

    struct Record: Codable {
        var version = 1
        var audience: String
        var settings: [String: JSONValue]
    }

    public let name: String
    public let path: String

    public init(home: BrokerHome, name: String) {
        self.name = name
        path = home.file("\(Self.directory)/\(RoleSessionName.sanitize(name)).json")
    }

    public func save(_ settings: AWSSettings, journal: LoginJournal) throws -> WrittenTarget {
        let record = Record(audience: settings.audience, settings: settings.configValues)
        try journal.writeFile(path, contents: try JSONOutput.encode(record), brokerOwned: true)
        return WrittenTarget(kind: .file, path: path)
    }

    /// The saved settings as a config entry, for flags to be laid over. Errors name the file
    /// and what to run so it exists again.
    public func entry() throws -> ProviderEntry {
        let rerun = "run 'broker login aws --mode credential-process' for this profile again"
        // The name is the profile the line was written for: an empty or malformed one is a typo.
        guard name.count <= 200 else {
            throw BrokerError.usage("--settings: the name has \(name.count) characters", hint: "at most 200: the profile the line was written for")
        }
        do { try AWSSharedFiles.validate(profile: name) } catch let error as BrokerError {
            throw BrokerError.usage("--settings: \(error.message)", hint: "name the profile the credential_process line was written for")
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw BrokerError.usage("--settings \(name): no saved settings at \(path)", hint: rerun)
        }
        guard case .object(let fields)? = try? StrictJSON.parse(data), fields["version"] == .number(1),
              let audience = fields["audience"]?.stringValue, !audience.isEmpty,
              let settings = fields["settings"]?.objectValue else {
            throw BrokerError.usage("\(path): not a settings record of this broker version", hint: rerun)
        }
        let block = SettingsBlock(settings, path: "settings", file: path)
        try block.check(against: AWSAdapter.keys)
        return ProviderEntry(name: name, adapter: AWSAdapter.descriptor.adapter, audience: audience, settings: block)
    }
}

extension AWSSettings {
    /// What determines the credentials, as config keys (the policy by its absolute path).
    var configValues: [String: JSONValue] {
        var values: [String: JSONValue] = ["roleArn": .string(roleArn), "durationSeconds": .number(Double(durationSeconds)),
                                           "maxAttempts": .number(Double(maxAttempts)), "timeout": .number(timeout)]
        if let roleSessionName { values["roleSessionName"] = .string(roleSessionName) }
        if let region { values["region"] = .string(region) }
        if let stsEndpoint { values["stsEndpoint"] = .string(stsEndpoint) }
        if let policyFile {
            values["policy"] = .string(policyFile.hasPrefix("/") ? policyFile : FileManager.default.currentDirectoryPath + "/" + policyFile)
        }
        if !policyArns.isEmpty { values["policyArn"] = .array(policyArns.map(JSONValue.string)) }
        return values
    }
}

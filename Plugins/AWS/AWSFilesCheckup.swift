import BrokerCore
import Foundation

/// What `broker doctor` checks of the AWS shared files: writable where they are, the
/// credentials file private, and no static keys (in the file or the environment) shadowing a
/// profile's `credential_process`, which botocore would never run then.
public enum AWSFilesCheckup {
    public static func checks(environment: [String: String], home: String) -> [HealthCheck] {
        let files = AWSSharedFiles(environment: environment, home: home)
        var checks: [HealthCheck] = []
        for (label, path) in [("AWS credentials file", files.credentialsPath), ("AWS config file", files.configPath)] {
            checks.append(placement(label, path: path, secret: label.contains("credentials")))
        }
        let credentials = try? files.readCredentials()
        guard let config = try? files.readConfig() else { return checks }
        for section in config.sections where config.value(section: section, key: "credential_process") != nil {
            // The config file names `[profile NAME]` (and `[default]`); the credentials file `[NAME]`.
            let profile = section.hasPrefix("profile ") ? String(section.dropFirst("profile ".count)) : section
            let shadowing = AWSSharedFiles.staticCredentialKeys.filter { credentials?.value(section: profile, key: $0) != nil }
            if shadowing.contains("aws_access_key_id") {
                checks.append(HealthCheck("profile \(profile)", .fail,
                                          "static keys in [\(profile)] of \(files.credentialsPath) shadow its credential_process (the SDKs use the keys first)",
                                          advice: "remove aws_access_key_id and aws_secret_access_key from [\(profile)] in \(files.credentialsPath)"))
            } else {
                checks.append(HealthCheck("profile \(profile)", .ok, "credential_process with no static keys shadowing it"))
            }
        }
        if environment["AWS_ACCESS_KEY_ID"].map({ !$0.isEmpty }) == true {
            checks.append(HealthCheck("AWS_ACCESS_KEY_ID", .warn, "set in the environment: the SDKs use it before any profile",
                                      advice: "unset AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and AWS_SESSION_TOKEN to use broker's profiles"))
        }
        return checks
    }

    /// A file of secrets: its directory writable (or creatable), the file itself not readable by others.
    static func placement(_ label: String, path: String, secret: Bool) -> HealthCheck {
        var info = stat()
        guard stat(path, &info) == 0 else {
            do {
                try SecureFile.checkTarget(path)
                return HealthCheck(label, .ok, "\(path) does not exist yet; it can be created")
            } catch {
                return HealthCheck(label, .fail, "\(path) cannot be written: \(error)", advice: "fix the directory's permissions or point the AWS variable elsewhere")
            }
        }
        if secret, info.st_mode & 0o077 != 0 {
            return HealthCheck(label, .fail, "\(path) is mode \(String(info.st_mode & 0o777, radix: 8)): others can read its keys",
                               advice: "chmod 600 \(path)")
        }
        do {
            try SecureFile.checkTarget(path)
        } catch {
            return HealthCheck(label, .fail, "\(path) cannot be written: \(error)", advice: "make it writable by you (broker writes it atomically)")
        }
        return HealthCheck(label, .ok, "\(path), mode \(String(info.st_mode & 0o777, radix: 8))")
    }
}

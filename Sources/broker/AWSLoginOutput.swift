import AWSProvider
import BrokerCore
import Foundation

/// Prints what a login produced in the format asked for, plus the one-line summary on stderr.
struct AWSLoginOutput {
    let result: LoginResult
    let settings: AWSSettings

    func emit(_ format: String, environment: [String: String]) throws {
        let credentials = result.credentials
        switch format {
        case "env":
            Terminal.output(exports().shellExports)
        case "github":
            Terminal.output(try exports().appendToGitHubEnv(environment: environment))
        case "json":
            Terminal.output(try JSONOutput.string(report()))
        default:
            break
        }
        result.warnings.forEach(Terminal.warn)
        Terminal.note("aws: profile '\(settings.profile)' (\(settings.mode.rawValue)) is \(credentials.identity)\(Self.expiry(credentials.expiration))")
    }

    func exports() -> EnvironmentExport { EnvironmentExport(result.credentials.environment) }

    struct Report: Encodable {
        var provider = "aws"
        var profile: String
        var mode: String
        var assumedRoleArn: String
        var expiration: Date?
        var region: String?
        var credentials: [String: String]
        var files: [WrittenTarget.Place]
    }

    func report() -> Report {
        Report(profile: settings.profile, mode: settings.mode.rawValue, assumedRoleArn: result.credentials.identity,
               expiration: result.credentials.expiration, region: settings.region,
               credentials: result.credentials.secrets.mapValues(\.reveal), files: result.written.map(\.place))
    }

    static func expiry(_ date: Date?) -> String {
        guard let date else { return "" }
        return ", expires \(ISOTime.format(date)) (in \(DurationText.format(date.timeIntervalSinceNow)))"
    }
}

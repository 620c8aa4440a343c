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
        Terminal.note("aws: profile '\(settings.profile)' (\(settings.mode.rawValue)) is \(credentials.identity)\(Self.expiry(credentials.expiration))")
    }

    func exports() -> EnvironmentExport {
        let secrets = result.credentials.secrets
        var variables: [EnvironmentExport.Variable] = [
            .init("AWS_ACCESS_KEY_ID", secrets["AccessKeyId"]?.reveal ?? "", secret: true),
            .init("AWS_SECRET_ACCESS_KEY", secrets["SecretAccessKey"]?.reveal ?? "", secret: true),
            .init("AWS_SESSION_TOKEN", secrets["SessionToken"]?.reveal ?? "", secret: true),
        ]
        if let expiration = result.credentials.expiration {
            variables.append(.init("AWS_CREDENTIAL_EXPIRATION", ISO8601DateFormatter().string(from: expiration)))
        }
        if let region = settings.region {
            variables.append(.init("AWS_REGION", region))
            variables.append(.init("AWS_DEFAULT_REGION", region))
        }
        return EnvironmentExport(variables)
    }

    struct Report: Encodable {
        var provider = "aws"
        var profile: String
        var mode: String
        var assumedRoleArn: String
        var expiration: Date?
        var region: String?
        var credentials: [String: String]
        var files: [WrittenTarget]
    }

    func report() -> Report {
        Report(profile: settings.profile, mode: settings.mode.rawValue, assumedRoleArn: result.credentials.identity,
               expiration: result.credentials.expiration, region: settings.region,
               credentials: result.credentials.secrets.mapValues(\.reveal), files: result.written)
    }

    static func expiry(_ date: Date?) -> String {
        guard let date else { return "" }
        return ", expires \(ISO8601DateFormatter().string(from: date)) (in \(DurationText.format(date.timeIntervalSinceNow)))"
    }
}

import AWSProvider
import BrokerCore
import Foundation

/// Prints what a login produced in the format asked for, plus the one-line summary on stderr.
struct AWSLoginOutput {
    let name: String
    let result: LoginResult
    let settings: AWSSettings

    func emit(_ format: OutputFormat, environment: [String: String]) throws {
        let credentials = result.credentials
        switch format {
        case .env:
            Terminal.output(exports().shellExports)
        case .github:
            Terminal.output(try exports().appendToGitHubEnv(environment: environment))
            try StepOutputs.write(StepOutputs.values(identity: credentials.identity, expiration: credentials.expiration),
                                  environment: environment)
        case .json:
            try LoginReport.login([.init(name: name, adapter: AWSAdapter.descriptor.adapter, result: .success(result))]).print()
        case .text, .accessToken:
            break
        }
        result.warnings.forEach(Terminal.warn)
        Terminal.note("aws: profile '\(settings.profile)' (\(settings.mode.rawValue)) is \(credentials.identity)\(Self.expiry(credentials.expiration))")
    }

    func exports() -> EnvironmentExport { EnvironmentExport(result.credentials.environment) }

    static func expiry(_ date: Date?) -> String {
        guard let date else { return "" }
        return ", expires \(ISOTime.format(date)) (in \(DurationText.format(date.timeIntervalSinceNow)))"
    }
}

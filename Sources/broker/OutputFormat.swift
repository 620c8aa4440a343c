import ArgumentParser
import AWSProvider

/// `--output` of the login commands: `text` (a summary on stderr), `env` (export lines), `json`
/// (the report `status` prints too), `github` (`$GITHUB_ENV`, masked, and step outputs) or
/// `access-token` (the one access token a login issued, alone on stdout). argument-parser lists
/// the choices in help and errors.
enum OutputFormat: String, CaseIterable, ExpressibleByArgument {
    case text, env, json, github
    case accessToken = "access-token"

    /// `ini` is what earlier versions called `text`.
    init?(argument: String) {
        self.init(rawValue: argument == "ini" ? "text" : argument)
    }

    /// The formats that hand credentials to the environment.
    var exports: Bool { self == .env || self == .github }
}

/// `--output` of `status`.
enum ReportFormat: String, CaseIterable, ExpressibleByArgument {
    case text, json
}

extension AWSSettings.Mode: ExpressibleByArgument {}

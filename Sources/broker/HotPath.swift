import ArgumentParser

/// The two commands machines run over and over, parsed on their own: `login aws` (every CI
/// job) and `credential-process aws` (every SDK client start). argument-parser otherwise
/// builds and reflects over the whole command tree first, a few milliseconds per run.
/// Anything unusual (help, a parse or validation error) gives nil, and the full tree parses
/// the arguments again so messages and usage read as always.
enum HotPath {
    static func parse(_ arguments: [String] = Array(CommandLine.arguments.dropFirst())) -> (any AsyncParsableCommand)? {
        guard arguments.count > 2, arguments[1] == "aws" else { return nil }
        let rest = Array(arguments.dropFirst(2))
        guard !rest.contains(where: { ["-h", "--help", "-help", "--version", "--experimental-dump-help"].contains($0) }) else {
            return nil
        }
        switch arguments[0] {
        case "login": return try? LoginAWSCommand.parse(rest)
        case "credential-process": return try? CredentialProcessCommand.AWS.parse(rest)
        default: return nil
        }
    }
}

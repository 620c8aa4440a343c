import ArgumentParser
import AWSProvider
import BrokerCore
import Foundation

/// `broker policy check aws --policy trust.json`: the role's trust policy against the token a
/// `login aws` would send (or a token file, or claims alone), as IAM evaluates
/// AssumeRoleWithWebIdentity, naming the condition that fails and the claim value it saw.
struct PolicyCheckAWSCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "aws",
        abstract: "Evaluate an IAM role trust policy as IAM does for AssumeRoleWithWebIdentity.",
        discussion: """
            The policy is the role's trust policy document (`aws iam get-role --query Role.AssumeRolePolicyDocument` \
            prints it). Statements: Effect, Principal.Federated (the OIDC provider of the token's issuer), Action \
            (sts:AssumeRoleWithWebIdentity; sts:TagSession when the token carries session tags), Condition with \
            String[Not]Equals[IgnoreCase], String[Not]Like, their IfExists forms, Null and ForAnyValue:/ForAllValues:.
            """)

    @Option(help: "The trust policy JSON file ('-' for stdin).")
    var policy: String

    @Option(help: "The role: the provider ARN must be in its partition and account.")
    var roleArn: String?

    @Option(help: "Audience of the token to check (default sts.amazonaws.com).")
    var audience = "sts.amazonaws.com"

    @Option(help: "A JSON object of claims to check instead of a token.")
    var claims: String?

    @Option(help: "text or json.")
    var output = ReportFormat.text

    @OptionGroup var source: TokenSourceOptions
    @OptionGroup var configOption: ConfigOption

    func run() async throws {
        if let roleArn, !AWSIdentifiers.isRoleARN(roleArn) {
            throw BrokerError.usage("--role-arn: '\(roleArn.prefix(120))' is not a role ARN", hint: "for example arn:aws:iam::123456789012:role/deploy")
        }
        let document = try Self.read(policy, name: "--policy")
        let trust: TrustPolicy
        do {
            trust = try TrustPolicy.parse(document)
        } catch let problem as TrustPolicy.Problem {
            throw BrokerError.usage("\(policy) is not a trust policy: \(problem)", hint: "give the role's trust policy document, as 'aws iam get-role' shows it")
        }
        let request = TrustPolicyEvaluation.Request(claims: try await tokenClaims(), roleArn: roleArn)
        let result = TrustPolicyEvaluation(policy: trust, request: request)
        if output == .json {
            Terminal.output(try JSONOutput.string(PolicyCheckReport(result, request: request)))
        } else {
            Terminal.output(Self.text(result, request: request))
        }
        if !result.allowed { throw ExitFailure(code: 1) }
    }

    func tokenClaims() async throws -> [String: JSONValue] {
        if let claims {
            guard let object = (try? StrictJSON.parse(try Self.read(claims, name: "--claims")))?.objectValue else {
                throw BrokerError.usage("--claims: \(claims) is not a JSON object of claims", hint: "for example {\"iss\": \"https://token.actions.githubusercontent.com\", \"sub\": \"repo:org/app:ref:refs/heads/main\", \"aud\": \"sts.amazonaws.com\"}")
            }
            return object
        }
        let runtime = try BrokerRuntime(configOption: configOption.config)
        // The token as a login would get it; not checked for expiry: the policy question stands.
        return try await source.makeSource(runtime: runtime).source.token(audience: audience).claims
    }

    static func read(_ path: String, name: String) throws -> Data {
        if path == "-" { return FileHandle.standardInput.readDataToEndOfFile() }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw BrokerError.usage("\(name): cannot read \(path)")
        }
        return data
    }

    static func text(_ result: TrustPolicyEvaluation, request: TrustPolicyEvaluation.Request) -> String {
        var lines = ["token: iss \(request.claims["iss"]?.displayText ?? "(missing)"), sub \(request.claims["sub"]?.displayText ?? "(missing)"), aud \(request.claims["aud"]?.displayText ?? "(missing)")"]
        for statement in result.statements {
            let name = statement.path + (statement.sid.map { " (\($0))" } ?? "")
            lines.append("\(name) \(statement.effect): \(statement.outcome.rawValue): \(statement.reason)")
            if let failure = statement.failure {
                lines.append("    expected \(failure.operator) \(failure.key): \(failure.expected.joined(separator: " | "))")
                lines.append("    the token's value: \(failure.seen?.joined(separator: " | ") ?? "(none)")")
            }
        }
        lines += result.notes.map { "note: " + $0 }
        if result.allowed {
            lines.append("ALLOWED by \(result.deciding?.path ?? "?")")
        } else {
            lines.append("DENIED" + (result.deciding.map { " (deciding: \($0.path))" } ?? ": no statement allows \(TrustPolicyEvaluation.action)"))
            if let fix = result.fix { lines.append("fix: " + fix) }
        }
        return lines.joined(separator: "\n") + "\n"
    }
}

/// `--output json` of `policy check`.
struct PolicyCheckReport: Encodable {
    var decision: String
    var provider: String
    var statements: [TrustPolicyEvaluation.StatementResult]
    var deciding: String?
    var fix: String?
    var notes: [String]

    init(_ result: TrustPolicyEvaluation, request: TrustPolicyEvaluation.Request) {
        decision = result.allowed ? "allowed" : "denied"
        provider = request.providerARN
        statements = result.statements
        deciding = result.deciding?.path
        fix = result.fix
        notes = result.notes
    }
}

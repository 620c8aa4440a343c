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

    @Option(help: "The role: the provider ARN must be in its partition and account.")
    var roleArn: String?

    @Option(help: "Audience of the token to check (default sts.amazonaws.com).")
    var audience = "sts.amazonaws.com"

    @OptionGroup var input: PolicyInputOptions

    func run() async throws {
        // The role check `login aws` makes, with its length bounds and message.
        if let roleArn { try AWSSettings(roleArn: roleArn).validate() }
        let trust = try input.parsePolicy("a trust policy", TrustPolicy.parse)
        let request = TrustPolicyEvaluation.Request(claims: try await input.claims(audience: audience), roleArn: roleArn)
        let result = TrustPolicyEvaluation(policy: trust, request: request)
        if input.output == .json {
            Terminal.output(try JSONOutput.string(PolicyCheckReport(result, request: request)))
        } else {
            Terminal.output(Self.text(result, request: request))
        }
        if !result.allowed { throw ExitFailure(code: 1) }
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
        provider = request.federatedPrincipal
        statements = result.statements
        deciding = result.deciding?.path
        fix = result.fix
        notes = result.notes
    }
}

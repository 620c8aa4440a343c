import ArgumentParser
import AWSProvider
import BrokerCore
import Foundation

/// `broker policy generate aws`: the trust policy for a role that tokens of one issuer,
/// audience and subject pattern may assume; issuer (`--issuer`) and subject default to the
/// token a login would send, so the cloud side is set up from broker's own view of the token.
struct PolicyGenerateAWSCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "aws",
        abstract: "Print an IAM role trust policy (StringEquals on :aud, StringLike on :sub).")

    @Option(help: "The audience (default sts.amazonaws.com).")
    var audience = "sts.amazonaws.com"

    @Option(help: "The AWS account of the OIDC provider (12 digits; default: the --role-arn's).")
    var account: String?

    @Option(help: "The role the policy is for: gives the account and partition.")
    var roleArn: String?

    @OptionGroup var trusted: PolicySubjectOptions

    func run() async throws {
        // The role check `login aws` makes, with its length bounds and message.
        if let roleArn { try AWSSettings(roleArn: roleArn).validate() }
        let parts = roleArn?.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
        guard let account = account ?? parts?[4] else {
            throw BrokerError.usage("--account (or --role-arn) is required: the OIDC provider's ARN names its account")
        }
        guard account.count == 12, account.allSatisfy(\.isASCII), account.allSatisfy(\.isNumber) else {
            throw BrokerError.usage("--account: '\(account.prefix(40))' is not a 12-digit AWS account ID")
        }
        let trusted = try await trusted.resolve(audience: audience)
        Terminal.output(try TrustPolicyTemplate.document(issuer: trusted.issuer, subject: trusted.subject, audience: audience, account: account,
                                                         partition: parts?[1] ?? "aws"))
    }
}

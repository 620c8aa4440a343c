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

    @Option(help: "The subject pattern, StringLike (* and ?); default: the token's own sub.")
    var subject: String?

    @Option(help: "The audience (default sts.amazonaws.com).")
    var audience = "sts.amazonaws.com"

    @Option(help: "The AWS account of the OIDC provider (12 digits; default: the --role-arn's).")
    var account: String?

    @Option(help: "The role the policy is for: gives the account and partition.")
    var roleArn: String?

    @OptionGroup var source: TokenSourceOptions
    @OptionGroup var configOption: ConfigOption

    func run() async throws {
        if let roleArn, !AWSIdentifiers.isRoleARN(roleArn) {
            throw BrokerError.usage("--role-arn: '\(roleArn.prefix(120))' is not a role ARN", hint: "for example arn:aws:iam::123456789012:role/deploy")
        }
        let parts = roleArn?.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
        guard let account = account ?? parts?[4] else {
            throw BrokerError.usage("--account (or --role-arn) is required: the OIDC provider's ARN names its account")
        }
        guard account.count == 12, account.allSatisfy(\.isASCII), account.allSatisfy(\.isNumber) else {
            throw BrokerError.usage("--account: '\(account.prefix(40))' is not a 12-digit AWS account ID")
        }
        // `--issuer` (the token-source option) names the issuer: the embedded one's URL, or any other's.
        var issuer = source.issuerURL, subject = self.subject
        if issuer == nil || subject == nil {
            let runtime = try BrokerRuntime(configOption: configOption.config)
            let token = try await source.makeSource(runtime: runtime).source.token(audience: audience)
            issuer = issuer ?? token.issuer
            subject = subject ?? token.subject
        }
        guard let issuer, issuer.hasPrefix("https://") else {
            throw BrokerError.usage("--issuer: '\(issuer?.prefix(120) ?? "")' is not an https URL: IAM registers only https OIDC providers",
                                    hint: "publish the embedded issuer's keys at an https URL ('broker idp publish site') and pass it")
        }
        guard let subject, !subject.isEmpty, subject != "*" else {
            throw BrokerError.usage("--subject must name the subjects to trust; '*' would let every token of the issuer in")
        }
        Terminal.output(try TrustPolicyTemplate.document(issuer: issuer, subject: subject, audience: audience, account: account,
                                                         partition: parts?[1] ?? "aws"))
    }
}

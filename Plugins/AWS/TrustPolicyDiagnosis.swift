import BrokerCore
import Foundation

/// What to print when STS says AccessDenied or InvalidIdentityToken: the claims of the token
/// that was sent (never the token), the role, and the condition keys its trust policy must
/// match with the token's actual values. Existing tools print only "Not authorized".
public enum TrustPolicyDiagnosis {
    public static func explain(token: IdentityToken, roleArn: String, now: Date = Date()) -> String {
        let issuer = token.issuer ?? "(missing)"
        let providerKey = issuer.replacingOccurrences(of: "https://", with: "").replacingOccurrences(of: "http://", with: "")
        var lines = TokenClaimsReport.lines(token, required: ["iss", "sub", "aud", "azp"], width: 4, now: now)
        lines.append("role: \(roleArn)")
        let arnParts = roleArn.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
        let account = arnParts.count > 4 ? arnParts[4] : "<account>"
        let partition = arnParts.count > 1 ? arnParts[1] : "aws"
        lines.append("its trust policy must name the Federated principal arn:\(partition):iam::\(account):oidc-provider/\(providerKey)")
        lines.append("and its conditions must accept these values:")
        lines.append("  \"\(providerKey):sub\": \"\(token.subject ?? "")\"")
        for audience in token.audiences {
            lines.append("  \"\(providerKey):aud\": \"\(audience)\"")
        }
        if !issuer.hasPrefix("https://") {
            lines.append("note: AWS accepts only https:// issuers; \(issuer) cannot be registered as an IAM OIDC provider")
        }
        return lines.joined(separator: "\n")
    }
}

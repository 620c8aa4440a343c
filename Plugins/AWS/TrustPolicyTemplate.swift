import BrokerCore
import Foundation

/// The smallest trust policy that lets tokens of one issuer, audience and subject pattern
/// assume a role: the provider as Federated principal, StringEquals on `:aud`, StringLike on
/// `:sub` (AWS's own recommendation; never a bare `*` subject).
public enum TrustPolicyTemplate {
    public static func document(issuer: String, subject: String, audience: String, account: String, partition: String = "aws") throws -> String {
        var provider = issuer.replacingOccurrences(of: "https://", with: "", options: .anchored)
        while provider.hasSuffix("/") { provider.removeLast() }
        let statement: [String: Any] = [
            "Effect": "Allow",
            "Principal": ["Federated": "arn:\(partition):iam::\(account):oidc-provider/\(provider)"],
            "Action": TrustPolicyEvaluation.action,
            "Condition": [
                "StringEquals": ["\(provider):aud": audience],
                "StringLike": ["\(provider):sub": subject],
            ],
        ]
        let policy: [String: Any] = ["Version": "2012-10-17", "Statement": [statement]]
        let data = try JSONSerialization.data(withJSONObject: policy, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
        return String(decoding: data, as: UTF8.self) + "\n"
    }
}

import BrokerCore
import Foundation

/// The smallest trust policy that lets tokens of one issuer, audience and subject pattern
/// assume a role: the provider as Federated principal, StringEquals on `:aud`, StringLike on
/// `:sub` (AWS's own recommendation; never a bare `*` subject).
public enum TrustPolicyTemplate {
    public static func document(issuer: String, subject: String, audience: String, account: String, partition: String = "aws") throws -> String {
        // The issuer as registered (an Auth0 issuer keeps its trailing slash); IAM's built-in
        // providers (accounts.google.com, ...) are named bare.
        let provider = issuer.replacingOccurrences(of: "https://", with: "", options: .anchored)
        let request = TrustPolicyEvaluation.Request(claims: ["iss": .string(issuer)], roleArn: "arn:\(partition):iam::\(account):role/x")
        let statement: [String: Any] = [
            "Effect": "Allow",
            "Principal": ["Federated": request.federatedPrincipal],
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

import BrokerCore
import Foundation

/// The form body of an unsigned AssumeRoleWithWebIdentity call. The token travels only here.
public struct STSRequest: Sendable {
    public var roleArn: String
    public var roleSessionName: String
    public var token: SecretValue
    public var durationSeconds: Int
    public var policy: String?
    public var policyArns: [String]

    public init(settings: AWSSettings, token: IdentityToken, sessionName: String) {
        roleArn = settings.roleArn
        roleSessionName = sessionName
        self.token = token.jwt
        durationSeconds = settings.durationSeconds
        policy = settings.policy
        policyArns = settings.policyArns
    }

    public var formBody: Data {
        var fields: [(String, String)] = [
            ("Action", "AssumeRoleWithWebIdentity"),
            ("Version", "2011-06-15"),
            ("RoleArn", roleArn),
            ("RoleSessionName", roleSessionName),
            ("WebIdentityToken", token.reveal),
            ("DurationSeconds", String(durationSeconds)),
        ]
        if let policy { fields.append(("Policy", policy)) }
        for (index, arn) in policyArns.enumerated() { fields.append(("PolicyArns.member.\(index + 1).arn", arn)) }
        return FormEncoding.body(fields)
    }
}

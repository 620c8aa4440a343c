import BrokerCore
import Foundation

/// Everything one AWS login needs, validated before any network call.
public struct AWSSettings: Sendable, Equatable {
    public enum Mode: String, Sendable, CaseIterable {
        case staticKeys = "static"
        case credentialProcess = "credential-process"
        case webIdentity = "web-identity"
    }

    public static let defaultAudience = "sts.amazonaws.com"

    public var roleArn: String
    public var audience = AWSSettings.defaultAudience
    public var roleSessionName: String?
    public var durationSeconds = 3600
    public var region: String?
    public var stsEndpoint: String?
    /// The inline session policy's JSON text (read from `--policy FILE`).
    public var policy: String?
    public var policyFile: String?
    public var policyArns: [String] = []
    public var profile = "default"
    public var mode = Mode.staticKeys
    /// Replace (or remove) access keys in the profile that broker did not write.
    public var overwrite = false
    public var maxAttempts = 5
    public var timeout: TimeInterval = 10
    /// The whole login, retries included, ends by then.
    public var deadline: TimeInterval = 60

    public init(roleArn: String) { self.roleArn = roleArn }

    /// Checks every rule STS would check, naming the setting (`name(key)` gives the flag or
    /// config path) so the user can fix it before anything is sent.
    public func validate(name: (String) -> String = { "--" + $0 }) throws {
        guard roleArn.count >= 20, roleArn.count <= 2048, AWSIdentifiers.isRoleARN(roleArn) else {
            throw BrokerError.usage("\(name("role-arn")): '\(roleArn)' is not an IAM role ARN",
                                    hint: "expected arn:aws:iam::<12-digit account>:role/<name>")
        }
        if let roleSessionName { try Self.validateSessionName(roleSessionName, name: name("role-session-name")) }
        guard (900...43200).contains(durationSeconds) else {
            throw BrokerError.usage("\(name("duration-seconds")): \(durationSeconds) is out of range",
                                    hint: "STS accepts 900 to 43200 seconds, capped by the role's maximum session duration")
        }
        if let region, !AWSIdentifiers.isRegion(region) {
            throw BrokerError.usage("\(name("region")): '\(region)' is not an AWS region", hint: "for example us-east-1 or eu-west-1")
        }
        if let stsEndpoint { _ = try HTTPURL.parse(stsEndpoint, name: name("sts-endpoint")) }
        guard policyArns.count <= 10 else {
            throw BrokerError.usage("\(name("policy-arn")): \(policyArns.count) policy ARNs given", hint: "STS accepts at most 10 managed session policies")
        }
        for arn in policyArns where !AWSIdentifiers.isPolicyARN(arn) {
            throw BrokerError.usage("\(name("policy-arn")): '\(arn)' is not an IAM policy ARN", hint: "expected arn:aws:iam::<account or aws>:policy/<name>")
        }
        if let policy {
            guard policy.count <= 2048 else {
                throw BrokerError.usage("\(name("policy")): the session policy has \(policy.count) characters", hint: "STS accepts at most 2048")
            }
            guard (try? JSONSerialization.jsonObject(with: Data(policy.utf8))) != nil else {
                throw BrokerError.usage("\(name("policy")): \(policyFile ?? "the session policy") is not valid JSON")
            }
        }
        do { try AWSSharedFiles.validate(profile: profile) } catch let error as BrokerError {
            throw BrokerError.usage("\(name("profile")): \(error.message)", hint: error.hint)
        }
        guard (1...20).contains(maxAttempts) else { throw BrokerError.usage("\(name("max-attempts")): must be 1 to 20") }
        guard timeout > 0 else { throw BrokerError.usage("\(name("timeout")): must be positive") }
        guard !audience.isEmpty else { throw BrokerError.usage("\(name("audience")): must not be empty") }
    }

    static func validateSessionName(_ value: String, name: String) throws {
        guard (2...64).contains(value.count), value.allSatisfy(AWSIdentifiers.isSessionNameCharacter) else {
            throw BrokerError.usage("\(name): '\(value)' is not a valid role session name",
                                    hint: "2 to 64 characters from letters, digits and +=,.@_-")
        }
    }

    /// The STS endpoint: explicit, else regional (with the China partition's suffix), else global.
    public var endpoint: URL {
        if let stsEndpoint, let url = URL(string: stsEndpoint) { return url }
        guard let region else { return URL(string: "https://sts.amazonaws.com/")! }
        let suffix = region.hasPrefix("cn-") ? "amazonaws.com.cn" : "amazonaws.com"
        return URL(string: "https://sts.\(region).\(suffix)/")!
    }

    /// Reads `--policy FILE` into `policy`.
    public mutating func loadPolicy(from path: String, name: String = "--policy") throws {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw BrokerError.usage("\(name): cannot read the policy file \(path)")
        }
        policyFile = path
        policy = String(decoding: data, as: UTF8.self)
    }
}

import BrokerCore
import Foundation

/// What STS returns for AssumeRoleWithWebIdentity: the credentials, or AWS's error.
public enum STSResponse: Sendable, Equatable {
    case success(STSWebIdentityResult)
    case error(STSErrorResponse)

    /// Parses either body shape. Failures name the missing fields, never the body's values.
    public static func parse(_ body: Data) throws -> STSResponse {
        let document = try STSXMLReader(body, what: "the STS AssumeRoleWithWebIdentity answer")
        if document.root == "AssumeRoleWithWebIdentityResponse" {
            return .success(try STSWebIdentityResult(document))
        }
        if let error = STSErrorResponse(document) {
            return .error(error)
        }
        throw BrokerError.failure(
            "the STS answer is an XML document <\(document.root.prefix(64))>, neither an AssumeRoleWithWebIdentityResponse nor an ErrorResponse",
            hint: "check that the endpoint really is AWS STS")
    }
}

/// `AssumeRoleWithWebIdentityResponse/AssumeRoleWithWebIdentityResult`.
public struct STSWebIdentityResult: Sendable, Equatable {
    public var accessKeyId: String
    public var secretAccessKey: SecretValue
    public var sessionToken: SecretValue
    public var expiration: Date
    public var assumedRoleArn: String
    public var assumedRoleId: String
    /// Real AWS sends these; emulators such as moto may not.
    public var subjectFromWebIdentityToken: String?
    public var audience: String?
    public var provider: String?
    public var sourceIdentity: String?
    public var requestId: String?

    public var credentials: AWSSessionCredentials {
        AWSSessionCredentials(accessKeyId: accessKeyId, secretAccessKey: secretAccessKey,
                              sessionToken: sessionToken, expiration: expiration)
    }

    init(accessKeyId: String, secretAccessKey: SecretValue, sessionToken: SecretValue, expiration: Date, assumedRoleArn: String) {
        self.accessKeyId = accessKeyId
        self.secretAccessKey = secretAccessKey
        self.sessionToken = sessionToken
        self.expiration = expiration
        self.assumedRoleArn = assumedRoleArn
        assumedRoleId = "AROA:test"
    }

    init(_ document: STSXMLReader) throws {
        let result = "AssumeRoleWithWebIdentityResponse/AssumeRoleWithWebIdentityResult/"
        var missing: [String] = []
        func field(_ path: String) -> String {
            guard let value = document.first(result + path), !value.isEmpty else {
                missing.append(path)
                return ""
            }
            return value
        }
        accessKeyId = field("Credentials/AccessKeyId")
        secretAccessKey = SecretValue(field("Credentials/SecretAccessKey"))
        sessionToken = SecretValue(field("Credentials/SessionToken"))
        let expirationText = field("Credentials/Expiration")
        assumedRoleArn = field("AssumedRoleUser/Arn")
        assumedRoleId = field("AssumedRoleUser/AssumedRoleId")
        guard missing.isEmpty else {
            throw BrokerError.failure("the STS answer lacks \(missing.joined(separator: ", "))",
                                      hint: "the endpoint may not be AWS STS or an STS emulator")
        }
        // The expiry is not secret, so it may be quoted.
        guard let date = AWSSessionCredentials.parseISO8601(expirationText) else {
            throw BrokerError.failure("the STS answer's Credentials/Expiration '\(expirationText.prefix(64))' is not an ISO 8601 time")
        }
        expiration = date
        func optional(_ path: String) -> String? {
            document.first(result + path).flatMap { $0.isEmpty ? nil : $0 }
        }
        subjectFromWebIdentityToken = optional("SubjectFromWebIdentityToken")
        audience = optional("Audience")
        provider = optional("Provider")
        sourceIdentity = optional("SourceIdentity")
        requestId = document.first("AssumeRoleWithWebIdentityResponse/ResponseMetadata/RequestId")
    }
}

/// `ErrorResponse/Error/{Type, Code, Message}` and `RequestId`. Emulators vary the shape
/// (moto puts `RequestID` inside `Error`, or wraps it in `Response/Errors`), so the first
/// `Error` element is used wherever it sits.
public struct STSErrorResponse: Sendable, Equatable {
    public var code: String
    public var message: String
    public var type: String?
    public var requestId: String?

    public init(code: String, message: String, type: String? = nil, requestId: String? = nil) {
        self.code = code
        self.message = message
        self.type = type
        self.requestId = requestId
    }

    init?(_ document: STSXMLReader) {
        func inError(_ name: String) -> String? {
            document.leaves.first { $0.path.count >= 2 && $0.path.dropLast().last == "Error" && $0.path.last == name }?.text
        }
        guard let code = inError("Code"), !code.isEmpty else { return nil }
        self.code = code
        message = inError("Message") ?? ""
        type = inError("Type").flatMap { $0.isEmpty ? nil : $0 }
        requestId = document.leaves.first { $0.path.last?.lowercased() == "requestid" }?.text
    }
}

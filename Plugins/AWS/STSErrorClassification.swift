/// Whether a failed AssumeRoleWithWebIdentity call is worth another try. Only transient faults
/// retry; anything else (AccessDenied, a rejected claim, a bad policy) fails at once, since
/// retrying only hides the real answer.
public enum STSErrorClassification: Sendable, Equatable {
    case retryable
    case fatal

    public init(httpStatus: Int, error: STSErrorResponse?) {
        if (500 ... 599).contains(httpStatus) {
            self = .retryable
            return
        }
        guard let error else {
            self = .fatal
            return
        }
        switch error.code {
        case "IDPCommunicationError", "Throttling":
            self = .retryable
        case "InvalidIdentityToken" where Self.isVerificationKeyFetchFailure(error.message):
            // AWS could not fetch our JWKS ("Couldn't retrieve verification key from your
            // identity provider"): the token may be fine and the issuer briefly unreachable.
            self = .retryable
        default:
            self = .fatal
        }
    }

    public var isRetryable: Bool { self == .retryable }

    static func isVerificationKeyFetchFailure(_ message: String) -> Bool {
        let text = message.lowercased()
        return text.contains("verification key")
            && ["retriev", "fetch", "obtain", "get "].contains { text.contains($0) }
    }
}

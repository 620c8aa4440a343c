import AWSProvider
import Testing

@Suite struct STSErrorClassificationTests {
    static func error(_ code: String, _ message: String = "") -> STSErrorResponse {
        STSErrorResponse(code: code, message: message, type: "Sender", requestId: "r")
    }

    @Test(arguments: [
        (400, error("IDPCommunicationError", "The identity provider could not be reached")),
        (400, error("Throttling", "Rate exceeded")),
        (400, error("InvalidIdentityToken", "Couldn't retrieve verification key from your identity provider,  please reference AssumeRoleWithWebIdentity documentation for requirements")),
        (400, error("InvalidIdentityToken", "Could not retrieve the verification key")),
        (500, error("InternalFailure")),
        (503, error("ServiceUnavailable")),
        (502, nil),
        (500, error("AccessDenied")),
    ] as [(Int, STSErrorResponse?)])
    func retriesTransientFaults(_ status: Int, _ error: STSErrorResponse?) {
        #expect(STSErrorClassification(httpStatus: status, error: error) == .retryable)
        #expect(STSErrorClassification(httpStatus: status, error: error).isRetryable)
    }

    @Test(arguments: [
        (403, error("AccessDenied", "Not authorized to perform sts:AssumeRoleWithWebIdentity")),
        (400, error("InvalidIdentityToken", "No OpenIDConnect provider found in your account for https://issuer.example")),
        (400, error("InvalidIdentityToken", "Incorrect token audience")),
        (400, error("ExpiredTokenException", "Token expired: current date/time 1 must be before the expiration date/time 0")),
        (403, error("IDPRejectedClaim", "Rejected claim")),
        (400, error("MalformedPolicyDocument")),
        (400, error("PackedPolicyTooLarge")),
        (403, error("RegionDisabledException")),
        (400, error("ValidationError")),
        (400, nil),
        (404, nil),
        (429, nil),
    ] as [(Int, STSErrorResponse?)])
    func failsAtOnceOnEverythingElse(_ status: Int, _ error: STSErrorResponse?) {
        #expect(STSErrorClassification(httpStatus: status, error: error) == .fatal)
    }
}

import AWSProvider
import BrokerCore
import Foundation
import Testing

@Suite struct STSResponseTests {
    static let secret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY"
    static let token = "IQoJb3JpZ2luX2VjEOz////////////////////wEaCXVzLWVhc3QtMSJHMEUCIDNvdFNPb0xUcEhVUDFnWW9QUmpvbg=="

    /// The shape moto's STS server answers with: no SubjectFromWebIdentityToken, milliseconds.
    static let motoSuccess = """
        <AssumeRoleWithWebIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
          <AssumeRoleWithWebIdentityResult>
            <Credentials>
              <SessionToken>\(token)</SessionToken>
              <SecretAccessKey>\(secret)</SecretAccessKey>
              <Expiration>2026-11-26T23:00:00.000Z</Expiration>
              <AccessKeyId>ASIAIOSFODNN7EXAMPLE</AccessKeyId>
            </Credentials>
            <AssumedRoleUser>
              <Arn>arn:aws:sts::123456789012:assumed-role/deploy/ci-42</Arn>
              <AssumedRoleId>ARO123EXAMPLE123:ci-42</AssumedRoleId>
            </AssumedRoleUser>
            <PackedPolicySize>6</PackedPolicySize>
          </AssumeRoleWithWebIdentityResult>
          <ResponseMetadata>
            <RequestId>c6104cbe-af31-11e0-8154-cbc7ccf896c7</RequestId>
          </ResponseMetadata>
        </AssumeRoleWithWebIdentityResponse>
        """

    /// The shape real AWS answers with (API reference example), whole seconds.
    static let awsSuccess = """
        <?xml version="1.0" encoding="UTF-8"?>
        <AssumeRoleWithWebIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
          <AssumeRoleWithWebIdentityResult>
            <SubjectFromWebIdentityToken>repo:acme/app:ref:refs/heads/main</SubjectFromWebIdentityToken>
            <Audience>sts.amazonaws.com</Audience>
            <AssumedRoleUser>
              <Arn>arn:aws:sts::123456789012:assumed-role/deploy/ci-42</Arn>
              <AssumedRoleId>AROACLKWSDQRAOEXAMPLE:ci-42</AssumedRoleId>
            </AssumedRoleUser>
            <Credentials>
              <SessionToken>\(token)</SessionToken>
              <SecretAccessKey>\(secret)</SecretAccessKey>
              <Expiration>2026-11-26T23:00:00Z</Expiration>
              <AccessKeyId>ASIAIOSFODNN7EXAMPLE</AccessKeyId>
            </Credentials>
            <SourceIdentity>build-bot</SourceIdentity>
            <Provider>token.actions.githubusercontent.com</Provider>
            <PackedPolicySize>0</PackedPolicySize>
          </AssumeRoleWithWebIdentityResult>
          <ResponseMetadata>
            <RequestId>ad4156e9-bce1-11e2-82e6-6b6efEXAMPLE</RequestId>
          </ResponseMetadata>
        </AssumeRoleWithWebIdentityResponse>
        """

    func parse(_ text: String) throws -> STSResponse {
        try STSResponse.parse(Data(text.utf8))
    }

    func success(_ text: String) throws -> STSWebIdentityResult {
        guard case .success(let result) = try parse(text) else { throw BrokerError.failure("not a success") }
        return result
    }

    func failureMessage(_ text: String) throws -> String {
        let error = try #require(throws: BrokerError.self) { try parse(text) }
        #expect(error.kind == .failure)
        #expect(!error.description.contains(Self.secret))
        #expect(!error.description.contains(Self.token))
        return error.message
    }

    @Test func readsMotoSuccess() throws {
        let result = try success(Self.motoSuccess)
        #expect(result.accessKeyId == "ASIAIOSFODNN7EXAMPLE")
        #expect(result.secretAccessKey.reveal == Self.secret)
        #expect(result.sessionToken.reveal == Self.token)
        #expect(result.expiration == Date(timeIntervalSince1970: 1_795_734_000))
        #expect(result.assumedRoleArn == "arn:aws:sts::123456789012:assumed-role/deploy/ci-42")
        #expect(result.assumedRoleId == "ARO123EXAMPLE123:ci-42")
        #expect(result.subjectFromWebIdentityToken == nil)
        #expect(result.audience == nil)
        #expect(result.provider == nil)
        #expect(result.sourceIdentity == nil)
        #expect(result.requestId == "c6104cbe-af31-11e0-8154-cbc7ccf896c7")
        #expect(result.credentials.sessionToken.reveal == Self.token)
    }

    @Test func readsAWSSuccessWithOptionalFields() throws {
        let result = try success(Self.awsSuccess)
        #expect(result.expiration == Date(timeIntervalSince1970: 1_795_734_000))
        #expect(result.subjectFromWebIdentityToken == "repo:acme/app:ref:refs/heads/main")
        #expect(result.audience == "sts.amazonaws.com")
        #expect(result.provider == "token.actions.githubusercontent.com")
        #expect(result.sourceIdentity == "build-bot")
        #expect(result.assumedRoleId == "AROACLKWSDQRAOEXAMPLE:ci-42")
    }

    @Test func trimsWhitespaceAroundValues() throws {
        let padded = Self.motoSuccess.replacingOccurrences(of: "<SessionToken>\(Self.token)", with: "<SessionToken>\n   \(Self.token)\n  ")
        #expect(try success(padded).sessionToken.reveal == Self.token)
    }

    @Test func neverPrintsSecrets() throws {
        let result = try success(Self.awsSuccess)
        let printed = "\(result) \(String(reflecting: result)) \(STSResponse.success(result))"
        #expect(!printed.contains(Self.secret))
        #expect(!printed.contains(Self.token))
    }

    @Test func readsAWSErrorResponse() throws {
        let body = """
            <ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
              <Error>
                <Type>Sender</Type>
                <Code>InvalidIdentityToken</Code>
                <Message>Couldn&apos;t retrieve verification key from your identity provider,  please reference AssumeRoleWithWebIdentity documentation for requirements</Message>
              </Error>
              <RequestId>8f3a2c1d-5b6e-4f70-9a81-b2c3d4e5f607</RequestId>
            </ErrorResponse>
            """
        #expect(try parse(body) == .error(STSErrorResponse(
            code: "InvalidIdentityToken",
            message: "Couldn't retrieve verification key from your identity provider,  please reference AssumeRoleWithWebIdentity documentation for requirements",
            type: "Sender", requestId: "8f3a2c1d-5b6e-4f70-9a81-b2c3d4e5f607")))
    }

    @Test func readsMotoErrorShapes() throws {
        let wrapped = """
            <?xml version="1.0" encoding="UTF-8"?>
            <ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
                <Error>
                    <Code>ValidationError</Code>
                    <Message><![CDATA[1 validation error detected: Value at 'roleArn' failed to satisfy constraint]]></Message>
                    <RequestID>7a62c49f-347e-4fc4-9331-6e8eEXAMPLE</RequestID>
                </Error>
            </ErrorResponse>
            """
        #expect(try parse(wrapped) == .error(STSErrorResponse(
            code: "ValidationError", message: "1 validation error detected: Value at 'roleArn' failed to satisfy constraint",
            type: nil, requestId: "7a62c49f-347e-4fc4-9331-6e8eEXAMPLE")))

        let listed = """
            <?xml version="1.0" encoding="UTF-8"?>
            <Response><Errors><Error><Code>AccessDenied</Code><Message>Not authorized</Message></Error></Errors>
            <RequestID>abc</RequestID></Response>
            """
        #expect(try parse(listed) == .error(STSErrorResponse(code: "AccessDenied", message: "Not authorized", requestId: "abc")))
    }

    @Test func malformedXMLFailsWithoutQuotingTheBody() throws {
        let truncated = String(Self.motoSuccess.prefix(upTo: Self.motoSuccess.range(of: "</SecretAccessKey>")!.lowerBound))
        let message = try failureMessage(truncated)
        #expect(message.contains("not well-formed XML"))
        #expect(try failureMessage("<html><body>502 Bad Gateway \(Self.secret)</body></html>").contains("<html>"))
        #expect(try failureMessage("").contains("empty"))
        #expect(try failureMessage("\(Self.secret)").contains("XML"))
    }

    @Test func missingFieldsAreNamed() throws {
        let body = Self.motoSuccess
            .replacingOccurrences(of: "<AccessKeyId>ASIAIOSFODNN7EXAMPLE</AccessKeyId>", with: "")
            .replacingOccurrences(of: "<Arn>arn:aws:sts::123456789012:assumed-role/deploy/ci-42</Arn>", with: "<Arn></Arn>")
        let message = try failureMessage(body)
        #expect(message.contains("Credentials/AccessKeyId"))
        #expect(message.contains("AssumedRoleUser/Arn"))
        #expect(!message.contains("SessionToken"))
    }

    @Test func badExpirationIsNamed() throws {
        let body = Self.motoSuccess.replacingOccurrences(of: "2026-11-26T23:00:00.000Z", with: "next tuesday")
        #expect(try failureMessage(body).contains("Credentials/Expiration"))
    }

    @Test func errorWithoutCodeIsRejected() throws {
        #expect(try failureMessage("<ErrorResponse><Error><Message>x</Message></Error></ErrorResponse>").contains("ErrorResponse"))
    }

    @Test func parsesConcurrently() async throws {
        let body = Data(Self.awsSuccess.utf8)
        try await withThrowingTaskGroup(of: String.self) { group in
            for _ in 0 ..< 64 {
                group.addTask {
                    guard case .success(let result) = try STSResponse.parse(body) else { return "" }
                    return result.accessKeyId
                }
            }
            for try await key in group { #expect(key == "ASIAIOSFODNN7EXAMPLE") }
        }
    }
}

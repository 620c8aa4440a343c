@testable import AWSProvider
import Testing

/// The hand-written checks must accept and refuse exactly what STS's documented patterns do.
@Suite struct AWSIdentifiersTests {
    @Test(arguments: [
        "arn:aws:iam::123456789012:role/deploy", "arn:aws-cn:iam::123456789012:role/path/to/r",
        "arn:aws-us-gov:iam::123456789012:role/a+b=c,d.e@f_g-h",
    ])
    func roleARNsAccepted(_ arn: String) { #expect(AWSIdentifiers.isRoleARN(arn)) }

    @Test(arguments: [
        "", "deploy", "arn:aws:iam::123:role/x", "arn:aws:iam::1234567890123:role/x", "arn:aws:iam::12345678901a:role/x",
        "arn:aws:iam::123456789012:role/", "arn:aws:iam::123456789012:user/x", "arn:aws:sts::123456789012:role/x",
        "arn:AWS:iam::123456789012:role/x", "arn:aws:iam:us-east-1:123456789012:role/x", "arn:aws:iam::123456789012:role/a b",
        "arn:aws:iam::123456789012:role/é", "arn:aws:iam::aws:role/x", "arn:azure:iam::123456789012:role/x",
        "arn:aws:iam::123456789012:role/x:y",
    ])
    func roleARNsRefused(_ arn: String) { #expect(!AWSIdentifiers.isRoleARN(arn)) }

    @Test func policyARNsAllowTheAWSAccount() {
        #expect(AWSIdentifiers.isPolicyARN("arn:aws:iam::aws:policy/ReadOnlyAccess"))
        #expect(AWSIdentifiers.isPolicyARN("arn:aws:iam::123456789012:policy/team/limit"))
        #expect(!AWSIdentifiers.isPolicyARN("arn:aws:iam::aws:role/x"))
        #expect(!AWSIdentifiers.isPolicyARN("arn:aws:iam::amazon:policy/x"))
    }

    @Test func regions() {
        for region in ["us-east-1", "eu-west-3", "us-gov-west-1", "cn-north-1", "ap-southeast-5"] {
            #expect(AWSIdentifiers.isRegion(region), "\(region)")
        }
        for region in ["", "Mars", "us-east", "useast-1", "us--1", "US-EAST-1", "u-east-1", "us-east-1a", "us-east-", "-east-1"] {
            #expect(!AWSIdentifiers.isRegion(region), "\(region)")
        }
    }

    @Test func sessionNameAlphabetIsASCII() {
        #expect("Az09_+=,.@-".allSatisfy(AWSIdentifiers.isSessionNameCharacter))
        for character in [" ", "/", ":", "é", "٣", "*"] as [Character] {
            #expect(!AWSIdentifiers.isSessionNameCharacter(character), "\(character)")
        }
    }
}

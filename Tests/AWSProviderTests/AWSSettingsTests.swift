import AWSProvider
import BrokerCore
import Foundation
import Testing

@Suite struct AWSSettingsTests {
    let role = "arn:aws:iam::123456789012:role/deploy"

    func rejects(_ change: (inout AWSSettings) -> Void, mentioning flag: String) {
        var settings = AWSSettings(roleArn: role)
        change(&settings)
        do {
            try settings.validate()
            Issue.record("expected \(flag) to be rejected")
        } catch let error as BrokerError {
            #expect(error.exitCode == 2)
            #expect(error.message.contains(flag))
        } catch { Issue.record("unexpected \(error)") }
    }

    @Test func acceptsAPlainRole() throws {
        try AWSSettings(roleArn: role).validate()
        try AWSSettings(roleArn: "arn:aws-cn:iam::123456789012:role/path/to/role").validate()
    }

    @Test func rejectsEachBrokenRule() {
        rejects({ $0.roleArn = "deploy" }, mentioning: "--role-arn")
        rejects({ $0.roleArn = "arn:aws:iam::123:role/x" }, mentioning: "--role-arn")
        rejects({ $0.roleArn = "arn:aws:iam::123456789012:user/x" }, mentioning: "--role-arn")
        rejects({ $0.durationSeconds = 899 }, mentioning: "--duration-seconds")
        rejects({ $0.durationSeconds = 43201 }, mentioning: "--duration-seconds")
        rejects({ $0.roleSessionName = "x" }, mentioning: "--role-session-name")
        rejects({ $0.roleSessionName = String(repeating: "a", count: 65) }, mentioning: "--role-session-name")
        rejects({ $0.roleSessionName = "no spaces" }, mentioning: "--role-session-name")
        rejects({ $0.region = "Mars" }, mentioning: "--region")
        rejects({ $0.stsEndpoint = "ftp://sts" }, mentioning: "--sts-endpoint")
        rejects({ $0.policyArns = (0..<11).map { "arn:aws:iam::aws:policy/P\($0)" } }, mentioning: "--policy-arn")
        rejects({ $0.policyArns = ["arn:aws:iam::aws:role/x"] }, mentioning: "--policy-arn")
        rejects({ $0.policy = "{not json" }, mentioning: "--policy")
        rejects({ $0.policy = "{\"a\":\"" + String(repeating: "x", count: 2100) + "\"}" }, mentioning: "--policy")
    }

    @Test func configPathsCanNameTheSetting() {
        var settings = AWSSettings(roleArn: "nope")
        settings.durationSeconds = 1
        do {
            try settings.validate(name: { "providers.aws-prod.\($0)" })
        } catch { #expect("\(error)".contains("providers.aws-prod.role-arn")) }
    }

    @Test func endpointFollowsRegionAndPartition() {
        var settings = AWSSettings(roleArn: role)
        #expect(settings.endpoint.absoluteString == "https://sts.amazonaws.com/")
        settings.region = "eu-west-1"
        #expect(settings.endpoint.absoluteString == "https://sts.eu-west-1.amazonaws.com/")
        settings.region = "cn-north-1"
        #expect(settings.endpoint.absoluteString == "https://sts.cn-north-1.amazonaws.com.cn/")
        settings.stsEndpoint = "https://sts-fips.us-east-1.amazonaws.com"
        #expect(settings.endpoint.absoluteString == "https://sts-fips.us-east-1.amazonaws.com")
    }
}

@Suite struct STSRequestTests {
    @Test func formBodyCarriesEveryFieldEncoded() throws {
        var settings = AWSSettings(roleArn: "arn:aws:iam::123456789012:role/deploy")
        settings.durationSeconds = 900
        settings.policy = #"{"Version":"2012-10-17","Statement":[]}"#
        settings.policyArns = ["arn:aws:iam::aws:policy/A", "arn:aws:iam::aws:policy/B"]
        let token = try IdentityToken(jwt: testJWT(#"{"sub":"repo:acme/app","aud":"sts.amazonaws.com"}"#))
        let body = String(decoding: STSRequest(settings: settings, token: token, sessionName: "s@1").formBody, as: UTF8.self)
        let fields = Dictionary(uniqueKeysWithValues: body.split(separator: "&").map { pair -> (String, String) in
            let parts = pair.split(separator: "=", maxSplits: 1).map(String.init)
            return (parts[0], parts[1].removingPercentEncoding!)
        })
        #expect(fields["Action"] == "AssumeRoleWithWebIdentity")
        #expect(fields["Version"] == "2011-06-15")
        #expect(fields["RoleArn"] == settings.roleArn)
        #expect(fields["RoleSessionName"] == "s@1")
        #expect(fields["WebIdentityToken"] == token.jwt.reveal)
        #expect(fields["DurationSeconds"] == "900")
        #expect(fields["Policy"] == settings.policy)
        #expect(fields["PolicyArns.member.2.arn"] == "arn:aws:iam::aws:policy/B")
        #expect(fields["ProviderId"] == nil)
        #expect(!body.contains("{") && !body.contains(":"))
    }
}

@Suite struct RoleSessionNameTests {
    @Test func derivedNamesAreValidAndMeaningful() throws {
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        for sub in ["repo:acme/app:ref:refs/heads/main", "https://github.com/acme/app", "ü ñ", String(repeating: "x", count: 200), ""] {
            let token = try IdentityToken(jwt: testJWT(#"{"sub":"\#(sub)"}"#))
            let name = RoleSessionName.derive(from: token, now: now)
            #expect((2...64).contains(name.count), "\(name)")
            #expect(name.range(of: #"^[\w+=,.@-]+$"#, options: .regularExpression) != nil, "\(name)")
            #expect(name.hasSuffix("1800000000"))
        }
        let named = RoleSessionName.derive(from: try IdentityToken(jwt: testJWT(#"{"sub":"repo:acme/app"}"#)), now: now)
        #expect(named == "repo-acme-app@1800000000")
    }

    @Test func keepsTheRepositoryFromItsStartAndNamesTheRun() throws {
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        let long = "repo:" + String(repeating: "very-long-organisation-name-", count: 3) + "/app:ref:refs/heads/main"
        let token = try IdentityToken(jwt: testJWT(#"{"sub":"\#(long)","repository":"acme/app"}"#))
        #expect(RoleSessionName.derive(from: token, environment: ["GITHUB_RUN_ID": "7412345678"], now: now) == "acme-app@7412345678")
        #expect(RoleSessionName.derive(from: token, environment: ["CI_JOB_ID": "991"], now: now) == "acme-app@991")
        let gitlab = try IdentityToken(jwt: testJWT(#"{"sub":"project_path:group/sub/project:ref_type:branch:ref:main","project_path":"group/sub/project"}"#))
        #expect(RoleSessionName.derive(from: gitlab, environment: ["CI_JOB_ID": "991"], now: now) == "group-sub-project@991")
        // Without a repository claim the sub is cut at its end, never its start.
        let name = RoleSessionName.derive(from: try IdentityToken(jwt: testJWT(#"{"sub":"\#(long)"}"#)), now: now)
        #expect(name.hasPrefix("repo-very-long-organisation-name") && name.hasSuffix("@1800000000") && name.count <= 64)
    }
}

@Suite struct TrustPolicyDiagnosisTests {
    @Test func namesConditionKeysWithTheTokensValues() throws {
        let token = try IdentityToken(jwt: testJWT(
            #"{"iss":"https://token.actions.githubusercontent.com","sub":"repo:acme/app:ref:refs/heads/main","aud":"sts.amazonaws.com","azp":"sts.amazonaws.com","exp":4102444800}"#))
        let text = TrustPolicyDiagnosis.explain(token: token, roleArn: "arn:aws:iam::123456789012:role/deploy")
        #expect(text.contains(#""token.actions.githubusercontent.com:sub": "repo:acme/app:ref:refs/heads/main""#))
        #expect(text.contains(#""token.actions.githubusercontent.com:aud": "sts.amazonaws.com""#))
        #expect(text.contains("arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com"))
        #expect(text.contains("arn:aws:iam::123456789012:role/deploy"))
        #expect(!text.contains(token.jwt.reveal))
    }

    @Test func flagsAnExpiredTokenAndAnHTTPIssuer() throws {
        let token = try IdentityToken(jwt: testJWT(#"{"iss":"http://127.0.0.1:8417","sub":"s","aud":"a","exp":1000}"#))
        let text = TrustPolicyDiagnosis.explain(token: token, roleArn: "arn:aws:iam::123456789012:role/deploy")
        #expect(text.contains("EXPIRED"))
        #expect(text.contains("only https://"))
    }
}

func testJWT(_ claims: String) -> String {
    Base64URL.encode(Data(#"{"alg":"RS256","kid":"k"}"#.utf8)) + "." + Base64URL.encode(Data(claims.utf8)) + ".c2ln"
}

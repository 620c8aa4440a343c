@testable import AWSProvider
import BrokerCore
import Foundation
import Testing

/// Trust policies evaluated as IAM evaluates AssumeRoleWithWebIdentity: AWS's documented
/// GitHub/GitLab/Google examples and the platforms' `sub` formats, allowed and denied.
@Suite struct TrustPolicyTests {
    static let github = "token.actions.githubusercontent.com"
    static let githubARN = "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com"

    /// One Allow statement for `provider` with the given Condition block.
    static func policy(_ condition: String, principal: String = githubARN, action: String = #""sts:AssumeRoleWithWebIdentity""#,
                       more: String = "") -> String {
        #"{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Federated": "\#(principal)"}, "Action": \#(action), "Condition": \#(condition)}\#(more)]}"#
    }

    static let githubPolicy = policy(#"{"StringEquals": {"token.actions.githubusercontent.com:aud": "sts.amazonaws.com"}, "StringLike": {"token.actions.githubusercontent.com:sub": "repo:octo-org/octo-repo:*"}}"#)

    static func claims(_ sub: String, iss: String = "https://token.actions.githubusercontent.com", aud: JSONValue = .string("sts.amazonaws.com"),
                       extra: [String: JSONValue] = [:]) -> [String: JSONValue] {
        ["iss": .string(iss), "sub": .string(sub), "aud": aud].merging(extra) { $1 }
    }

    static func evaluate(_ policy: String, _ claims: [String: JSONValue], role: String? = nil) throws -> TrustPolicyEvaluation {
        TrustPolicyEvaluation(policy: try TrustPolicy.parse(Data(policy.utf8)), request: .init(claims: claims, roleArn: role))
    }

    struct Case: Sendable, CustomTestStringConvertible {
        var name: String
        var policy: String
        var claims: [String: JSONValue]
        var allowed: Bool
        var role: String? = nil
        var testDescription: String { name }
    }

    static let cases: [Case] = [
        Case(name: "GitHub branch push", policy: githubPolicy, claims: claims("repo:octo-org/octo-repo:ref:refs/heads/main"), allowed: true),
        Case(name: "GitHub environment", policy: githubPolicy, claims: claims("repo:octo-org/octo-repo:environment:prod"), allowed: true),
        Case(name: "GitHub pull request", policy: githubPolicy, claims: claims("repo:octo-org/octo-repo:pull_request"), allowed: true),
        Case(name: "another repository", policy: githubPolicy, claims: claims("repo:octo-org/other:ref:refs/heads/main"), allowed: false),
        Case(name: "ID-qualified subject against a plain pattern", policy: githubPolicy,
             claims: claims("repo:octo-org@123/octo-repo@456:ref:refs/heads/main"), allowed: false),
        Case(name: "ID-qualified pattern", policy: policy(#"{"StringLike": {"token.actions.githubusercontent.com:sub": "repo:octo-org@123/octo-repo@456:*"}}"#),
             claims: claims("repo:octo-org@123/octo-repo@456:ref:refs/heads/main"), allowed: true),
        Case(name: "the audience differs", policy: githubPolicy, claims: claims("repo:octo-org/octo-repo:ref:refs/heads/main", aud: .string("sigstore")), allowed: false),
        Case(name: "* crosses ':'", policy: policy(#"{"StringLike": {"token.actions.githubusercontent.com:sub": "repo:octo-org/*"}}"#),
             claims: claims("repo:octo-org/octo-repo:ref:refs/heads/main"), allowed: true),
        Case(name: "a branch pattern does not match an environment", policy: policy(#"{"StringLike": {"token.actions.githubusercontent.com:sub": "repo:octo-org/octo-repo:ref:refs/heads/*"}}"#),
             claims: claims("repo:octo-org/octo-repo:environment:prod"), allowed: false),
        Case(name: "? is exactly one character", policy: policy(#"{"StringLike": {"token.actions.githubusercontent.com:sub": "repo:octo-org/octo-rep?:*"}}"#),
             claims: claims("repo:octo-org/octo-repo:pull_request"), allowed: true),
        Case(name: "? is not two", policy: policy(#"{"StringLike": {"token.actions.githubusercontent.com:sub": "repo:octo-org/octo-re?:*"}}"#),
             claims: claims("repo:octo-org/octo-repo:pull_request"), allowed: false),
        Case(name: "StringLike is case-sensitive", policy: policy(#"{"StringLike": {"token.actions.githubusercontent.com:sub": "repo:Octo-Org/octo-repo:*"}}"#),
             claims: claims("repo:octo-org/octo-repo:pull_request"), allowed: false),
        Case(name: "StringEqualsIgnoreCase", policy: policy(#"{"StringEqualsIgnoreCase": {"token.actions.githubusercontent.com:aud": "STS.amazonaws.com"}}"#),
             claims: claims("repo:a/b:pull_request"), allowed: true),
        Case(name: "condition key names are case-insensitive", policy: policy(#"{"StringEquals": {"Token.Actions.GitHubUserContent.com:SUB": "repo:a/b:pull_request"}}"#),
             claims: claims("repo:a/b:pull_request"), allowed: true),
        Case(name: "reusable workflow subject", policy: policy(#"{"StringLike": {"token.actions.githubusercontent.com:sub": "repo:octo-org/*:job_workflow_ref:octo-org/workflows/.github/workflows/deploy.yml@refs/heads/*"}}"#),
             claims: claims("repo:octo-org/app:job_workflow_ref:octo-org/workflows/.github/workflows/deploy.yml@refs/heads/main"), allowed: true),
        Case(name: "an explicit Deny wins", policy: policy(#"{"StringLike": {"token.actions.githubusercontent.com:sub": "repo:octo-org/*"}}"#,
                                                        more: #", {"Effect": "Deny", "Principal": {"Federated": "\#(githubARN)"}, "Action": "sts:*", "Condition": {"StringLike": {"token.actions.githubusercontent.com:sub": "*:pull_request"}}}"#),
             claims: claims("repo:octo-org/app:pull_request"), allowed: false),
        Case(name: "the Deny's condition does not hold", policy: policy(#"{"StringLike": {"token.actions.githubusercontent.com:sub": "repo:octo-org/*"}}"#,
                                                                  more: #", {"Effect": "Deny", "Principal": "*", "Action": "*", "Condition": {"StringLike": {"token.actions.githubusercontent.com:sub": "*:pull_request"}}}"#),
             claims: claims("repo:octo-org/app:ref:refs/heads/main"), allowed: true),
        Case(name: "StringNotLike", policy: policy(#"{"StringNotLike": {"token.actions.githubusercontent.com:sub": "*:pull_request"}}"#),
             claims: claims("repo:octo-org/app:pull_request"), allowed: false),
        Case(name: "GitLab branch", policy: policy(#"{"StringEquals": {"gitlab.com:aud": "sts.amazonaws.com"}, "StringLike": {"gitlab.com:sub": "project_path:mygroup/*:ref_type:branch:ref:main"}}"#,
                                                   principal: "arn:aws:iam::123456789012:oidc-provider/gitlab.com"),
             claims: claims("project_path:mygroup/myproject:ref_type:branch:ref:main", iss: "https://gitlab.com"), allowed: true),
        Case(name: "GitLab tag against a branch policy", policy: policy(#"{"StringLike": {"gitlab.com:sub": "project_path:mygroup/*:ref_type:branch:ref:main"}}"#,
                                                                        principal: "arn:aws:iam::123456789012:oidc-provider/gitlab.com"),
             claims: claims("project_path:mygroup/myproject:ref_type:tag:ref:v1", iss: "https://gitlab.com"), allowed: false),
        Case(name: "Gitpod: an issuer with a path", policy: policy(#"{"StringLike": {"api.gitpod.io/idp:sub": "https://github.com/acme/*"}}"#,
                                                                   principal: "arn:aws:iam::123456789012:oidc-provider/api.gitpod.io/idp"),
             claims: claims("https://github.com/acme/app", iss: "https://api.gitpod.io/idp"), allowed: true),
        Case(name: "a GitHub token against a GitLab provider", policy: policy(#"{"StringLike": {"gitlab.com:sub": "*"}}"#,
                                                                            principal: "arn:aws:iam::123456789012:oidc-provider/gitlab.com"),
             claims: claims("repo:a/b:pull_request"), allowed: false),
        Case(name: "the provider in another account than the role", policy: githubPolicy, claims: claims("repo:octo-org/octo-repo:pull_request"),
             allowed: false, role: "arn:aws:iam::999999999999:role/deploy"),
        Case(name: "the provider in the role's account", policy: githubPolicy, claims: claims("repo:octo-org/octo-repo:pull_request"),
             allowed: true, role: "arn:aws:iam::123456789012:role/deploy"),
        Case(name: "GovCloud partition", policy: policy("{}", principal: "arn:aws-us-gov:iam::123456789012:oidc-provider/token.actions.githubusercontent.com"),
             claims: claims("repo:a/b:pull_request"), allowed: true, role: "arn:aws-us-gov:iam::123456789012:role/deploy"),
        Case(name: "Action sts:AssumeRole only", policy: policy("{}", action: #""sts:AssumeRole""#), claims: claims("repo:a/b:pull_request"), allowed: false),
        Case(name: "Action sts:*", policy: policy("{}", action: #"["sts:*"]"#), claims: claims("repo:a/b:pull_request"), allowed: true),
        Case(name: "ForAnyValue on a list aud", policy: policy(#"{"ForAnyValue:StringEquals": {"token.actions.githubusercontent.com:aud": "sts.amazonaws.com"}}"#),
             claims: claims("s", aud: .array([.string("sts.amazonaws.com"), .string("other")])), allowed: true),
        Case(name: "ForAllValues on a list aud", policy: policy(#"{"ForAllValues:StringEquals": {"token.actions.githubusercontent.com:aud": "sts.amazonaws.com"}}"#),
             claims: claims("s", aud: .array([.string("sts.amazonaws.com"), .string("other")])), allowed: false),
        Case(name: "ForAllValues on a missing key holds", policy: policy(#"{"ForAllValues:StringEquals": {"token.actions.githubusercontent.com:amr": "x"}}"#),
             claims: claims("s"), allowed: true),
        Case(name: "IfExists on a missing key", policy: policy(#"{"StringEqualsIfExists": {"token.actions.githubusercontent.com:azp": "x"}}"#),
             claims: claims("s"), allowed: true),
        Case(name: "IfExists on a present key", policy: policy(#"{"StringEqualsIfExists": {"token.actions.githubusercontent.com:azp": "x"}}"#),
             claims: claims("s", extra: ["azp": .string("y")]), allowed: false),
        Case(name: "Null true: absent", policy: policy(#"{"Null": {"token.actions.githubusercontent.com:azp": "true"}}"#), claims: claims("s"), allowed: true),
        Case(name: "Null false: must be present", policy: policy(#"{"Null": {"token.actions.githubusercontent.com:azp": false}}"#), claims: claims("s"), allowed: false),
        Case(name: "StringNotEquals on a missing key holds", policy: policy(#"{"StringNotEquals": {"token.actions.githubusercontent.com:azp": "x"}}"#),
             claims: claims("s"), allowed: true),
        Case(name: "Google: aud is the azp", policy: policy(#"{"StringEquals": {"accounts.google.com:aud": "client-y", "accounts.google.com:oaud": "client-x"}}"#,
                                                            principal: "arn:aws:iam::123456789012:oidc-provider/accounts.google.com"),
             claims: claims("1234", iss: "https://accounts.google.com", aud: .string("client-x"), extra: ["azp": .string("client-y")]), allowed: true),
        Case(name: "Google named bare, as AWS documents it", policy: policy(#"{"StringEquals": {"accounts.google.com:aud": "client-y"}}"#, principal: "accounts.google.com"),
             claims: claims("1234", iss: "https://accounts.google.com", aud: .string("client-x"), extra: ["azp": .string("client-y")]), allowed: true),
        Case(name: "an Auth0 issuer keeps its trailing slash", policy: policy(#"{"StringEquals": {"acme.auth0.com/:aud": "sts.amazonaws.com"}}"#,
                                                                             principal: "arn:aws:iam::123456789012:oidc-provider/acme.auth0.com/"),
             claims: claims("auth0|1", iss: "https://acme.auth0.com/"), allowed: true),
        Case(name: "StringEquals compares code points", policy: policy(#"{"StringEquals": {"token.actions.githubusercontent.com:sub": "caf\u00e9"}}"#),
             claims: claims("cafe\u{301}"), allowed: false),
        Case(name: "a source identity needs sts:SetSourceIdentity", policy: githubPolicy,
             claims: claims("repo:octo-org/octo-repo:pull_request", extra: ["https://aws.amazon.com/source_identity": .string("alice")]), allowed: false),
        Case(name: "a source identity with sts:SetSourceIdentity", policy: policy("{}", action: #"["sts:AssumeRoleWithWebIdentity", "sts:SetSourceIdentity"]"#),
             claims: claims("s", extra: ["https://aws.amazon.com/source_identity": .string("alice")]), allowed: true),
        Case(name: "session tags need sts:TagSession", policy: githubPolicy,
             claims: claims("repo:octo-org/octo-repo:pull_request", extra: ["https://aws.amazon.com/tags": .object(["principal_tags": .object(["team": .array([.string("a")])])])]),
             allowed: false),
        Case(name: "session tags with sts:TagSession", policy: policy(#"{"StringEquals": {"aws:RequestTag/team": "a"}}"#, action: #"["sts:AssumeRoleWithWebIdentity", "sts:TagSession"]"#),
             claims: claims("s", extra: ["https://aws.amazon.com/tags": .object(["principal_tags": .object(["team": .array([.string("a")])])])]),
             allowed: true),
    ]

    @Test(arguments: cases)
    func evaluatesAsIAMDoes(_ test: Case) throws {
        let result = try Self.evaluate(test.policy, test.claims, role: test.role)
        #expect(result.allowed == test.allowed, "\(result.statements) \(result.fix ?? "")")
        #expect((result.fix == nil) == test.allowed)
    }

    @Test func theFixNamesTheClaimAndWhatThePolicyExpects() throws {
        let denied = try Self.evaluate(Self.githubPolicy, Self.claims("repo:octo-org@123/octo-repo@456:ref:refs/heads/main"))
        #expect(denied.deciding?.failure == .init(path: "Statement[0].Condition.StringLike.token.actions.githubusercontent.com:sub", operator: "StringLike",
                                                  key: "token.actions.githubusercontent.com:sub", expected: ["repo:octo-org/octo-repo:*"],
                                                  seen: ["repo:octo-org@123/octo-repo@456:ref:refs/heads/main"]))
        #expect(denied.fix?.hasPrefix("the token's sub is `repo:octo-org@123/octo-repo@456:ref:refs/heads/main`; the policy expects StringLike `repo:octo-org/octo-repo:*`") == true)
        #expect(denied.fix?.contains("ID-qualified") == true)
        let gitlab = try Self.evaluate(Self.githubPolicy.replacingOccurrences(of: "oidc-provider/token.actions.githubusercontent.com", with: "oidc-provider/gitlab.com"),
                                       Self.claims("project_path:g/p:ref_type:branch:ref:main", iss: "https://gitlab.com"))
        #expect(gitlab.notes.contains { $0.contains("conditions name keys of token.actions.githubusercontent.com") })
        #expect(gitlab.fix?.contains("another issuer's: this token's is gitlab.com:") == true)
        let variable = try Self.evaluate(Self.policy(#"{"StringLike": {"token.actions.githubusercontent.com:sub": "repo:${aws:PrincipalTag/org}/*"}}"#),
                                         Self.claims("repo:a/b:pull_request"))
        #expect(!variable.allowed && variable.notes.contains { $0.contains("policy variable") })
        let principal = try Self.evaluate(Self.githubPolicy, Self.claims("repo:octo-org/octo-repo:pull_request"), role: "arn:aws:iam::999999999999:role/r")
        #expect(principal.fix == #"name the token's provider in Principal: {"Federated": "arn:aws:iam::999999999999:oidc-provider/token.actions.githubusercontent.com"}"#)
    }

    @Test(arguments: [
        ("not json", "(document)"),
        (#"{"Version": "2012-10-17"}"#, "Statement"),
        (#"{"Statement": [{"Effect": "allow", "Principal": "*", "Action": "*"}]}"#, "Statement[0].Effect"),
        (#"{"Statement": [{"Effect": "Allow", "Principal": "*", "Action": "*", "Condition": {"StringMatch": {"k": "v"}}}]}"#, "Statement[0].Condition.StringMatch"),
        (#"{"Statement": [{"Effect": "Allow", "Principal": "*", "Action": "*", "Condition": {"StringLike": {"k": {"a": 1}}}}]}"#, "Statement[0].Condition.StringLike.k"),
        (#"{"Statement": [{"Effect": "Allow", "Action": "*"}]}"#, "Statement[0].Principal"),
        (#"{"Statement": [{"Effect": "Allow", "Principal": "*", "Action": "s3:*", "Resource": "*"}]}"#, "Statement[0].Resource"),
        (#"{"Statement": {"Effect": "Deny", "Principal": {"Federated": []}, "Action": "*"}}"#, "Statement[0].Principal.Federated"),
        (#"{"Statement": [], "Extra": 1}"#, "Extra"),
        (#"{"Statement": [{"Effect": "Allow", "Principal": "*", "Action": ["sts:*", 3]}]}"#, "Statement[0].Action[1]"),
        (#"{"Statement": [{"Effect": "Allow", "Principal": "*", "Action": "*", "Condition": {"NullIfExists": {"k": "true"}}}]}"#, "Statement[0].Condition.NullIfExists"),
    ])
    func malformedPoliciesAreNamedByTheirPath(text: String, path: String) {
        #expect {
            _ = try TrustPolicy.parse(Data(text.utf8))
        } throws: { error in
            (error as? TrustPolicy.Problem)?.path == path
        }
    }

    @Test func likeIsLinearOnNastyPatterns() {
        let text = Array(String(repeating: "a", count: 5000).unicodeScalars)
        let pattern = Array((String(repeating: "*a", count: 200) + "b").unicodeScalars)
        #expect(!ConditionOperator.like(pattern, text))
        #expect(ConditionOperator.like(Array("*".unicodeScalars), []))
        #expect(!ConditionOperator.like(Array("?".unicodeScalars), []))
        #expect(ConditionOperator.like(Array("a*b?c".unicodeScalars), Array("a::b:c".unicodeScalars)))
    }
}

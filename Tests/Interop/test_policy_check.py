"""`broker policy check aws` / `policy generate aws`: the role's trust policy evaluated offline
against the token a login would send (the rule table itself is Tests/AWSProviderTests)."""
import json

import pytest

ISSUER = "https://issuer.example.com/ci"
ROLE = "arn:aws:iam::123456789012:role/deploy"
MAIN = "repo:acme/app:ref:refs/heads/main"


def token_file(broker, subject, name="token"):
    path = broker.root / name
    path.write_text(broker.token("sts.amazonaws.com", "--subject", subject, "--issuer", ISSUER))
    return path


def check(broker, policy_text, *flags):
    policy = broker.root / "trust.json"
    policy.write_text(policy_text)
    return broker.run("policy", "check", "aws", "--policy", str(policy), *flags, check=False)


def test_a_generated_policy_allows_its_token_and_denies_another_subject(broker):
    generated = broker.run("policy", "generate", "aws", "--issuer", ISSUER, "--subject", "repo:acme/app:ref:refs/heads/*",
                           "--role-arn", ROLE).stdout
    document = json.loads(generated)
    statement = document["Statement"][0]
    assert statement["Principal"] == {"Federated": "arn:aws:iam::123456789012:oidc-provider/issuer.example.com/ci"}
    assert statement["Condition"] == {"StringEquals": {"issuer.example.com/ci:aud": "sts.amazonaws.com"},
                                      "StringLike": {"issuer.example.com/ci:sub": "repo:acme/app:ref:refs/heads/*"}}

    allowed = check(broker, generated, "--source", "file", "--token-file", str(token_file(broker, MAIN)), "--role-arn", ROLE)
    assert allowed.returncode == 0, allowed.stdout + allowed.stderr
    assert "ALLOWED by Statement[0]" in allowed.stdout

    other = "repo:acme/app:environment:prod"
    denied = check(broker, generated, "--source", "file", "--token-file", str(token_file(broker, other, "other")), "--role-arn", ROLE)
    assert denied.returncode == 1
    assert f"fix: the token's sub is `{other}`; the policy expects StringLike `repo:acme/app:ref:refs/heads/*`" in denied.stdout
    assert f"the token's value: {other}" in denied.stdout


def test_the_default_subject_and_issuer_are_the_tokens_a_login_would_send(broker):
    broker.env["BROKER_ISSUER_URL"] = ISSUER
    generated = broker.run("policy", "generate", "aws", "--account", "123456789012").stdout
    statement = json.loads(generated)["Statement"][0]
    assert statement["Principal"]["Federated"].endswith(":oidc-provider/issuer.example.com/ci")
    # The same token source, checked against the policy generated from it: allowed.
    assert check(broker, generated).returncode == 0


def test_json_output_names_the_deciding_statement_and_the_failure(broker):
    claims = broker.root / "claims.json"
    claims.write_text(json.dumps({"iss": "https://token.actions.githubusercontent.com", "aud": "sts.amazonaws.com",
                                  "sub": "repo:acme@1/app@2:ref:refs/heads/main"}))
    policy = json.dumps({"Version": "2012-10-17", "Statement": [{
        "Sid": "GitHubMain", "Effect": "Allow",
        "Principal": {"Federated": "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com"},
        "Action": "sts:AssumeRoleWithWebIdentity",
        "Condition": {"StringLike": {"token.actions.githubusercontent.com:sub": "repo:acme/app:*"}}}]})
    result = check(broker, policy, "--claims", str(claims), "--output", "json")
    assert result.returncode == 1
    report = json.loads(result.stdout)
    assert report["decision"] == "denied" and report["deciding"] == "Statement[0]"
    failure = report["statements"][0]["failure"]
    assert failure["operator"] == "StringLike" and failure["seen"] == ["repo:acme@1/app@2:ref:refs/heads/main"]
    assert "ID-qualified" in report["fix"]


@pytest.mark.parametrize("policy, said", [
    ("{not json", "not valid JSON"),
    ('{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "*", "Condition": {"StringMatches": {"k": "v"}}}]}',
     "Statement[0].Condition.StringMatches"),
    ('{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*", "Principal": "*"}]}',
     "Statement[0].Resource"),
])
def test_a_policy_that_is_not_a_trust_policy_exits_2_with_its_json_path(broker, policy, said):
    claims = broker.root / "claims.json"
    claims.write_text('{"iss": "https://gitlab.com", "sub": "x", "aud": "sts.amazonaws.com"}')
    result = check(broker, policy, "--claims", str(claims))
    assert result.returncode == 2 and said in result.stderr, result.stderr


@pytest.mark.parametrize("args, said", [
    (["policy", "generate", "aws", "--issuer", ISSUER, "--subject", "repo:a/b:*"], "--account"),
    (["policy", "generate", "aws", "--issuer", "http://127.0.0.1:8417", "--subject", "s", "--account", "123456789012"], "not an https URL"),
    (["policy", "generate", "aws", "--issuer", ISSUER, "--subject", "*", "--account", "123456789012"], "'*' would let every token"),
    (["policy", "generate", "aws", "--issuer", ISSUER, "--subject", "s", "--account", "12345"], "12-digit"),
    (["policy", "check", "aws", "--policy", "/nonexistent.json", "--claims", "/nonexistent.json"], "cannot read"),
    (["policy", "check", "aws", "--policy", "x", "--role-arn", "deploy"], "not a role ARN"),
])
def test_bad_input_exits_2(broker, args, said):
    result = broker.run(*args, check=False)
    assert result.returncode == 2 and said in result.stderr, result.stderr

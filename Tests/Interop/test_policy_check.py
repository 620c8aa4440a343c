"""`broker policy check aws` / `policy generate aws`: the role's trust policy evaluated offline
against the token a login would send (the rule table itself is Tests/AWSProviderTests)."""
import json
import shlex

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
    (["policy", "check", "aws", "--policy", "x", "--role-arn", "deploy"], "--role-arn: 'deploy' is not an IAM role ARN"),
])
def test_bad_input_exits_2(broker, args, said):
    result = broker.run(*args, check=False)
    assert result.returncode == 2 and said in result.stderr, result.stderr


# --- Vault/OpenBao: broker's prediction against the real server's answer -------------------

VAULT_ROLES = {
    "glob-sub": {"bound_audiences": ["vault"], "bound_claims_type": "glob", "bound_claims": {"sub": "repo:acme/*"}},
    "exact-sub": {"bound_audiences": ["vault"], "bound_subject": "repo:acme/app"},
    "team": {"bound_audiences": ["vault", "other"], "bound_claims": {"team": ["blue", "green"]}},
    "no-audience": {"bound_subject": "repo:acme/app"},
    "email-user": {"bound_audiences": ["vault"], "user_claim": "email", "bound_subject": "repo:acme/app"},
    "glob-middle": {"bound_audiences": ["vault"], "bound_claims_type": "glob", "bound_claims": {"sub": "repo:*/app", "team": "b*"}},
}

VAULT_TOKENS = [
    ("vault", "repo:acme/app", {"team": "blue"}),
    ("vault", "repo:acme/lib", {"team": "red"}),
    ("vault", "repo:evil/app", {"team": "green"}),
    ("other", "repo:acme/app", {"team": "green"}),
    ("vault", "repo:acme/app", {"email": "dev@acme.example", "team": "brown"}),
]


def test_policy_check_vault_predicts_what_openbao_answers(broker, serve, openbao):
    served = serve()
    assert openbao.api("POST", "sys/auth/jwt", {"type": "jwt"})[0] in (200, 204)
    assert openbao.api("POST", "auth/jwt/config", {"oidc_discovery_url": served.url, "bound_issuer": served.url})[0] in (200, 204)
    for name, role in VAULT_ROLES.items():
        status, body = openbao.api("POST", f"auth/jwt/role/{name}", {"role_type": "jwt", "user_claim": "sub", "token_policies": ["default"], **role})
        assert status in (200, 204), (name, body)
    outcomes = []
    for name in VAULT_ROLES:
        status, role = openbao.api("GET", f"auth/jwt/role/{name}")
        role_file = broker.root / f"{name}.json"
        role_file.write_text(json.dumps(role))  # as `bao read -format=json` prints it: {"data": {...}}
        for index, (audience, subject, claims) in enumerate(VAULT_TOKENS):
            extra = [word for key, value in claims.items() for word in ("--claim", f"{key}={value}")]
            token = broker.token(audience, "--subject", subject, *extra)
            token_file = broker.root / f"token-{index}"
            token_file.write_text(token)
            predicted = broker.run("policy", "check", "vault", "--policy", str(role_file), "--audience", audience,
                                   "--source", "file", "--token-file", str(token_file), check=False)
            assert predicted.returncode in (0, 1), predicted.stderr
            status, body = openbao.login(name, token)
            assert status in (200, 400, 403), body
            outcomes.append((name, subject, audience, predicted.returncode == 0, status == 200))
    mismatches = [o for o in outcomes if o[3] != o[4]]
    assert not mismatches, mismatches
    # Both answers occur: the table tells accepted from refused.
    assert {o[4] for o in outcomes} == {True, False}


def test_generated_vault_role_azure_credential_and_gcp_condition_allow_their_token(broker):
    broker.env["BROKER_ISSUER_URL"] = ISSUER
    subject = ["--subject", MAIN]
    role = broker.root / "role.json"
    role.write_text(broker.run("policy", "generate", "vault", "--token-policy", "deploy", *subject).stdout)
    assert json.loads(role.read_text())["bound_subject"] == MAIN
    azure = broker.root / "credential.json"
    azure.write_text(broker.run("policy", "generate", "azure", *subject).stdout)
    assert json.loads(azure.read_text())["issuer"] == ISSUER

    def token(audience, sub):
        path = broker.root / "token"
        path.write_text(broker.token(audience, "--subject", sub))
        return ["--source", "file", "--token-file", str(path)]

    for cloud, policy, audience in (("vault", role, "vault"), ("azure", azure, "api://AzureADTokenExchange")):
        assert broker.run("policy", "check", cloud, "--policy", str(policy), *token(audience, MAIN), check=False).returncode == 0
        denied = broker.run("policy", "check", cloud, "--policy", str(policy), *token(audience, "repo:acme/app:environment:prod"), check=False)
        assert denied.returncode == 1 and "fix:" in denied.stdout, denied.stdout

    provider = "projects/123456789012/locations/global/workloadIdentityPools/ci-pool/providers/broker"
    flags = broker.run("policy", "generate", "gcp", "--provider", provider, *subject).stdout
    words = dict(word.split("=", 1) for word in shlex.split(flags.replace("\\\n", " ")))  # as the shell reads the lines
    assert words["--issuer-uri"] == ISSUER and words["--attribute-mapping"] == "google.subject=assertion.sub"
    condition = words["--attribute-condition"]
    assert condition == f"assertion.sub == '{MAIN}'"
    described = broker.root / "provider.json"
    described.write_text(json.dumps({"name": provider, "state": "ACTIVE", "disabled": False, "attributeCondition": condition,
                                     "attributeMapping": {"google.subject": "assertion.sub"}, "oidc": {"issuerUri": ISSUER}}))
    audience = "//iam.googleapis.com/" + provider
    assert broker.run("policy", "check", "gcp", "--policy", str(described), *token(audience, MAIN), check=False).returncode == 0
    assert broker.run("policy", "check", "gcp", "--policy", str(described), *token(audience, "repo:acme/lib"), check=False).returncode == 1

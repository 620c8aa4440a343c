"""One config, one command, every provider: config validation, CI token sources, multi-provider
logins against moto, state, status and logout."""
import base64
import json
import os
import stat
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from conftest import REPO
from sts_stub import OK, STSStub, error
from conftest import caller_identity_boto3

ROLE_A = "arn:aws:iam::111111111111:role/deploy"
ROLE_B = "arn:aws:iam::222222222222:role/deploy"


def write_config(broker, providers, **top):
    return broker.own_config({"version": 1, "providers": providers, **top})


# --- the config file ----------------------------------------------------------------------

BROKEN = [
    ('{"version": 1, "providers": {', "not valid JSON"),
    ('{"version": 1, "providers": {"aws-dev": {"adapter": "aws-sts", "roleArm": "x"}}}', "providers.aws-dev.roleArm: unknown setting"),
    ('{"version": 1, "providers": {"aws-dev": {"adapter": "aws-sts", "roleArn": "%s", "durationSeconds": "a while"}}}' % ROLE_A,
     "providers.aws-dev.durationSeconds"),
    ('{"version": 1, "providers": {"aws-dev": {"adapter": "aws-sts", "roleArn": "%s", "durationSeconds": true}}}' % ROLE_A,
     "providers.aws-dev.durationSeconds: expected a duration"),
    ('{"version": 1, "providers": {"x": {"adapter": "aws-ssso", "roleArn": "%s"}}}' % ROLE_A, "providers.x.adapter: unknown adapter"),
    ('{"version": 1, "providers": {"x": {"adapter": "aws-sts", "roleArn": "${BROKER_TEST_UNSET_VAR}"}}}',
     "providers.x.roleArn: environment variable BROKER_TEST_UNSET_VAR is not set"),
    ('{"version": 1, "issuer": {"lifetime": "forever"}}', "issuer.lifetime"),
    ('{"version": 1, "providers": {"x": {"adapter": "aws-sts", "roleArn": "%s", "timeout": "soon"}}}' % ROLE_A, "providers.x.timeout"),
    ('{"version": 1, "providers": {"x": {"adapter": "aws-sts", "roleArn": "not-an-arn"}}}', "providers.x.roleArn"),
    ('{"version": 1, "providers": {"x": {"adapter": "aws-sts", "roleArn": "%s", "durationSeconds": 60}}}' % ROLE_A,
     "providers.x.durationSeconds"),
    ('{"version": 1, "providers": {"a": {"adapter": "aws-sts", "roleArn": "%s", "profile": "p"}, "b": {"adapter": "aws-sts", "roleArn": "%s", "profile": "p"}}}'
     % (ROLE_A, ROLE_B), "providers.b"),
    ('{"version": 1, "providers": {"x": {"adapter": "aws-sts"}}}', "providers.x.roleArn: is required"),
    ('{"version": 3}', "version"),
]


@pytest.mark.parametrize("text,expected", BROKEN, ids=[e for _, e in BROKEN])
def test_broken_configs_exit_2_with_the_json_path(broker, text, expected):
    path = broker.root / "broken.json"
    path.write_text(text)
    for command in (["config", "validate"], ["login", "--all"]):
        result = broker.run(*command, "--config", str(path), check=False)
        assert result.returncode == 2, result.stderr
        assert expected in result.stderr
        assert str(path) in result.stderr
    assert not (broker.home / ".aws").exists()


def test_config_example_is_valid(broker):
    result = broker.run("config", "validate", "--config", str(REPO / "config.example.json"))
    assert "valid" in result.stderr


def test_config_show_resolves_variables_and_schema_covers_adapters(broker):
    path = write_config(broker, {"aws-dev": {"adapter": "aws-sts", "roleArn": "${DEV_ROLE}", "profile": "dev"}})
    shown = json.loads(broker.run("config", "show", "--config", str(path), env={"DEV_ROLE": ROLE_B}).stdout)
    assert shown["providers"]["aws-dev"]["roleArn"] == "<from ${DEV_ROLE}>"
    shown = json.loads(broker.run("config", "show", "--reveal", "--config", str(path), env={"DEV_ROLE": ROLE_B}).stdout)
    assert shown["providers"]["aws-dev"]["roleArn"] == ROLE_B
    assert shown["providers"]["aws-dev"]["audience"] == "sts.amazonaws.com"
    schema = json.loads(broker.run("config", "schema").stdout)
    variants = schema["properties"]["providers"]["additionalProperties"]["oneOf"]
    aws_variant = next(v for v in variants if v["properties"]["adapter"]["const"] == "aws-sts")
    assert {"roleArn", "durationSeconds", "stsEndpoint", "roleSessionName", "policyArn"} <= set(aws_variant["properties"])


def test_config_is_found_in_order(broker, tmp_path):
    local = write_config(broker, {})
    assert str(local) in broker.run("doctor").stdout or "broker.json" in broker.run("doctor").stdout
    other = tmp_path / "other.json"
    other.write_text(json.dumps({"version": 1}))
    assert str(other) in broker.run("doctor", env={"BROKER_CONFIG": str(other)}).stdout
    assert "explicit.json" in broker.run("doctor", "--config", str(tmp_path / "explicit.json"), check=False).stderr


# --- multi-provider logins ----------------------------------------------------------------

def test_login_all_logs_into_every_provider_with_one_token_per_audience(broker, aws, moto):
    config = write_config(broker, {
        "acct-a": {"adapter": "aws-sts", "roleArn": ROLE_A, "profile": "a", "stsEndpoint": moto},
        "acct-b": {"adapter": "aws-sts", "roleArn": ROLE_B, "profile": "b", "stsEndpoint": moto, "mode": "credential-process"},
    })
    result = broker.run("login", "--all", "--output", "json", "--verbose")
    report = json.loads(result.stdout)
    assert report["ok"] is True
    assert [r["name"] for r in report["results"]] == ["acct-a", "acct-b"]
    assert all(r["status"] == "ok" for r in report["results"])
    assert "NAME" in result.stderr and "acct-b" in result.stderr
    assert "token source" in result.stderr
    assert "111111111111" in caller_identity_boto3(broker, "a", moto)[0]
    assert "222222222222" in caller_identity_boto3(broker, "b", moto)[0]
    status = json.loads(broker.run("status", "--output", "json").stdout)["results"]
    assert {s["name"] for s in status} == {"acct-a", "acct-b"}


def test_one_token_per_audience(broker, aws):
    sts = STSStub([OK, OK])
    try:
        write_config(broker, {
            "a": {"adapter": "aws-sts", "roleArn": ROLE_A, "profile": "a", "stsEndpoint": sts.url},
            "b": {"adapter": "aws-sts", "roleArn": ROLE_B, "profile": "b", "stsEndpoint": sts.url},
        })
        broker.run("login", "a", "b")
        tokens = {r["form"]["WebIdentityToken"][0] for r in sts.requests}
        assert len(sts.requests) == 2 and len(tokens) == 1
    finally:
        sts.close()


def test_a_failing_provider_fails_the_run_after_attempting_all(broker, aws):
    # Each provider has its own STS stub: they run concurrently, so one shared script would race.
    denying = STSStub([error(403, "AccessDenied", "Not authorized")])
    granting = STSStub([OK])
    try:
        write_config(broker, {
            "bad": {"adapter": "aws-sts", "roleArn": ROLE_A, "profile": "bad", "stsEndpoint": denying.url, "maxAttempts": 1},
            "good": {"adapter": "aws-sts", "roleArn": ROLE_B, "profile": "good", "stsEndpoint": granting.url},
        }, source={"type": "embedded"})
        result = broker.run("login", "--all", "--output", "json", check=False)
        assert result.returncode == 1
        rows = {r["name"]: r for r in json.loads(result.stdout)["results"]}
        assert rows["bad"]["status"] == "failed" and "AccessDenied" in rows["bad"]["error"]
        assert rows["good"]["status"] == "ok"
        assert "AccessDenied" in result.stderr
        assert len(denying.requests) == 1 and len(granting.requests) == 1
    finally:
        denying.close()
        granting.close()


def test_min_remaining_skips_fresh_credentials(broker, aws):
    sts = STSStub([OK, OK])
    try:
        write_config(broker, {"a": {"adapter": "aws-sts", "roleArn": ROLE_A, "stsEndpoint": sts.url}})
        broker.run("login", "--all", "--min-remaining", "15m")
        second = broker.run("login", "--all", "--min-remaining", "15m")
        assert len(sts.requests) == 1
        assert "skipped" in second.stderr
    finally:
        sts.close()


def test_logout_removes_exactly_what_broker_wrote(broker, aws):
    aws.mkdir(mode=0o700)
    original_credentials = "# keep me\n[mine]\naws_access_key_id = AKIAMINE\n\n"
    original_config = "[profile mine]\nregion = us-west-2\n"
    (aws / "credentials").write_text(original_credentials)
    (aws / "config").write_text(original_config)
    sts = STSStub([OK, OK, OK])
    try:
        write_config(broker, {
            "s": {"adapter": "aws-sts", "roleArn": ROLE_A, "profile": "s", "stsEndpoint": sts.url, "region": "eu-west-1"},
            "c": {"adapter": "aws-sts", "roleArn": ROLE_A, "profile": "c", "stsEndpoint": sts.url, "mode": "credential-process"},
            "w": {"adapter": "aws-sts", "roleArn": ROLE_A, "profile": "w", "stsEndpoint": sts.url, "mode": "web-identity"},
        })
        broker.run("login", "--all")
        assert "[s]" in (aws / "credentials").read_text()
        broker.run("logout", "--all")
        assert (aws / "credentials").read_text() == original_credentials
        assert (aws / "config").read_text() == original_config
        assert json.loads(broker.run("status", "--output", "json").stdout)["results"] == []
        leftovers = list((broker.root / "broker-home" / "aws").rglob("*.j*"))
        assert leftovers == []
    finally:
        sts.close()


def test_state_file_is_private(broker, aws):
    sts = STSStub([OK])
    try:
        broker.run("login", "aws", "--role-arn", ROLE_A, "--sts-endpoint", sts.url)
        state = broker.root / "broker-home" / "state.json"
        assert stat.S_IMODE(os.stat(state).st_mode) == 0o600
        assert "STUBSECRETKEY" not in state.read_text()
    finally:
        sts.close()


def test_login_aws_uses_a_config_entry_named_aws_and_flags_override(broker, aws):
    sts = STSStub([OK, OK])
    try:
        write_config(broker, {"aws": {"adapter": "aws-sts", "roleArn": ROLE_A, "profile": "from-config", "stsEndpoint": sts.url}})
        broker.run("login", "aws")
        assert sts.requests[0]["form"]["RoleArn"] == [ROLE_A]
        broker.run("login", "aws", "--role-arn", ROLE_B, "--profile", "from-flag")
        assert sts.requests[1]["form"]["RoleArn"] == [ROLE_B]
        text = (aws / "credentials").read_text()
        assert "[from-config]" in text and "[from-flag]" in text
    finally:
        sts.close()


# --- CI token sources ----------------------------------------------------------------------

def fake_jwt(claims):
    enc = lambda d: base64.urlsafe_b64encode(json.dumps(d).encode()).rstrip(b"=").decode()
    return enc({"alg": "RS256", "kid": "k"}) + "." + enc(claims) + ".c2ln"


class GitHubTokenStub:
    """GitHub Actions' token endpoint: checks the bearer and the audience parameter."""

    def __init__(self, request_token):
        self.audiences = []
        stub = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_GET(self):
                query = urllib.parse.parse_qs(urllib.parse.urlparse(self.path).query)
                if self.headers.get("Authorization") != f"Bearer {request_token}":
                    self.send_response(401)
                    self.end_headers()
                    return
                audience = query["audience"][0]
                stub.audiences.append(audience)
                body = json.dumps({"value": fake_jwt({"sub": "repo:acme/app:ref:refs/heads/main", "aud": audience,
                                                      "iss": "https://token.actions.githubusercontent.com"})}).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(body)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/token?api-version=2.0"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


def test_auto_detects_github_actions_and_logs_in_with_its_token(broker, aws):
    github = GitHubTokenStub("request-secret")
    sts = STSStub([OK])
    try:
        env = {"ACTIONS_ID_TOKEN_REQUEST_URL": github.url, "ACTIONS_ID_TOKEN_REQUEST_TOKEN": "request-secret", "GITHUB_ACTIONS": "true"}
        doctor = broker.run("doctor", env=env, check=False).stdout
        assert "GitHub" in doctor and "ACTIONS_ID_TOKEN_REQUEST_URL" in doctor
        # The doctor proves a token can be had: one request, and the secret is never shown.
        assert "ok    token for (default): aud sts.amazonaws.com" in doctor and "request-secret" not in doctor
        assert github.audiences == ["sts.amazonaws.com"]
        github.audiences.clear()
        result = broker.run("login", "aws", "--role-arn", ROLE_A, "--sts-endpoint", sts.url, env=env)
        assert github.audiences == ["sts.amazonaws.com"]
        sent = sts.requests[0]["form"]["WebIdentityToken"][0]
        assert json.loads(base64.urlsafe_b64decode(sent.split(".")[1] + "=="))["sub"] == "repo:acme/app:ref:refs/heads/main"
        assert "request-secret" not in result.stderr
    finally:
        github.server.shutdown()
        sts.close()


def fake_tool(directory, name, body):
    path = Path(directory) / name
    path.write_text("#!/bin/sh\n" + body)
    path.chmod(0o755)
    return path


def test_buildkite_and_gitpod_sources_run_their_agents(broker, aws, tmp_path):
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    token = fake_jwt({"sub": "pipeline", "aud": "sts.amazonaws.com"})
    fake_tool(bin_dir, "buildkite-agent", f'echo "$@" > {tmp_path}/buildkite-args\necho {token}\n')
    fake_tool(bin_dir, "gp", f'echo "$@" > {tmp_path}/gp-args\necho {token}\n')
    path = f"{bin_dir}:{os.environ['PATH']}"
    sts = STSStub([OK, OK])
    try:
        broker.run("login", "aws", "--role-arn", ROLE_A, "--sts-endpoint", sts.url,
                   env={"PATH": path, "BUILDKITE": "true"})
        assert (tmp_path / "buildkite-args").read_text().split() == ["oidc", "request-token", "--audience", "sts.amazonaws.com"]
        broker.run("login", "aws", "--role-arn", ROLE_A, "--sts-endpoint", sts.url, "--source", "gitpod", env={"PATH": path})
        assert (tmp_path / "gp-args").read_text().split() == ["idp", "token", "--audience", "sts.amazonaws.com"]
    finally:
        sts.close()


def test_circleci_and_bitbucket_sources_are_detected_and_used(broker, aws, tmp_path):
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    token = fake_jwt({"sub": "org/o/project/p/user/u", "aud": "sts.amazonaws.com"})
    fake_tool(bin_dir, "circleci", f'printf "%s\\n" "$@" > {tmp_path}/circleci-args\necho {token}\n')
    path = f"{bin_dir}:{os.environ['PATH']}"
    sts = STSStub([OK, OK])
    try:
        circle = {"PATH": path, "CIRCLECI": "true"}
        assert "CircleCI: CIRCLECI=true and the circleci CLI is at" in broker.run("doctor", env=circle, check=False).stdout
        broker.run("login", "aws", "--role-arn", ROLE_A, "--sts-endpoint", sts.url, env=circle)
        assert (tmp_path / "circleci-args").read_text().splitlines() == ["run", "oidc", "get", "--claims", '{"aud":"sts.amazonaws.com"}']
        assert sts.requests[-1]["form"]["WebIdentityToken"] == [token]

        bitbucket = {"BITBUCKET_BUILD_NUMBER": "7", "BITBUCKET_STEP_OIDC_TOKEN": token}
        broker.run("login", "aws", "--role-arn", ROLE_A, "--sts-endpoint", sts.url, env=bitbucket)
        assert sts.requests[-1]["form"]["WebIdentityToken"] == [token]
        # Without `oidc: true` on the step: said, and no silent fall back to the embedded issuer.
        refused = broker.run("login", "aws", "--role-arn", ROLE_A, "--sts-endpoint", sts.url, env={"BITBUCKET_BUILD_NUMBER": "7"}, check=False)
        assert refused.returncode == 2 and "oidc: true" in refused.stderr and len(sts.requests) == 2
    finally:
        sts.close()


def test_gitlab_source_reads_the_id_token_variable(broker, aws):
    sts = STSStub([OK])
    try:
        token = fake_jwt({"sub": "project_path:acme/app", "aud": "sts.amazonaws.com"})
        write_config(broker, {"a": {"adapter": "aws-sts", "roleArn": ROLE_A, "stsEndpoint": sts.url}},
                     source={"type": "gitlab", "variable": "AWS_ID_TOKEN"})
        missing = broker.run("login", "--all", check=False)
        assert missing.returncode == 2 and "id_tokens" in missing.stderr
        broker.run("login", "--all", env={"AWS_ID_TOKEN": token})
        assert sts.requests[0]["form"]["WebIdentityToken"] == [token]
    finally:
        sts.close()


def test_gitlab_variables_give_one_token_per_audience(broker, aws):
    sts = STSStub([OK, OK])
    try:
        aws_token = fake_jwt({"sub": "project_path:acme/app", "aud": "sts.amazonaws.com"})
        other_token = fake_jwt({"sub": "project_path:acme/app", "aud": "other-aud"})
        write_config(broker, {
            "a": {"adapter": "aws-sts", "roleArn": ROLE_A, "profile": "a", "stsEndpoint": sts.url},
            "b": {"adapter": "aws-sts", "audience": "other-aud", "roleArn": ROLE_B, "profile": "b", "stsEndpoint": sts.url},
        }, source={"type": "gitlab", "variables": {"sts.amazonaws.com": "AWS_ID_TOKEN", "other-aud": "OTHER_ID_TOKEN"}})
        broker.run("login", "--all", env={"AWS_ID_TOKEN": aws_token, "OTHER_ID_TOKEN": other_token, "GITLAB_CI": "true"})
        sent = {r["form"]["RoleArn"][0]: r["form"]["WebIdentityToken"][0] for r in sts.requests}
        assert sent == {ROLE_A: aws_token, ROLE_B: other_token}
    finally:
        sts.close()


def test_source_warnings_are_said_once_in_doctor_and_verbose(broker, aws):
    sts = STSStub([OK])
    try:
        token = broker.token("sts.amazonaws.com")
        env = {"GITHUB_ACTIONS": "true", "GITLAB_CI": "true", "BROKER_ID_TOKEN": token}
        doctor = broker.run("doctor", env=env).stdout
        assert doctor.count("permissions: id-token: write") == 1 and "GitLab CI" in doctor
        write_config(broker, {"a": {"adapter": "aws-sts", "roleArn": ROLE_A, "stsEndpoint": sts.url, "profile": "a"}})
        result = broker.run("login", "--all", "--verbose", env=env)
        assert result.stderr.count("permissions: id-token: write") == 1
    finally:
        sts.close()


def test_two_vault_entries_naming_one_token_file_two_ways_are_refused(broker):
    home = broker.home
    result = broker.run("config", "validate", "--config", str(write_config(broker, {
        "one": {"adapter": "vault-jwt", "address": "http://127.0.0.1:8200", "role": "r"},
        "two": {"adapter": "vault-jwt", "address": "http://127.0.0.1:8200", "role": "r", "tokenFile": f"{home}/.vault-token"},
    })), check=False)
    assert result.returncode == 2 and "which providers.one writes too" in result.stderr

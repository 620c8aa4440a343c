"""Google Cloud workload identity federation: broker against a loopback Google STS + IAM stub
(test code), judged by the real google-auth library loading and refreshing broker's file."""
import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import BROKER, home_snapshot
from gcp_stub import CLOUD_PLATFORM, PROVIDER, SERVICE_ACCOUNT, STS_AUDIENCE, GoogleStub

GOOGLE_AUTH = """
import json, os, sys
import google.auth, google.auth.transport.requests
credentials, project = google.auth.default()
credentials = credentials.with_scopes([sys.argv[1]])
credentials.refresh(google.auth.transport.requests.Request())
print(json.dumps({"token": credentials.token, "project": project, "type": type(credentials).__module__}))
"""


@pytest.fixture
def google(broker):
    stubs = []

    def make(**kwargs):
        jwks = json.loads(broker.run("idp", "jwks").stdout)
        stub = GoogleStub(jwks, **kwargs)
        stubs.append(stub)
        return stub

    yield make
    for stub in stubs:
        stub.close()


def endpoints(stub):
    return ["--sts-endpoint", stub.url, "--iam-endpoint", stub.url]


def login(broker, stub, *extra, check=True, env=None):
    return broker.run("login", "gcp", "--workload-identity-provider", PROVIDER, *endpoints(stub), *extra, check=check, env=env)


def exports(text):
    return dict(line[len("export "):].split("=", 1) for line in text.splitlines() if line.startswith("export "))


def google_auth(broker, credentials_file, project=None, **extra):
    """google-auth's Application Default Credentials from the variables broker exported."""
    env = {**os.environ, **broker.env, "GOOGLE_APPLICATION_CREDENTIALS": credentials_file, **extra}
    env.pop("GOOGLE_CLOUD_PROJECT", None)
    if project:
        env["GOOGLE_CLOUD_PROJECT"] = project
    result = subprocess.run([sys.executable, "-c", GOOGLE_AUTH, CLOUD_PLATFORM], capture_output=True, text=True, env=env, cwd=broker.root)
    return result


def home_files(broker):
    root = Path(broker.env["BROKER_HOME"])
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file() and "issuer" not in p.parts) if root.exists() else []


def test_login_gcp_file_source_google_auth_refreshes_through_sts_and_impersonation(broker, google):
    stub = google()
    result = login(broker, stub, "--service-account", SERVICE_ACCOUNT, "--project-id", "acme-prod", "--output", "env")
    variables = exports(result.stdout)
    credentials_file = variables["GOOGLE_APPLICATION_CREDENTIALS"]
    assert variables["CLOUDSDK_AUTH_CREDENTIAL_FILE_OVERRIDE"] == credentials_file == variables["GOOGLE_GHA_CREDS_PATH"]
    assert all(variables[name] == "acme-prod" for name in ("CLOUDSDK_CORE_PROJECT", "CLOUDSDK_PROJECT", "GCLOUD_PROJECT", "GOOGLE_CLOUD_PROJECT"))
    assert credentials_file.startswith(broker.env["BROKER_HOME"])  # not in the workspace

    # broker's own exchange: the grant Google expects, with the token for the provider's audience.
    form = stub.sts_requests[0]["form"]
    assert form["grant_type"] == "urn:ietf:params:oauth:grant-type:token-exchange"
    assert form["audience"] == STS_AUDIENCE and form["scope"] == CLOUD_PLATFORM
    assert form["subject_token_type"] == "urn:ietf:params:oauth:token-type:jwt"
    assert stub.iam_requests[0]["body"] == {"scope": [CLOUD_PLATFORM], "lifetime": "3600s"}
    assert stub.iam_requests[0]["headers"]["authorization"] == "Bearer " + next(iter(stub.issued))

    document = json.loads(Path(credentials_file).read_text())
    assert document["type"] == "external_account" and document["audience"] == STS_AUDIENCE
    assert document["token_url"] == stub.url + "/v1/token"
    assert document["service_account_impersonation_url"] == f"{stub.url}/v1/projects/-/serviceAccounts/{SERVICE_ACCOUNT}:generateAccessToken"
    assert document["service_account_impersonation"] == {"token_lifetime_seconds": 3600}
    assert document["universe_domain"] == "googleapis.com"
    token_file = Path(document["credential_source"]["file"])
    assert document["credential_source"]["format"] == {"type": "text"}
    for path in (token_file, Path(credentials_file)):
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
    jwt_text = token_file.read_text()
    assert not jwt_text.endswith("\n") and jwt_text == form["subject_token"]

    # google-auth refreshes by itself: STS with the token file's bytes, then generateAccessToken.
    before = len(stub.sts_requests)
    answer = google_auth(broker, credentials_file, project="acme-prod")
    assert answer.returncode == 0, answer.stderr
    refreshed = json.loads(answer.stdout)
    assert refreshed["token"] in stub.impersonated and refreshed["project"] == "acme-prod"
    assert refreshed["type"] == "google.auth.identity_pool"
    assert stub.sts_requests[before]["form"]["subject_token"] == jwt_text

    # `broker refresh` replaces the token file; the library then sends the new token.
    broker.run("refresh")
    renewed = token_file.read_text()
    assert renewed != jwt_text and not renewed.endswith("\n")
    assert json.loads(google_auth(broker, credentials_file).stdout)["token"] in stub.impersonated
    assert stub.sts_requests[-1]["form"]["subject_token"] == renewed

    status = json.loads(broker.run("status", "--output", "json").stdout)
    row = next(r for r in status["results"] if r["name"] == "gcp")
    assert row["identity"] == SERVICE_ACCOUNT and row["status"] == "valid" and "accessToken" not in row
    broker.run("logout", "gcp")
    assert not token_file.exists() and not Path(credentials_file).exists()


def test_executable_source_runs_broker_gcp_token_and_google_caches_its_output(broker, google):
    stub = google()
    result = login(broker, stub, "--service-account", SERVICE_ACCOUNT, "--credential-source", "executable", "--output", "env")
    assert "GOOGLE_EXTERNAL_ACCOUNT_ALLOW_EXECUTABLES=1" in result.stderr
    credentials_file = exports(result.stdout)["GOOGLE_APPLICATION_CREDENTIALS"]
    document = json.loads(Path(credentials_file).read_text())
    executable = document["credential_source"]["executable"]
    assert executable["command"].split() == [BROKER, "gcp-token", "gcp"]
    assert 5000 <= executable["timeout_millis"] <= 120000
    output_file = Path(executable["output_file"])
    assert not output_file.exists() and not any(p.endswith(".jwt") for p in home_files(broker))

    # Without the opt-in the library refuses to run anything.
    refused = google_auth(broker, credentials_file)
    assert refused.returncode != 0 and "GOOGLE_EXTERNAL_ACCOUNT_ALLOW_EXECUTABLES" in refused.stderr

    answer = google_auth(broker, credentials_file, GOOGLE_EXTERNAL_ACCOUNT_ALLOW_EXECUTABLES="1")
    assert answer.returncode == 0, answer.stderr
    assert json.loads(answer.stdout)["token"] in stub.impersonated
    cached = json.loads(output_file.read_text())
    assert cached["success"] is True and cached["version"] == 1
    assert cached["token_type"] == "urn:ietf:params:oauth:token-type:jwt"
    assert cached["id_token"] == stub.sts_requests[-1]["form"]["subject_token"]
    assert stat.S_IMODE(output_file.stat().st_mode) == 0o600

    # The next process reads Google's output-file cache instead of running broker: with broker's
    # home gone the executable would fail, yet the refresh works with the cached token.
    again = google_auth(broker, credentials_file, GOOGLE_EXTERNAL_ACCOUNT_ALLOW_EXECUTABLES="1", BROKER_HOME=str(broker.root / "elsewhere"))
    assert again.returncode == 0, again.stderr
    assert stub.sts_requests[-1]["form"]["subject_token"] == cached["id_token"]

    # Run by hand it prints Google's response; stderr stays empty (the libraries merge it in).
    direct = broker.run("gcp-token", "gcp")
    assert direct.stderr == "" and json.loads(direct.stdout)["success"] is True
    missing = broker.run("gcp-token", "nope", check=False)
    assert missing.returncode == 1 and missing.stderr == ""
    failure = json.loads(missing.stdout)
    assert failure["success"] is False and failure["code"] and "nope" in failure["message"]

    broker.run("logout", "gcp")
    assert not output_file.exists() and not Path(credentials_file).exists()


def test_output_access_token_and_json(broker, google):
    stub = google()
    token = login(broker, stub, "--output", "access-token").stdout
    assert token.strip() in stub.issued and token.count("\n") == 1  # the STS token: no impersonation
    report = json.loads(login(broker, stub, "--service-account", SERVICE_ACCOUNT, "--output", "json").stdout)
    row = report["results"][0]
    assert row["accessToken"] in stub.impersonated and row["expiration"]
    refused = login(broker, stub, "--output", "access-token", "--min-remaining", "5m", check=False)
    assert refused.returncode == 2


def test_sts_invalid_grant_is_diagnosed_exit_1_and_nothing_written(broker, google):
    stub = google(condition=lambda claims: claims.get("sub") == "repo:acme/other:ref:refs/heads/main")
    result = login(broker, stub, "--service-account", SERVICE_ACCOUNT, check=False)
    assert result.returncode == 1
    assert "invalid_grant" in result.stderr and "attribute condition" in result.stderr
    token = stub.sts_requests[0]["form"]["subject_token"]
    assert token not in result.stderr and token.split(".")[1] not in result.stderr
    assert "sub " in result.stderr and STS_AUDIENCE in result.stderr
    assert len(stub.sts_requests) == 1 and not stub.iam_requests  # a 400 is not retried
    assert not any(p.startswith("gcp/") for p in home_files(broker))
    assert json.loads(broker.run("status", "--output", "json").stdout)["results"] == []


def test_iam_permission_denied_names_the_principal_to_bind(broker, google):
    stub = google(bindings={SERVICE_ACCOUNT: ["principal://nobody"]})
    result = login(broker, stub, "--service-account", SERVICE_ACCOUNT, check=False)
    assert result.returncode == 1
    assert "PERMISSION_DENIED" in result.stderr and "roles/iam.workloadIdentityUser" in result.stderr
    assert f"principal://iam.googleapis.com/projects/123456789012/locations/global/workloadIdentityPools/ci-pool/subject/" in result.stderr
    assert len(stub.iam_requests) == 1
    assert not any(p.startswith("gcp/") for p in home_files(broker))
    assert json.loads(broker.run("status", "--output", "json").stdout)["results"] == []


def test_transient_failures_are_retried_and_retry_after_honoured(broker, google):
    stub = google(faults={"sts": [(503, {"error": "unavailable"}, {}), (429, {"error": "rate"}, {"Retry-After": "1"})],
                          "iam": [(500, {"error": {"code": 500, "status": "INTERNAL"}}, {})]})
    login(broker, stub, "--service-account", SERVICE_ACCOUNT)
    assert len(stub.sts_requests) == 3 and len(stub.iam_requests) == 2
    stub = google(faults={"sts": [(503, {}, {})] * 5})
    failed = login(broker, stub, "--max-attempts", "2", check=False)
    assert failed.returncode == 1 and "2 attempts" in failed.stderr and len(stub.sts_requests) == 2


@pytest.mark.parametrize("value,expected", [
    ("projects/acme-prod/locations/global/workloadIdentityPools/ci-pool/providers/broker", "Google wants its number"),
    ("projects/123/locations/us-east1/workloadIdentityPools/ci-pool/providers/broker", "global"),
    ("projects/123/locations/global/workloadIdentityPools/CI/providers/broker", "pool ID"),
    ("ci-pool/broker", "full resource name"),
])
def test_malformed_provider_exits_2_naming_the_key(broker, google, value, expected):
    stub = google()
    result = broker.run("login", "gcp", "--workload-identity-provider", value, *endpoints(stub), check=False)
    assert result.returncode == 2 and "--workload-identity-provider" in result.stderr and expected in result.stderr
    broker.own_config({"version": 1, "providers": {"gcloud": {"adapter": "gcp-workload-identity", "workloadIdentityProvider": value,
                                                              "stsEndpoint": stub.url}}})
    result = broker.run("login", "--all", check=False)
    assert result.returncode == 2 and "providers.gcloud.workloadIdentityProvider" in result.stderr
    assert not stub.sts_requests and not any(p.startswith("gcp/") or p == "state.json" for p in home_files(broker))


def test_a_token_google_cannot_verify_is_refused_before_any_call(broker, google):
    import base64
    def part(value):
        return base64.urlsafe_b64encode(json.dumps(value).encode()).rstrip(b"=").decode()
    token = ".".join([part({"alg": "PS384", "kid": "k"}), part({"iss": "https://ci.example", "sub": "x", "aud": STS_AUDIENCE,
                                                               "iat": 2_000_000_000, "exp": 2_000_000_600}), "c2ln"])
    (broker.root / "token").write_text(token)
    stub = google()
    result = login(broker, stub, "--token-file", str(broker.root / "token"), check=False)
    assert result.returncode == 2 and "RS256 and ES256" in result.stderr and not stub.sts_requests


def test_default_credential_file_stays_out_of_a_git_work_tree(broker, google):
    inside = {"BROKER_HOME": str(broker.root / ".broker")}
    broker.env.update(inside)
    stub = google()
    (broker.root / ".git").mkdir()
    result = login(broker, stub, check=False, env=inside)
    assert result.returncode == 2 and "credentialsFile" in result.stderr and "git work tree" in result.stderr
    assert not stub.sts_requests
    # Asked for explicitly, it goes there, with a warning.
    result = login(broker, stub, "--credentials-file", str(broker.root / "gcp.json"), env=inside)
    assert "git work tree" in result.stderr and (broker.root / "gcp.json").exists()


def test_logout_restores_a_credential_file_the_user_had(broker, google):
    stub = google()
    mine = broker.home / "gcp-creds.json"
    mine.write_text('{"type": "authorized_user", "mine": true}\n')
    login(broker, stub, "--credentials-file", "~/gcp-creds.json")
    assert json.loads(mine.read_text())["type"] == "external_account"
    broker.run("logout", "--all")
    assert mine.read_text() == '{"type": "authorized_user", "mine": true}\n'


def test_login_all_aws_and_gcp_one_token_per_audience_then_logout_leaves_home_as_it_was(broker, aws, moto, google):
    stub = google()
    aws.mkdir()
    (aws / "config").write_text("[default]\nregion = eu-west-1\n")
    before = home_snapshot(broker)
    broker.own_config({"version": 1, "providers": {
        "aws": {"adapter": "aws-sts", "roleArn": "arn:aws:iam::123456789012:role/deploy", "stsEndpoint": moto, "profile": "ci"},
        "gcp": {"adapter": "gcp-workload-identity", "workloadIdentityProvider": PROVIDER, "serviceAccount": SERVICE_ACCOUNT,
                "stsEndpoint": stub.url, "iamEndpoint": stub.url, "projectId": "acme-prod"},
    }})
    result = broker.run("login", "--all", "--output", "json")
    report = json.loads(result.stdout)
    assert report["ok"] and {r["name"] for r in report["results"]} == {"aws", "gcp"}
    assert len(stub.sts_requests) == 1
    claims = stub.sts_requests[0]["form"]["subject_token"].split(".")[1]
    import base64
    payload = json.loads(base64.urlsafe_b64decode(claims + "=" * (-len(claims) % 4)))
    assert payload["aud"] == STS_AUDIENCE  # Google's default audience; AWS got its own token
    assert "[ci]" in (aws / "credentials").read_text()
    broker.run("logout", "--all")
    after = home_snapshot(broker)
    assert after == before
    assert not any(p.startswith("gcp/") for p in home_files(broker))


def test_min_remaining_skips_a_fresh_login_and_still_exports_the_file(broker, google):
    stub = google()
    first = exports(login(broker, stub, "--project-id", "acme-prod", "--output", "env").stdout)
    again = login(broker, stub, "--project-id", "acme-prod", "--output", "env", "--min-remaining", "5m")
    assert len(stub.sts_requests) == 1 and "skipped" in again.stderr
    # From the record alone: the file and the project, never a token.
    assert exports(again.stdout) == first
    renewed = login(broker, stub, "--output", "env", "--min-remaining", "2h")
    assert len(stub.sts_requests) == 2 and "skipped" not in renewed.stderr


def test_unwritable_targets_are_refused_before_any_call(broker, google):
    stub = google()
    (broker.root / "a-directory").mkdir()
    result = login(broker, stub, "--credentials-file", str(broker.root / "a-directory"), check=False)
    assert result.returncode == 2 and "a-directory is a directory" in result.stderr
    assert not stub.sts_requests and not any(p.startswith("gcp/") for p in home_files(broker))


def test_gcp_token_failing_to_write_the_cache_answers_on_stdout_only(broker, google):
    stub = google()
    login(broker, stub, "--credential-source", "executable")
    (broker.root / "cache-dir").mkdir()
    result = broker.run("gcp-token", "gcp", check=False, env={"GOOGLE_EXTERNAL_ACCOUNT_OUTPUT_FILE": str(broker.root / "cache-dir")})
    assert result.returncode == 1 and result.stderr == ""
    answer = json.loads(result.stdout)
    assert answer["success"] is False and "cache-dir" in answer["message"] and "id_token" not in answer

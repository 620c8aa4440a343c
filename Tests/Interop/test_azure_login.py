"""Entra ID workload identity federation: broker against a loopback HTTPS Entra token endpoint
(test code, private CA), judged by Microsoft's own azure-identity library logging in from
nothing but the environment file and token file broker wrote."""
import base64
import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import BROKER, home_snapshot
from entra_stub import AUDIENCE, CLIENT, MANAGEMENT, SUBSCRIPTION, TENANT, EntraStub
from gcp_stub import PROVIDER, SERVICE_ACCOUNT, GoogleStub

# WorkloadIdentityCredential reads AZURE_CLIENT_ID, AZURE_TENANT_ID, AZURE_FEDERATED_TOKEN_FILE and
# AZURE_AUTHORITY_HOST; instance discovery (a call to Microsoft's own host) is off, as the issue says.
AZURE_IDENTITY = """
import json, sys
from azure.identity import WorkloadIdentityCredential
token = WorkloadIdentityCredential(disable_instance_discovery=True).get_token(sys.argv[1])
print(json.dumps({"token": token.token, "expires_on": token.expires_on}))
"""


@pytest.fixture
def entra(broker, tmp_path):
    stubs = []

    def make(**kwargs):
        jwks = json.loads(broker.run("idp", "jwks").stdout)
        directory = tmp_path / f"entra-{len(stubs)}"
        directory.mkdir()
        stub = EntraStub(jwks, directory, **kwargs)
        stubs.append(stub)
        # broker trusts the test CA the way OpenSSL-based tools do.
        broker.env["SSL_CERT_FILE"] = stub.ca
        return stub

    yield make
    for stub in stubs:
        stub.close()


def login(broker, stub, *extra, check=True, env=None):
    return broker.run("login", "azure", "--tenant-id", TENANT, "--client-id", CLIENT, "--authority-host", stub.url, *extra,
                      check=check, env=env)


def exports(text):
    return dict(line[len("export "):].split("=", 1) for line in text.splitlines() if line.startswith("export "))


def azure_identity(environment_file, ca, scope=MANAGEMENT):
    """azure-identity in a clean environment that holds only what broker's file exports."""
    clean = {"PATH": os.environ["PATH"], "HOME": os.environ.get("HOME", "/tmp"), "REQUESTS_CA_BUNDLE": ca}
    script = f'. "$1" && exec {sys.executable} -c "$2" "$3"'
    return subprocess.run(["sh", "-c", script, "sh", str(environment_file), AZURE_IDENTITY, scope],
                          capture_output=True, text=True, env=clean)


def claims_of(jwt_text):
    payload = jwt_text.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))


def home_files(broker):
    root = Path(broker.env["BROKER_HOME"])
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file() and "issuer" not in p.parts) if root.exists() else []


def test_login_azure_then_azure_identity_logs_in_from_the_files_and_refresh_renews_them(broker, entra):
    stub = entra()
    result = login(broker, stub, "--subscription-id", SUBSCRIPTION, "--output", "env")
    variables = exports(result.stdout)
    token_file = Path(variables["AZURE_FEDERATED_TOKEN_FILE"])
    assert variables["AZURE_CLIENT_ID"] == variables["ARM_CLIENT_ID"] == CLIENT
    assert variables["AZURE_TENANT_ID"] == variables["ARM_TENANT_ID"] == TENANT
    assert variables["AZURE_AUTHORITY_HOST"] == stub.url and variables["ARM_USE_OIDC"] == "true"
    assert variables["ARM_OIDC_TOKEN_FILE_PATH"] == str(token_file)
    assert variables["AZURE_SUBSCRIPTION_ID"] == variables["ARM_SUBSCRIPTION_ID"] == SUBSCRIPTION
    assert str(token_file).startswith(broker.env["BROKER_HOME"])

    # broker's own grant: client credentials with the token as the client assertion.
    form = stub.token_requests[0]["form"]
    assert stub.token_requests[0]["tenant"] == TENANT
    assert form["grant_type"] == "client_credentials" and form["client_id"] == CLIENT and form["scope"] == MANAGEMENT
    assert form["client_assertion_type"] == "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
    assert claims_of(form["client_assertion"])["aud"] == AUDIENCE
    jwt_text = token_file.read_text()
    assert jwt_text == form["client_assertion"] and not jwt_text.endswith("\n")

    # The environment file: the same variables, sourceable, 0600, beside the token file.
    environment_file = token_file.with_suffix(".env")
    for path in (token_file, environment_file):
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert exports(environment_file.read_text()) == variables

    # Microsoft's library logs in by itself, from the file's bytes.
    before = len(stub.token_requests)
    answer = azure_identity(environment_file, stub.ca)
    assert answer.returncode == 0, answer.stderr
    assert json.loads(answer.stdout)["token"] in [i["token"] for i in stub.issued]
    assert stub.token_requests[before]["form"]["client_assertion"] == jwt_text
    assert stub.token_requests[before]["form"]["client_id"] == CLIENT

    # `broker refresh` replaces the token file; the library then sends the new token.
    broker.run("refresh")
    renewed = token_file.read_text()
    assert renewed != jwt_text and not renewed.endswith("\n")
    again = azure_identity(environment_file, stub.ca, scope="https://vault.azure.net/.default")
    assert again.returncode == 0, again.stderr
    assert stub.token_requests[-1]["form"]["client_assertion"] == renewed

    status = json.loads(broker.run("status", "--output", "json").stdout)
    row = next(r for r in status["results"] if r["name"] == "azure")
    assert CLIENT in row["identity"] and row["status"] == "valid" and "accessToken" not in row
    broker.run("logout", "azure")
    assert not token_file.exists() and not environment_file.exists()


def test_output_access_token_json_and_access_token_file(broker, entra):
    stub = entra()
    printed = login(broker, stub, "--output", "access-token").stdout
    assert printed.strip() == stub.issued[-1]["token"]
    report = json.loads(login(broker, stub, "--output", "json").stdout)
    row = report["results"][0]
    assert row["accessToken"] == stub.issued[-1]["token"] and row["name"] == "azure"
    target = broker.root / "access-token"
    login(broker, stub, "--access-token-file", str(target))
    assert target.read_text() == stub.issued[-1]["token"] and stat.S_IMODE(target.stat().st_mode) == 0o600
    broker.run("logout", "azure")
    assert not target.exists()


def test_no_matching_federated_credential_is_diagnosed_exit_1_and_nothing_written(broker, entra):
    # The issuer and audience match; the subject is another branch's.
    issuer = claims_of(broker.token(AUDIENCE))["iss"]
    stub = entra(credentials={CLIENT: [{"issuer": issuer, "subject": "repo:acme/app:ref:refs/heads/main", "audiences": [AUDIENCE]}]})
    result = login(broker, stub, check=False)
    assert result.returncode == 1
    assert "AADSTS700213" in result.stderr
    claims = claims_of(stub.token_requests[0]["form"]["client_assertion"])
    assert f"  sub  {claims['sub']}" in result.stderr and f"  subject   {claims['sub']}" in result.stderr
    assert f"  issuer    {claims['iss']}" in result.stderr and f"  audiences {AUDIENCE}" in result.stderr
    assert "trace ID " in result.stderr and "correlation ID " in result.stderr
    assert "az ad app federated-credential create" in result.stderr
    assert stub.token_requests[0]["form"]["client_assertion"] not in result.stderr
    assert home_files(broker) == [] or all(not p.startswith("azure") for p in home_files(broker))
    assert "azure" not in broker.run("status").stdout
    assert len(stub.token_requests) == 1  # a 4xx is never retried


BAD_SETTINGS = [
    ("authorityHost", "http://127.0.0.1:1", "is not https"),
    ("tenantId", "not a tenant", "neither a GUID nor a domain"),
    ("clientId", "my-app", "is not a GUID"),
    ("scope", "https://management.azure.com/user_impersonation", "/.default"),
    ("timeout", "0", "timeout"),
    ("maxAttempts", "99999999999999999999", "from 1 to 20"),
]


@pytest.mark.parametrize("key, value, message", BAD_SETTINGS)
def test_bad_flags_exit_2_naming_the_flag_before_any_call(broker, entra, key, value, message):
    stub = entra()
    flag = "--" + "".join("-" + c.lower() if c.isupper() else c for c in key)
    result = broker.run("login", "azure", "--tenant-id", TENANT, "--client-id", CLIENT, "--authority-host", stub.url, flag, value, check=False)
    assert result.returncode == 2 and f"{flag}:" in result.stderr and message in result.stderr, result.stderr
    assert stub.token_requests == [] and not any(p.startswith("azure") for p in home_files(broker))


@pytest.mark.parametrize("key, value, message", BAD_SETTINGS[:3])
def test_bad_config_values_exit_2_naming_the_key(broker, entra, key, value, message):
    stub = entra()
    entry = {"adapter": "azure-federated", "tenantId": TENANT, "clientId": CLIENT, "authorityHost": stub.url, key: value}
    broker.own_config({"version": 1, "providers": {"cloud": entry}})
    result = broker.run("login", "cloud", check=False)
    assert result.returncode == 2 and f"providers.cloud.{key}" in result.stderr and message in result.stderr, result.stderr
    assert stub.token_requests == []


def test_transient_failures_are_retried_and_retry_after_honoured(broker, entra):
    stub = entra(faults=[(503, {"error": "temporarily_unavailable"}, {}), (429, {"error": "throttled"}, {"Retry-After": "1"})])
    result = login(broker, stub, "--output", "json")
    assert json.loads(result.stdout)["ok"] and len(stub.token_requests) == 3
    failing = entra(faults=[(500, {}, {})] * 3)
    result = login(broker, failing, "--max-attempts", "2", check=False)
    assert result.returncode == 1 and "did not answer after 2 attempts" in result.stderr and len(failing.token_requests) == 2


def test_an_es256_issuer_key_is_refused_before_any_call_with_the_way_to_switch(broker, entra):
    broker.run("idp", "rotate-key", "--algorithm", "ES256", "--retire-now")
    stub = entra()
    result = login(broker, stub, check=False)
    assert result.returncode == 2 and "RS256" in result.stderr and "rotate-key --algorithm RS256" in result.stderr
    assert "issuer.algorithm" in result.stderr and stub.token_requests == []
    broker.run("idp", "rotate-key", "--algorithm", "RS256")
    stub = entra()
    assert login(broker, stub, check=False).returncode == 0


def test_a_config_entry_named_azure_gives_defaults_and_flags_override(broker, entra):
    stub = entra(tenants=(TENANT, "contoso.onmicrosoft.com"))
    broker.own_config({"version": 1, "providers": {"azure": {
        "adapter": "azure-federated", "tenantId": "contoso.onmicrosoft.com", "clientId": CLIENT, "authorityHost": stub.url,
        "subscriptionId": SUBSCRIPTION}}})
    variables = exports(broker.run("login", "azure", "--output", "env").stdout)
    assert stub.token_requests[-1]["tenant"] == "contoso.onmicrosoft.com" and variables["ARM_SUBSCRIPTION_ID"] == SUBSCRIPTION
    variables = exports(broker.run("login", "azure", "--tenant-id", TENANT, "--output", "env").stdout)
    assert stub.token_requests[-1]["tenant"] == TENANT and variables["AZURE_TENANT_ID"] == TENANT
    # `broker login azure` is the entry by name too, and `login --all` runs it.
    assert json.loads(broker.run("login", "--all", "--output", "json").stdout)["ok"]


def test_refresh_and_logout_restore_a_token_file_the_user_had(broker, entra):
    stub = entra()
    mine = broker.root / "federated-token"
    mine.write_text("the user's own file\n")
    login(broker, stub, "--federated-token-file", str(mine))
    assert mine.read_text() == stub.token_requests[0]["form"]["client_assertion"]
    assert Path(str(mine) + ".env").exists()
    broker.run("refresh")
    assert mine.read_text() != stub.token_requests[0]["form"]["client_assertion"]
    broker.run("logout", "azure")
    assert mine.read_text() == "the user's own file\n" and not Path(str(mine) + ".env").exists()


def test_min_remaining_skips_a_fresh_login_and_still_exports_the_environment(broker, entra):
    stub = entra()
    first = exports(login(broker, stub, "--output", "env").stdout)
    again = login(broker, stub, "--output", "env", "--min-remaining", "5m")
    assert len(stub.token_requests) == 1 and "skipped" in again.stderr
    assert exports(again.stdout) == first


def test_login_all_aws_gcp_and_azure_one_token_each_then_logout_leaves_home_as_it_was(broker, aws, moto, entra):
    jwks = json.loads(broker.run("idp", "jwks").stdout)
    google = GoogleStub(jwks)
    stub = entra()
    try:
        aws.mkdir()
        (aws / "config").write_text("[default]\nregion = eu-west-1\n")
        before = home_snapshot(broker)
        broker.own_config({"version": 1, "providers": {
            "aws": {"adapter": "aws-sts", "roleArn": "arn:aws:iam::123456789012:role/deploy", "stsEndpoint": moto, "profile": "ci"},
            "gcp": {"adapter": "gcp-workload-identity", "workloadIdentityProvider": PROVIDER, "serviceAccount": SERVICE_ACCOUNT,
                    "stsEndpoint": google.url, "iamEndpoint": google.url},
            "azure": {"adapter": "azure-federated", "tenantId": TENANT, "clientId": CLIENT, "authorityHost": stub.url,
                      "subscriptionId": SUBSCRIPTION},
        }})
        report = json.loads(broker.run("login", "--all", "--output", "json").stdout)
        assert report["ok"] and {r["name"] for r in report["results"]} == {"aws", "gcp", "azure"}
        assert claims_of(stub.token_requests[0]["form"]["client_assertion"])["aud"] == AUDIENCE
        assert "[ci]" in (aws / "credentials").read_text() and len(google.sts_requests) == 1
        # Each cloud's own library accepts what broker left.
        environment_file = Path(broker.env["BROKER_HOME"]) / "azure" / "azure.env"
        assert azure_identity(environment_file, stub.ca).returncode == 0
        broker.run("logout", "--all")
        after = home_snapshot(broker)
        assert after == before
    finally:
        google.close()


def test_the_schema_describes_an_azure_entry(broker):
    import jsonschema
    schema = json.loads(broker.run("config", "schema").stdout)

    def entry(**settings):
        return {"version": 1, "providers": {"azure": {"adapter": "azure-federated", "tenantId": TENANT, "clientId": CLIENT, **settings}}}
    jsonschema.validate(entry(tenantId="contoso.onmicrosoft.com", authorityHost="https://login.microsoftonline.us/",
                              scope="https://vault.azure.net/.default", subscriptionId=SUBSCRIPTION, timeout="30s"), schema)
    for bad in (entry(tenantId="common"), entry(clientId="my-app"), entry(authorityHost="http://login.microsoftonline.com"),
                entry(scope="https://management.azure.com/user_impersonation"), entry(maxAttempts=0),
                {"version": 1, "providers": {"azure": {"adapter": "azure-federated", "tenantId": TENANT}}}):
        with pytest.raises(jsonschema.ValidationError):
            jsonschema.validate(bad, schema)


def test_a_cloned_repositorys_config_sending_the_token_elsewhere_needs_trust(broker, entra):
    stub = entra()
    repo = broker.root / "clone"
    (repo / ".git").mkdir(parents=True)
    (repo / "broker.json").write_text(json.dumps({"version": 1, "providers": {"azure": {
        "adapter": "azure-federated", "tenantId": TENANT, "clientId": CLIENT, "authorityHost": stub.url}}}))
    run = lambda *args: subprocess.run([BROKER, *args], capture_output=True, text=True, env=broker.env, cwd=repo, timeout=60)
    refused = run("login", "azure")
    assert refused.returncode == 2 and "is not trusted" in refused.stderr
    assert f"providers.azure: sends the token to the endpoint {stub.url}" in refused.stderr
    assert stub.token_requests == []
    assert run("config", "trust").returncode == 0
    assert run("login", "azure").returncode == 0 and len(stub.token_requests) == 1


def test_azure_pipelines_job_token_logs_into_azure(broker, entra):
    """An Azure Pipelines job: broker asks the job's token service (a loopback stand-in that checks
    the bearer and the service connection) and sends Entra what it answered."""
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
    minted = broker.token(AUDIENCE, "--subject", "sc://acme/app/deploy")
    seen = []

    class TokenService(BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def do_POST(self):
            seen.append({"path": self.path, "authorization": self.headers.get("Authorization")})
            ok = self.headers.get("Authorization") == "Bearer job-access-token" and "serviceConnectionId=sc-42" in self.path
            body = json.dumps({"oidcToken": minted} if ok else {"message": "denied"}).encode()
            self.send_response(200 if ok else 401)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    server = ThreadingHTTPServer(("127.0.0.1", 0), TokenService)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    stub = entra()
    try:
        env = {"TF_BUILD": "True", "SYSTEM_ACCESSTOKEN": "job-access-token", "AZURESUBSCRIPTION_SERVICE_CONNECTION_ID": "sc-42",
               "SYSTEM_OIDCREQUESTURI": f"http://127.0.0.1:{server.server_address[1]}/acme/p/_apis/distributedtask/hubs/build/plans/1/jobs/2/oidctoken"}
        doctor = broker.run("doctor", env=env, check=False).stdout
        assert "Azure Pipelines: TF_BUILD=True" in doctor and "job-access-token" not in doctor
        result = login(broker, stub, env=env)
        assert "job-access-token" not in result.stderr
        assert stub.token_requests[-1]["form"]["client_assertion"] == minted
        assert seen[-1]["path"].endswith("oidctoken?api-version=7.1&serviceConnectionId=sc-42")
        # AWS cannot be served from Azure Pipelines' fixed audience: said before any call.
        refused = broker.run("login", "aws", "--role-arn", "arn:aws:iam::123456789012:role/r", env=env, check=False)
        assert refused.returncode == 2 and "only for api://AzureADTokenExchange" in refused.stderr
    finally:
        server.shutdown()

"""broker exec: the credentials reach one command's environment only. Judged by the real
AWS CLI against moto, the bao CLI against OpenBao, google-auth and azure-identity against
their stubs; nothing may appear under HOME or BROKER_HOME, and the command's status, its
signals and its argv are its own."""
import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import BROKER, sdk_env
from test_azure_login import AZURE_IDENTITY, entra  # noqa: F401 (fixture)
from entra_stub import CLIENT, MANAGEMENT, TENANT
from test_gcp_login import GOOGLE_AUTH, google  # noqa: F401 (fixture)
from gcp_stub import CLOUD_PLATFORM, PROVIDER, SERVICE_ACCOUNT
from test_issuer_openbao import configure_jwt_auth

ROLE = "arn:aws:iam::123456789012:role/deploy"

# What the command sees: its credential variables, its own argv and its parent's (broker's).
CHILD = """
import json, os
def cmdline(pid):
    return open(f"/proc/{pid}/cmdline", "rb").read().decode(errors="replace")
prefixes = ("AWS_", "VAULT_", "GOOGLE_", "CLOUDSDK_", "AZURE_", "ARM_", "FOO")
print(json.dumps({"env": {k: v for k, v in os.environ.items() if k.startswith(prefixes)},
                  "cmdline": cmdline(os.getpid()), "parent": cmdline(os.getppid())}))
"""


def tree(root):
    """Every entry under root: files with their bytes and modes, directories by name."""
    root = Path(root)
    if not root.exists():
        return {}
    return {str(p.relative_to(root)): (p.read_bytes() if p.is_file() else "dir", p.stat().st_mode) for p in root.rglob("*")}


def trees(broker):
    return tree(broker.home), tree(broker.env["BROKER_HOME"])


def aws_config(broker, moto, **extra):
    providers = {"aws-prod": {"adapter": "aws-sts", "roleArn": ROLE, "region": "us-east-1", "stsEndpoint": moto}}
    providers.update(extra)
    broker.own_config({"version": 1, "source": {"type": "embedded"}, "providers": providers})
    broker.token("sts.amazonaws.com")  # the issuer's key exists before anything is compared


def run_exec(broker, *args, env=None, **kwargs):
    return subprocess.run([BROKER, "exec", *args], capture_output=True, text=True, cwd=broker.root,
                          env=env if env is not None else {**os.environ, **broker.env}, **kwargs)


def test_the_aws_cli_runs_on_the_session_and_nothing_is_written(broker, moto, aws):
    aws_config(broker, moto)
    before = trees(broker)
    env = {**sdk_env(broker, AWS_REGION="eu-west-1"), "AWS_PROFILE": "not-a-profile"}
    result = run_exec(broker, "aws-prod", "--", "aws", "sts", "get-caller-identity", "--endpoint-url", moto, "--output", "json", env=env)
    assert result.returncode == 0, result.stderr
    assert "assumed-role/deploy/" in json.loads(result.stdout)["Arn"]
    assert trees(broker) == before
    assert "removed AWS_PROFILE" in result.stderr
    assert "AWS_REGION was set in the environment; the command gets aws-prod's instead" in result.stderr


def test_the_child_gets_the_variables_and_no_secret_reaches_any_argv_or_stderr(broker, moto, aws):
    aws_config(broker, moto)
    env = {**sdk_env(broker), "AWS_PROFILE": "not-a-profile"}
    result = run_exec(broker, "aws-prod", "--", sys.executable, "-c", CHILD, env=env)
    assert result.returncode == 0, result.stderr
    seen = json.loads(result.stdout)
    variables = seen["env"]
    assert variables["AWS_ACCESS_KEY_ID"] and variables["AWS_SECRET_ACCESS_KEY"] and variables["AWS_SESSION_TOKEN"]
    assert variables["AWS_REGION"] == variables["AWS_DEFAULT_REGION"] == "us-east-1"
    assert variables["AWS_CREDENTIAL_EXPIRATION"].endswith("Z")
    assert "AWS_PROFILE" not in variables
    for secret in (variables["AWS_SECRET_ACCESS_KEY"], variables["AWS_SESSION_TOKEN"]):
        assert secret not in seen["cmdline"] and secret not in seen["parent"] and secret not in result.stderr
    assert seen["parent"].split("\0")[1:3] == ["exec", "aws-prod"]  # the parent is broker itself


def test_exit_status_passes_through_and_a_signal_death_is_128_plus_it(broker, moto, aws):
    aws_config(broker, moto)
    assert run_exec(broker, "aws-prod", "--", "sh", "-c", "exit 7").returncode == 7
    assert run_exec(broker, "aws-prod", "--", "sh", "-c", "kill -TERM $$").returncode == 143
    missing = run_exec(broker, "aws-prod", "--", "no-such-command-anywhere")
    assert missing.returncode == 127 and "no-such-command-anywhere: command not found" in missing.stderr
    arguments = run_exec(broker, "aws-prod", "--", "sh", "-c", 'printf "%s|" "$@"', "sh", "--", "--all", "a b")
    assert arguments.stdout == "--|--all|a b|"  # no shell between: words arrive as they were given


@pytest.mark.parametrize("sent, expected", [(signal.SIGTERM, 42), (signal.SIGINT, 43), (signal.SIGHUP, 128 + signal.SIGHUP)])
def test_signals_sent_to_broker_reach_the_command(broker, moto, aws, sent, expected):
    aws_config(broker, moto)
    script = ("import signal, sys, time\n"
              "signal.signal(signal.SIGTERM, lambda *a: sys.exit(42))\n"
              "signal.signal(signal.SIGINT, lambda *a: sys.exit(43))\n"
              "print('ready', flush=True)\n"
              "time.sleep(60)\n")
    proc = subprocess.Popen([BROKER, "exec", "aws-prod", "--", sys.executable, "-c", script], cwd=broker.root,
                            env={**os.environ, **broker.env}, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert proc.stdout.readline().strip() == "ready"
        proc.send_signal(sent)
        assert proc.wait(timeout=20) == expected
    finally:
        proc.kill()


def test_a_failed_login_runs_nothing_and_exits_1(broker, moto, aws, tmp_path):
    marker = tmp_path / "ran"
    aws_config(broker, moto, broken={"adapter": "exec", "audience": "x.example", "command": ["/bin/sh", "-c", "echo nope >&2; exit 3"]})
    result = run_exec(broker, "aws-prod", "broken", "--", "touch", str(marker))
    assert result.returncode == 1 and not marker.exists()
    assert "broken:" in result.stderr and "the command was not run" in result.stderr


def test_refusals_before_any_exchange_exit_2(broker, moto, aws, tmp_path):
    writes = {"version": 1, "identity": "x", "files": [{"path": str(tmp_path / "f"), "content": "x"}]}
    aws_config(broker, moto,
               **{"aws-other": {"adapter": "aws-sts", "roleArn": ROLE, "stsEndpoint": moto, "profile": "other"},
                  "files": {"adapter": "exec", "audience": "x.example", "command": ["/bin/sh", "-c", f"cat >/dev/null; echo '{json.dumps(writes)}'"]}})
    two = run_exec(broker, "--all", "--", "true")
    assert two.returncode == 2 and "last would win" in two.stderr
    plugin = run_exec(broker, "files", "--", "true")
    assert plugin.returncode == 2 and "writes nothing" in plugin.stderr and not (tmp_path / "f").exists()
    assert run_exec(broker, "aws-prod").returncode == 2  # no command
    assert run_exec(broker, "--", "true").returncode == 2  # no provider


def test_vault_token_reaches_the_bao_cli_and_no_token_file_is_written(broker, serve, openbao):
    served = serve()
    configure_jwt_auth(openbao, served.url)
    broker.own_config({"version": 1, "source": {"type": "embedded"}, "issuer": {"subject": "repo:acme/app"},
                       "providers": {"vault": {"adapter": "vault-jwt", "address": openbao.addr, "role": "deploy"}}})
    broker.token("vault")
    before = trees(broker)
    result = run_exec(broker, "vault", "--", "bao", "token", "lookup", "-format=json")
    assert result.returncode == 0, result.stderr
    assert "default" in json.loads(result.stdout)["data"]["policies"]
    assert trees(broker) == before and not (broker.home / ".vault-token").exists()


def test_google_auth_refreshes_from_in_memory_files_that_vanish_with_broker(broker, google):
    stub = google()
    broker.own_config({"version": 1, "source": {"type": "embedded"}, "providers": {"gcp": {
        "adapter": "gcp-workload-identity", "workloadIdentityProvider": PROVIDER, "serviceAccount": SERVICE_ACCOUNT,
        "projectId": "acme-prod", "stsEndpoint": stub.url, "iamEndpoint": stub.url}}})
    before = trees(broker)
    env = {**os.environ, **broker.env, "GOOGLE_OAUTH_ACCESS_TOKEN": "stale"}
    env.pop("GOOGLE_CLOUD_PROJECT", None)
    script = GOOGLE_AUTH + "import os; print(os.environ['GOOGLE_APPLICATION_CREDENTIALS'])\n"
    result = run_exec(broker, "gcp", "--", sys.executable, "-c", script, CLOUD_PLATFORM, env=env)
    assert result.returncode == 0, result.stderr
    answer, path = result.stdout.splitlines()
    answer = json.loads(answer)
    assert answer["token"] in stub.impersonated and answer["project"] == "acme-prod"
    assert answer["type"] == "google.auth.identity_pool"
    assert path.startswith("/proc/") and not os.path.exists(path)  # gone with broker
    assert "removed GOOGLE_OAUTH_ACCESS_TOKEN" in result.stderr
    home, broker_home = trees(broker)
    assert home == before[0] and {k for k in broker_home if "issuer" not in k} == {k for k in before[1] if "issuer" not in k}


def test_azure_identity_logs_in_from_the_in_memory_token_file(broker, entra):
    stub = entra()
    broker.own_config({"version": 1, "source": {"type": "embedded"}, "providers": {"azure": {
        "adapter": "azure-federated", "tenantId": TENANT, "clientId": CLIENT, "authorityHost": stub.url}}})
    before = trees(broker)
    env = {**os.environ, **broker.env, "REQUESTS_CA_BUNDLE": stub.ca, "AZURE_CLIENT_SECRET": "someone-elses"}
    result = run_exec(broker, "azure", "--", sys.executable, "-c", AZURE_IDENTITY, MANAGEMENT, env=env)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["token"] in [i["token"] for i in stub.issued]
    # broker's own grant, then the library's, with the same token read from the in-memory file.
    assert stub.token_requests[-1]["form"]["client_assertion"] == stub.token_requests[0]["form"]["client_assertion"]
    assert "removed AZURE_CLIENT_SECRET" in result.stderr
    assert trees(broker) == before

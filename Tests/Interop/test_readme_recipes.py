"""The README's CI recipes, run literally: each `run:` step of the GitHub workflow and each line
of the GitLab job's `script:` goes through bash in a simulated runner (the platform's token
service on loopback, moto standing in for AWS, a real OpenBao for Vault), and what broker leaves
behind must serve the AWS CLI and the Vault CLI."""
import json
import os
import re
import shutil
import subprocess

import pytest
import yaml

from conftest import BROKER, REPO

README = (REPO / "README.md").read_text()


def recipe(name):
    """The fenced block right after `<!-- recipe: NAME -->`."""
    match = re.search(r"<!-- recipe: " + re.escape(name) + r" -->\n```\w*\n(.*?)```", README, re.S)
    assert match, f"README has no recipe '{name}'"
    return match.group(1)


def runner_path(root):
    """broker, the AWS CLI and a `vault` command (OpenBao's CLI speaks the same) on PATH."""
    bin_dir = root / "runner-bin"
    bin_dir.mkdir()
    (bin_dir / "broker").symlink_to(BROKER)
    (bin_dir / "vault").write_text(f"#!/bin/sh\nexec {shutil.which('bao')} \"$@\"\n")
    (bin_dir / "vault").chmod(0o755)
    return f"{bin_dir}:{os.environ['PATH']}"


def run_steps(lines, env, cwd):
    outputs = []
    for line in lines:
        result = subprocess.run(["bash", "-e", "-c", line], env=env, cwd=cwd, capture_output=True, text=True, timeout=120)
        assert result.returncode == 0, f"{line}\nstdout: {result.stdout}\nstderr: {result.stderr}"
        outputs.append(result)
    return outputs


def run_github_steps(job, env, github_env, workspace):
    """Each `run:` step in turn; the runner loads $GITHUB_ENV into every later step."""
    results = []
    for step in [step["run"] for step in job["steps"] if "run" in step]:
        if github_env.exists():
            env.update(line.split("=", 1) for line in github_env.read_text().splitlines() if "=" in line)
        results += run_steps([step], env, workspace)
    return results


def runner_env(broker, moto, **extra):
    return {
        "HOME": str(broker.home), "BROKER_HOME": str(broker.root / "broker-home"), "USER": "runner",
        "PATH": runner_path(broker.root),
        # moto stands in for AWS: broker and the AWS CLI both honour AWS_ENDPOINT_URL.
        "AWS_ENDPOINT_URL": moto, "AWS_EC2_METADATA_DISABLED": "true",
        **extra,
    }


def test_the_github_recipe_runs_as_written(broker, serve, moto, tmp_path):
    # Step 2, against moto's IAM: the README's trust policy is a real one.
    trust = re.search(r"with `trust.json`[^\n]*\n\n```json\n(.*?)```", README, re.S).group(1)
    json.loads(trust)
    admin = {**os.environ, "AWS_ENDPOINT_URL": moto, "AWS_ACCESS_KEY_ID": "admin", "AWS_SECRET_ACCESS_KEY": "admin",
             "AWS_DEFAULT_REGION": "us-east-1", "HOME": str(tmp_path)}
    (tmp_path / "trust.json").write_text(trust)
    setup = re.search(r"\*\*2\. Let the repository assume a role\.\*\*.*?```sh\n(.*?)```", README, re.S).group(1)
    for line in setup.strip().splitlines():
        subprocess.run(["bash", "-e", "-c", line], env=admin, cwd=tmp_path, check=True, capture_output=True)

    # Step 3: GitHub's token service is `broker idp serve`, which speaks its protocol.
    served = serve()
    request_token = broker.run("idp", "request-token", "create", "--subject", "repo:acme/app:ref:refs/heads/main").stdout.strip()
    job = yaml.safe_load(recipe("github"))["jobs"]["deploy"]
    assert job["permissions"]["id-token"] == "write"
    workspace = tmp_path / "workspace"
    workspace.mkdir()
    env = runner_env(broker, moto, GITHUB_ACTIONS="true", GITHUB_WORKSPACE=str(workspace), GITHUB_RUN_ID="7412345678",
                     ACTIONS_ID_TOKEN_REQUEST_URL=served.url + "/token?api-version=2.0",
                     ACTIONS_ID_TOKEN_REQUEST_TOKEN=request_token,
                     GITHUB_ENV=str(tmp_path / "github_env"), GITHUB_OUTPUT=str(tmp_path / "github_output"),
                     **job.get("env", {}))
    steps = [step["run"] for step in job["steps"] if "run" in step]
    assert steps[0].startswith("broker login aws")
    results = run_steps(steps, env, workspace)
    identity = json.loads(results[-1].stdout)
    # The session name keeps the repository and names the run (CloudTrail shows both).
    assert ":assumed-role/deploy/" in identity["Arn"] and "acme-app" in identity["Arn"] and identity["Arn"].endswith("@7412345678")
    assert "has no region" not in results[0].stderr  # AWS_REGION from the job's env went into the profile


def test_the_gitlab_recipe_runs_as_written(broker, serve, moto, openbao, tmp_path):
    served = serve()
    # Vault trusts the issuer that stands in for gitlab.com.
    assert openbao.api("POST", "sys/auth/jwt", {"type": "jwt"})[0] in (200, 204)
    assert openbao.api("POST", "auth/jwt/config", {"oidc_discovery_url": served.url, "bound_issuer": served.url})[0] in (200, 204)
    assert openbao.api("POST", "auth/jwt/role/deploy", {
        "role_type": "jwt", "user_claim": "sub", "bound_audiences": ["vault"], "bound_claims_type": "glob",
        "bound_claims": {"sub": "project_path:acme/*"}, "token_policies": ["default"], "token_ttl": "10m",
    })[0] in (200, 204)

    job = yaml.safe_load(recipe("gitlab"))["deploy"]
    workspace = tmp_path / "project"
    workspace.mkdir()
    (workspace / "broker.json").write_text(recipe("gitlab-config"))
    # GitLab fills one variable per id_tokens entry, with that entry's audience.
    subject = "project_path:acme/app:ref_type:branch:ref:main"
    tokens = {variable: broker.token(entry["aud"], "--subject", subject) for variable, entry in job["id_tokens"].items()}
    env = runner_env(broker, moto, GITLAB_CI="true", CI_PROJECT_DIR=str(workspace), CI_JOB_ID="991",
                     VAULT_ADDR=openbao.addr, **tokens)
    results = run_steps(job["script"], env, workspace)
    assert ":assumed-role/deploy/" in json.loads(results[1].stdout)["Arn"]
    lookup = results[2].stdout
    assert "display_name" in lookup and "jwt-" in lookup
    assert (broker.home / ".vault-token").exists()


# --- AWS and Google Cloud in one login ------------------------------------------------------

# gcloud itself cannot be installed here; this stand-in reads what gcloud reads
# (CLOUDSDK_AUTH_CREDENTIAL_FILE_OVERRIDE, CLOUDSDK_CORE_PROJECT) through google-auth, the
# library gcloud uses for external_account files, and refreshes through Google's endpoints.
GCLOUD = """#!{python}
import os, sys
import google.auth, google.auth.transport.requests
if sys.argv[1:] == ["auth", "print-access-token"]:
    credentials, _ = google.auth.load_credentials_from_file(os.environ["CLOUDSDK_AUTH_CREDENTIAL_FILE_OVERRIDE"])
    credentials = credentials.with_scopes(["https://www.googleapis.com/auth/cloud-platform"])
    credentials.refresh(google.auth.transport.requests.Request())
    with open(os.environ["GCLOUD_TOKENS_SEEN"], "a") as seen:
        seen.write(credentials.token + "\\n")
    print(credentials.token)
elif sys.argv[1:] == ["config", "get-value", "project"]:
    print(os.environ["CLOUDSDK_CORE_PROJECT"])
else:
    sys.exit("gcloud stand-in: unsupported " + " ".join(sys.argv[1:]))
"""


def with_google(env, tmp_path):
    import sys
    bin_dir = tmp_path / "gcloud-bin"
    bin_dir.mkdir()
    (bin_dir / "gcloud").write_text(GCLOUD.format(python=sys.executable))
    (bin_dir / "gcloud").chmod(0o755)
    env["PATH"] = f"{bin_dir}:{env['PATH']}"
    env["GCLOUD_TOKENS_SEEN"] = str(tmp_path / "gcloud-tokens")
    return env


def pointed_at(config_text, stub, entra=None):
    """The one substitution: Google's and Microsoft's endpoints cannot be reached here, so the gcp
    and azure entries get the loopback stubs' (as AWS_ENDPOINT_URL points broker and the AWS CLI
    at moto)."""
    config = json.loads(config_text)
    config["providers"]["gcp"].update(stsEndpoint=stub.url, iamEndpoint=stub.url)
    if entra:
        config["providers"]["azure"]["authorityHost"] = entra.url
    return json.dumps(config)


def google_stub(broker, provider_id):
    """Google as the README sets it up: the pool provider `provider_id` with no allowed audiences."""
    from gcp_stub import GoogleStub
    jwks = json.loads(broker.run("idp", "jwks").stdout)
    return GoogleStub(jwks, provider="projects/123456789012/locations/global/workloadIdentityPools/ci-pool/providers/" + provider_id)


def test_the_github_aws_and_gcp_recipe_runs_as_written(broker, serve, moto, tmp_path):
    served = serve()
    stub = google_stub(broker, "github")
    try:
        request_token = broker.run("idp", "request-token", "create", "--subject", "repo:acme/app:ref:refs/heads/main").stdout.strip()
        job = yaml.safe_load(recipe("github-gcp"))["jobs"]["deploy"]
        assert job["permissions"]["id-token"] == "write"
        workspace = tmp_path / "workspace"
        workspace.mkdir()
        (workspace / "broker.json").write_text(pointed_at(recipe("github-gcp-config"), stub))
        github_env = tmp_path / "github_env"
        env = with_google(runner_env(broker, moto, GITHUB_ACTIONS="true", GITHUB_WORKSPACE=str(workspace), GITHUB_RUN_ID="7412345678",
                                     ACTIONS_ID_TOKEN_REQUEST_URL=served.url + "/token?api-version=2.0",
                                     ACTIONS_ID_TOKEN_REQUEST_TOKEN=request_token,
                                     GITHUB_ENV=str(github_env), GITHUB_OUTPUT=str(tmp_path / "github_output")), tmp_path)
        results = run_github_steps(job, env, github_env, workspace)
        assert ":assumed-role/deploy/" in json.loads(results[1].stdout)["Arn"]
        assert results[2].stdout.strip() == "acme-prod"
        seen = (tmp_path / "gcloud-tokens").read_text().split()
        assert seen and seen[-1] in stub.impersonated
        assert not list(workspace.glob("*creds*.json")) and env["GOOGLE_APPLICATION_CREDENTIALS"].startswith(env["BROKER_HOME"])
    finally:
        stub.close()


def test_the_gitlab_aws_and_gcp_recipe_runs_as_written(broker, moto, tmp_path):
    stub = google_stub(broker, "gitlab")
    try:
        job = yaml.safe_load(recipe("gitlab-gcp"))["deploy"]
        workspace = tmp_path / "project"
        workspace.mkdir()
        (workspace / "broker.json").write_text(pointed_at(recipe("gitlab-gcp-config"), stub))
        subject = "project_path:acme/app:ref_type:branch:ref:main"
        tokens = {variable: broker.token(entry["aud"], "--subject", subject) for variable, entry in job["id_tokens"].items()}
        env = with_google(runner_env(broker, moto, GITLAB_CI="true", CI_PROJECT_DIR=str(workspace), CI_JOB_ID="991", **tokens), tmp_path)
        # GitLab runs a job's script lines in one shell.
        result = subprocess.run(["bash", "-e", "-c", "\n".join(job["script"])], env=env, cwd=workspace, capture_output=True, text=True, timeout=120)
        assert result.returncode == 0, result.stderr
        assert ":assumed-role/deploy/" in result.stdout and result.stdout.strip().endswith("acme-prod")
        assert (tmp_path / "gcloud-tokens").read_text().split()[-1] in stub.impersonated
        assert stub.sts_requests[0]["form"]["subject_token"] == tokens["GCP_ID_TOKEN"]
    finally:
        stub.close()


# --- AWS, Google Cloud and Azure in one login -----------------------------------------------

# Terraform and its azurerm provider cannot be downloaded here; this stand-in reads exactly what
# azurerm reads for OIDC (ARM_USE_OIDC, ARM_CLIENT_ID, ARM_TENANT_ID, ARM_SUBSCRIPTION_ID, and the
# token file ARM_OIDC_TOKEN_FILE_PATH, re-read for every token) and logs in through azure-identity's
# ClientAssertionCredential, as azurerm does through its own client. Entra's host is the loopback
# stub's (AZURE_AUTHORITY_HOST, which broker exports from the substituted authorityHost).
TERRAFORM = """#!{python}
import os, sys
from azure.identity import ClientAssertionCredential
if os.environ.get("ARM_USE_OIDC") != "true" or not os.environ.get("ARM_SUBSCRIPTION_ID"):
    sys.exit("terraform stand-in: azurerm needs ARM_USE_OIDC=true and ARM_SUBSCRIPTION_ID")
def assertion():
    with open(os.environ["ARM_OIDC_TOKEN_FILE_PATH"]) as token_file:
        return token_file.read()
credential = ClientAssertionCredential(os.environ["ARM_TENANT_ID"], os.environ["ARM_CLIENT_ID"], assertion,
                                       authority=os.environ["AZURE_AUTHORITY_HOST"], disable_instance_discovery=True)
token = credential.get_token("https://management.azure.com/.default").token
with open(os.environ["TERRAFORM_TOKENS_SEEN"], "a") as seen:
    seen.write(token + "\\n")
print("azurerm: subscription " + os.environ["ARM_SUBSCRIPTION_ID"] + ": no changes")
"""


def test_the_github_aws_gcp_and_azure_recipe_runs_as_written(broker, serve, moto, tmp_path):
    import sys
    from entra_stub import AUDIENCE, EntraStub
    served = serve()
    google = google_stub(broker, "github")
    config = json.loads(recipe("github-azure-config"))["providers"]["azure"]
    subject = "repo:acme/app:ref:refs/heads/main"
    # Entra as the README sets it up: one federated credential with the README's subject.
    (tmp_path / "ca").mkdir()
    entra = EntraStub(json.loads(broker.run("idp", "jwks").stdout), tmp_path / "ca", credentials={config["clientId"]: [
        {"issuer": served.discovery()["issuer"], "subject": subject, "audiences": [AUDIENCE]}]}, tenants=(config["tenantId"],))
    try:
        request_token = broker.run("idp", "request-token", "create", "--subject", subject).stdout.strip()
        job = yaml.safe_load(recipe("github-azure"))["jobs"]["deploy"]
        workspace = tmp_path / "workspace"
        (workspace / "infra").mkdir(parents=True)
        (workspace / "broker.json").write_text(pointed_at(recipe("github-azure-config"), google, entra))
        github_env = tmp_path / "github_env"
        env = with_google(runner_env(broker, moto, GITHUB_ACTIONS="true", GITHUB_WORKSPACE=str(workspace), GITHUB_RUN_ID="7412345678",
                                     ACTIONS_ID_TOKEN_REQUEST_URL=served.url + "/token?api-version=2.0",
                                     ACTIONS_ID_TOKEN_REQUEST_TOKEN=request_token, GITHUB_ENV=str(github_env),
                                     GITHUB_OUTPUT=str(tmp_path / "github_output"), SSL_CERT_FILE=entra.ca,
                                     REQUESTS_CA_BUNDLE=entra.ca, TERRAFORM_TOKENS_SEEN=str(tmp_path / "terraform-tokens")), tmp_path)
        (tmp_path / "gcloud-bin" / "terraform").write_text(TERRAFORM.format(python=sys.executable))
        (tmp_path / "gcloud-bin" / "terraform").chmod(0o755)
        results = run_github_steps(job, env, github_env, workspace)
        assert ":assumed-role/deploy/" in json.loads(results[1].stdout)["Arn"]
        assert results[2].stdout.strip() == "acme-prod"
        assert results[3].stdout.strip() == "azurerm: subscription " + config["subscriptionId"] + ": no changes"
        assert (tmp_path / "terraform-tokens").read_text().split()[-1] in [i["token"] for i in entra.issued]
        # broker's own grant and Terraform's both sent the token file's bytes.
        token_file = env["ARM_OIDC_TOKEN_FILE_PATH"]
        assert token_file.startswith(env["BROKER_HOME"]) and env["AZURE_FEDERATED_TOKEN_FILE"] == token_file
        assert entra.token_requests[-1]["form"]["client_assertion"] == open(token_file).read()
        assert len(entra.token_requests) == 2 and env["ARM_SUBSCRIPTION_ID"] == config["subscriptionId"]
    finally:
        google.close()
        entra.close()

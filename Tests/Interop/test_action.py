"""The GitHub Action (action.yml) run without GitHub: each step goes through bash the way the
runner runs a composite action's steps (inputs and step outputs substituted into `env`,
$GITHUB_PATH and $GITHUB_ENV carried to later steps), on a simulated runner whose token
service is `broker idp serve` on loopback (it checks the bearer), installing the release
tarball from a local directory, with moto standing in for AWS."""
import hashlib
import json
import os
import platform
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from conftest import BROKER, REPO

RELEASE = os.environ.get("BROKER_RELEASE", "")
ACTION = yaml.safe_load((REPO / "action.yml").read_text())
ROLE = "arn:aws:iam::123456789012:role/deploy"
EXPRESSION = re.compile(r"\$\{\{\s*([\w.-]+)\s*\}\}")


class Runner:
    """A job's runner: its files, its environment, and the steps' outputs."""

    def __init__(self, root, env):
        self.root = root
        self.temp = root / "runner-temp"
        self.temp.mkdir()
        self.github_env = root / "github_env"
        self.github_path = root / "github_path"
        self.workspace = root / "workspace"
        self.workspace.mkdir()
        self.env = {**env, "GITHUB_ACTIONS": "true", "RUNNER_TEMP": str(self.temp), "RUNNER_TOOL_CACHE": str(root / "tool-cache"),
                    "RUNNER_ARCH": {"x86_64": "X64", "aarch64": "ARM64"}[platform.machine()], "GITHUB_WORKSPACE": str(self.workspace),
                    "GITHUB_ENV": str(self.github_env), "GITHUB_PATH": str(self.github_path), "GITHUB_RUN_ID": "7412345678"}

    def run_action(self, inputs, ref="main"):
        """Runs the action's steps in order, as `uses: acme/broker@REF` with `with: inputs`."""
        values = {name: spec.get("default", "") for name, spec in ACTION["inputs"].items()}
        values.update(inputs)
        context = {"github.action_repository": "acme/broker", "github.action_ref": ref, "github.action_path": str(REPO)}
        outputs, results = {}, []
        for step in ACTION["runs"]["steps"]:
            if "if" in step:  # the one form action.yml uses: inputs.NAME != 'VALUE'
                name, expected = re.fullmatch(r"inputs\.([\w-]+) != '(\w*)'", step["if"]).groups()
                if values[name] == expected:
                    continue
            output_file = self.root / f"output-{step['id']}-{len(results)}"
            output_file.touch()
            env = dict(self.env)
            if self.github_env.exists():
                env.update(line.split("=", 1) for line in self.github_env.read_text().splitlines() if "=" in line)
            if self.github_path.exists():
                env["PATH"] = ":".join(reversed(self.github_path.read_text().split())) + ":" + env["PATH"]
            env.update({"GITHUB_ACTION_PATH": str(REPO), "GITHUB_OUTPUT": str(output_file)})

            def value(match):
                name = match.group(1)
                if name.startswith("inputs."):
                    return values[name[len("inputs."):]]
                if name.startswith("steps."):
                    _, step_id, _, output = name.split(".")
                    return outputs.get(step_id, {}).get(output, "")
                return context[name]

            env.update({name: EXPRESSION.sub(value, str(expression)) for name, expression in step.get("env", {}).items()})
            assert "${{" not in step["run"]  # everything reaches the script through env, never templated into it
            result = subprocess.run([step["shell"], "-e", "-c", step["run"]], env=env, cwd=self.workspace, capture_output=True,
                                    text=True, timeout=120)
            results.append(result)
            if result.returncode != 0:
                return results, outputs
            outputs[step["id"]] = dict(line.split("=", 1) for line in output_file.read_text().splitlines() if "=" in line)
        return results, outputs

    def exported(self):
        return dict(line.split("=", 1) for line in self.github_env.read_text().splitlines() if "=" in line) if self.github_env.exists() else {}


@pytest.fixture
def release_dir(tmp_path):
    """A release directory as the action downloads from: the tarball and SHA256SUMS."""
    assert RELEASE and os.path.exists(RELEASE), "BROKER_RELEASE names no tarball: run 'make release' (make test does it first)"
    directory = tmp_path / "release"
    directory.mkdir()
    shutil.copy(RELEASE, directory)
    shutil.copy(Path(RELEASE).parent / "SHA256SUMS", directory)
    return directory


@pytest.fixture
def runner(broker, serve, moto, tmp_path):
    served = serve()
    request_token = broker.run("idp", "request-token", "create", "--subject", "repo:acme/app:ref:refs/heads/main").stdout.strip()
    env = {"HOME": str(broker.home), "USER": "runner", "PATH": "/usr/local/bin:/usr/bin:/bin",
           "AWS_ENDPOINT_URL": moto, "AWS_EC2_METADATA_DISABLED": "true",
           "ACTIONS_ID_TOKEN_REQUEST_URL": served.url + "/token?api-version=2.0", "ACTIONS_ID_TOKEN_REQUEST_TOKEN": request_token}
    (tmp_path / "runner").mkdir()
    runner = Runner(tmp_path / "runner", env)
    (runner.workspace / "broker.json").write_text(json.dumps({"version": 1, "providers": {
        "aws": {"adapter": "aws-sts", "roleArn": ROLE, "region": "us-east-1", "profile": "ci"}}}))
    runner.env["BROKER_HOME"] = broker.env["BROKER_HOME"]
    return runner


def version():
    return re.search(r"broker-(\d+\.\d+\.\d+)-linux-", Path(RELEASE).name).group(1)


def test_installs_the_checked_release_and_logs_in_with_the_jobs_token(runner, release_dir, broker):
    results, outputs = runner.run_action({"version": version(), "release-url": release_dir.as_uri()})
    assert all(r.returncode == 0 for r in results), [r.stderr for r in results]
    install, login = results

    # Installed into the tool cache for the runner's architecture, and put on PATH for later steps.
    binary = Path(outputs["install"]["path"])
    assert binary.parent == Path(runner.github_path.read_text().split()[0])
    assert str(binary).startswith(runner.env["RUNNER_TOOL_CACHE"] + f"/broker/{version()}/{platform.machine()}/")
    packed = subprocess.run(["tar", "-xzOf", RELEASE, f"{Path(RELEASE).name[:-7]}/bin/broker"], capture_output=True, check=True).stdout
    assert hashlib.sha256(binary.read_bytes()).digest() == hashlib.sha256(packed).digest()

    # The login: variables exported to later steps, every secret masked first, the profile written.
    variables = runner.exported()
    assert variables["AWS_REGION"] == "us-east-1"
    secrets = [variables[name] for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN")]
    masks = [line[len("::add-mask::"):] for line in login.stdout.splitlines() if line.startswith("::add-mask::")]
    assert set(secrets) <= set(masks)
    assert all(line.startswith("::add-mask::") for line in login.stdout.splitlines() if any(s in line for s in secrets))
    assert not any(s in login.stderr for s in secrets)
    assert "[ci]" in (broker.home / ".aws" / "credentials").read_text()
    assert outputs["login"]["account"] == "123456789012" and ":assumed-role/deploy/" in outputs["login"]["identity"]

    # A later step of the job: the AWS CLI on the exported variables, against moto.
    env = {**runner.env, **variables}
    caller = subprocess.run(["aws", "sts", "get-caller-identity", "--output", "json"], env={**env, "PATH": os.environ["PATH"]},
                            capture_output=True, text=True)
    assert caller.returncode == 0, caller.stderr
    assert ":assumed-role/deploy/" in json.loads(caller.stdout)["Arn"]

    # A second use in the job comes from the tool cache: no download (the release URL is gone).
    again, _ = runner.run_action({"version": version(), "release-url": (release_dir / "gone").as_uri(), "min-remaining": "15m"})
    assert all(r.returncode == 0 for r in again), [r.stderr for r in again]


def test_a_tarball_that_does_not_match_sha256sums_installs_nothing(runner, release_dir):
    tarball = next(release_dir.glob("*.tar.gz"))
    tarball.write_bytes(tarball.read_bytes() + b"tampered")
    results, outputs = runner.run_action({"version": version(), "release-url": release_dir.as_uri()})
    assert len(results) == 1 and results[0].returncode != 0
    assert "does not match SHA256SUMS" in results[0].stdout
    assert not runner.github_path.exists() and not any(Path(runner.env["RUNNER_TOOL_CACHE"]).rglob("broker"))


def test_the_version_comes_from_the_action_tag_and_a_branch_ref_needs_one(runner, release_dir):
    results, _ = runner.run_action({"release-url": release_dir.as_uri()}, ref=f"v{version()}")
    assert all(r.returncode == 0 for r in results), [r.stderr for r in results]
    runner.github_path.unlink()
    results, _ = runner.run_action({"release-url": release_dir.as_uri()}, ref="main")
    assert results[0].returncode != 0 and "version: give a release" in results[0].stdout


def test_a_local_binary_and_named_providers_with_a_config_input(runner, broker):
    config = runner.root / "ci-broker.json"
    config.write_text(json.dumps({"version": 1, "providers": {
        "aws": {"adapter": "aws-sts", "roleArn": ROLE, "region": "us-east-1", "profile": "named"},
        "other": {"adapter": "aws-sts", "roleArn": ROLE, "profile": "other", "stsEndpoint": "http://127.0.0.1:9"}}}))
    results, outputs = runner.run_action({"binary": BROKER, "config": str(config), "providers": "aws"})
    assert all(r.returncode == 0 for r in results), [r.stderr for r in results]
    assert outputs["install"]["path"] == str(runner.temp / "broker-bin" / "broker")
    text = (broker.home / ".aws" / "credentials").read_text()
    assert "[named]" in text and "[other]" not in text


def test_a_wrong_bearer_for_the_token_service_fails_the_login_step(runner, release_dir):
    runner.env["ACTIONS_ID_TOKEN_REQUEST_TOKEN"] = "not-the-request-token"
    results, _ = runner.run_action({"version": version(), "release-url": release_dir.as_uri()})
    assert results[0].returncode == 0 and results[1].returncode != 0
    assert "AWS_SECRET_ACCESS_KEY" not in runner.exported()


def test_login_false_only_installs(runner, release_dir):
    results, outputs = runner.run_action({"version": version(), "release-url": release_dir.as_uri(), "login": "false"})
    assert len(results) == 1 and results[0].returncode == 0 and "login" not in outputs
    assert runner.exported() == {} and Path(outputs["install"]["path"]).is_file()

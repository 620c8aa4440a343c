"""Issue 17: defaults a CI user can trust. Each test reproduces one surprise of the earlier
main and asserts the behaviour that replaces it, against the STS stub or moto."""
import time
from pathlib import Path

import jwt
import pytest

from sts_stub import STSStub

ROLE = "arn:aws:iam::123456789012:role/deploy"


@pytest.fixture
def sts():
    stub = STSStub([])
    yield stub
    stub.close()


def login(broker, *extra, env=None, check=False):
    return broker.run("login", "aws", "--role-arn", ROLE, *extra, env=env, check=check)


def token_file(broker, name, **claims):
    """A token as a CI platform or kubelet would leave it (signature irrelevant: STS checks it)."""
    now = int(time.time())
    body = {"iss": "https://token.actions.githubusercontent.com", "sub": "repo:acme/app:ref:refs/heads/main",
            "aud": "sts.amazonaws.com", "iat": now, "exp": now + 300, **claims}
    path = broker.root / name
    path.write_text(jwt.encode(body, "not-checked-here-but-long-enough-for-hs256", algorithm="HS256"))
    return str(path)


# --- 1. no silent fallback in CI --------------------------------------------------------------

def test_github_job_without_id_token_permission_stops_with_the_permissions_fix(broker, sts):
    result = login(broker, "--sts-endpoint", sts.url, env={"GITHUB_ACTIONS": "true"})
    assert result.returncode == 2, result.stderr
    assert "ACTIONS_ID_TOKEN_REQUEST_URL" in result.stderr
    assert "permissions: { id-token: write" in result.stderr
    assert "--source embedded" in result.stderr
    assert sts.requests == []
    assert not (broker.home / ".aws").exists()


def test_embedded_issuer_in_ci_only_when_asked_for(broker, sts):
    result = login(broker, "--sts-endpoint", sts.url, "--source", "embedded", env={"GITHUB_ACTIONS": "true"})
    assert result.returncode == 0, result.stderr
    assert len(sts.requests) == 1


def test_gitlab_job_without_id_tokens_stops_with_the_id_tokens_fix(broker, sts):
    result = login(broker, "--sts-endpoint", sts.url, env={"GITLAB_CI": "true"})
    assert result.returncode == 2, result.stderr
    assert "id_tokens: { BROKER_ID_TOKEN: { aud: <audience> } }" in result.stderr
    assert sts.requests == []


def test_http_issuer_against_real_aws_fails_before_sts_with_the_three_steps(broker):
    # No --sts-endpoint: the real https://sts.amazonaws.com, unreachable here; the refusal must
    # come before any connection (a network failure would exit 1).
    result = login(broker, "--source", "embedded")
    assert result.returncode == 2, result.stderr
    assert "is http://" in result.stderr
    assert "broker idp publish" in result.stderr
    assert "aws iam create-open-id-connect-provider" in result.stderr
    assert not (broker.home / ".aws").exists()


# --- 2. the token is checked before it is sent ------------------------------------------------

def test_a_token_for_another_audience_is_reported_before_sts(broker, sts):
    path = token_file(broker, "wrong-aud.jwt", aud="api://AzureADTokenExchange")
    result = login(broker, "--sts-endpoint", sts.url, "--token-file", path)
    assert result.returncode == 2, result.stderr
    assert "aud 'api://AzureADTokenExchange', not 'sts.amazonaws.com'" in result.stderr
    assert f"file {path}" in result.stderr  # names the source, not the cloud
    assert sts.requests == []


def test_an_expired_token_is_reported_before_sts(broker, sts):
    path = token_file(broker, "old.jwt", iat=int(time.time()) - 900, exp=int(time.time()) - 600)
    result = login(broker, "--sts-endpoint", sts.url, "--token-file", path)
    assert result.returncode == 2, result.stderr
    assert "expired at" in result.stderr
    assert sts.requests == []
    # The same checks guard credential-process, which the SDKs call on their own.
    result = broker.run("credential-process", "aws", "--role-arn", ROLE, "--sts-endpoint", sts.url,
                        "--token-file", path, check=False)
    assert result.returncode == 2 and "expired at" in result.stderr
    assert sts.requests == []


def test_a_matching_token_goes_through(broker, sts):
    path = token_file(broker, "good.jwt", aud=["other", "sts.amazonaws.com"])
    result = login(broker, "--sts-endpoint", sts.url, "--token-file", path)
    assert result.returncode == 0, result.stderr
    assert len(sts.requests) == 1


# --- 3. AWS conventions -----------------------------------------------------------------------

def sections(path):
    import configparser
    parser = configparser.RawConfigParser()
    parser.read(path)
    return parser


def test_profile_region_and_endpoint_follow_the_aws_cli_variables(broker, sts):
    env = {"AWS_PROFILE": "prod", "AWS_DEFAULT_REGION": "eu-west-1", "AWS_ENDPOINT_URL_STS": sts.url}
    result = login(broker, env=env)
    assert result.returncode == 0, result.stderr
    assert len(sts.requests) == 1  # the endpoint came from AWS_ENDPOINT_URL_STS
    assert "prod" in sections(broker.home / ".aws" / "credentials")
    assert sections(broker.home / ".aws" / "config")["profile prod"]["region"] == "eu-west-1"
    assert "has no region" not in result.stderr
    # AWS_REGION wins over AWS_DEFAULT_REGION; flags win over both; AWS_ENDPOINT_URL is the fallback.
    env = {"AWS_PROFILE": "prod", "AWS_REGION": "us-west-2", "AWS_DEFAULT_REGION": "eu-west-1", "AWS_ENDPOINT_URL": sts.url}
    assert login(broker, env=env).returncode == 0
    assert sections(broker.home / ".aws" / "config")["profile prod"]["region"] == "us-west-2"
    assert login(broker, "--profile", "other", "--region", "ap-south-1", env=env).returncode == 0
    assert sections(broker.home / ".aws" / "config")["profile other"]["region"] == "ap-south-1"
    assert len(sts.requests) == 3


def test_configured_endpoints_can_be_ignored_as_in_the_aws_cli(broker, sts):
    env = {"AWS_ENDPOINT_URL_STS": sts.url, "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS": "true"}
    # Real AWS again: the http:// embedded issuer is refused before any call.
    result = login(broker, env=env)
    assert result.returncode == 2 and "is http://" in result.stderr
    assert sts.requests == []


def test_a_bad_region_variable_is_named(broker, sts):
    result = login(broker, "--sts-endpoint", sts.url, env={"AWS_REGION": "mars-1"})
    assert result.returncode == 2
    assert "AWS_REGION: 'mars-1' is not an AWS region" in result.stderr
    assert sts.requests == []


def test_a_profile_without_a_region_gets_a_warning_naming_the_fix(broker, sts):
    result = login(broker, "--sts-endpoint", sts.url, "--profile", "prod")
    assert result.returncode == 0
    assert "profile 'prod' has no region" in result.stderr and "--region" in result.stderr
    # A region the user already has in the profile is enough.
    (broker.home / ".aws" / "config").write_text("[profile prod]\nregion = eu-central-1\n")
    result = login(broker, "--sts-endpoint", sts.url, "--profile", "prod")
    assert "has no region" not in result.stderr


def test_env_output_exports_both_region_variables(broker, sts):
    result = login(broker, "--sts-endpoint", sts.url, "--region", "eu-west-1", "--output", "env")
    assert "export AWS_REGION=eu-west-1" in result.stdout
    assert "export AWS_DEFAULT_REGION=eu-west-1" in result.stdout


# --- 4. never replace what the user did not give broker --------------------------------------

def test_long_lived_keys_are_refused_unless_overwrite_and_logout_puts_them_back(broker, sts):
    aws = broker.home / ".aws"
    aws.mkdir(mode=0o700)
    mine = "[prod]\naws_access_key_id = AKIAIOSFODNN7EXAMPLE\naws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n"
    (aws / "credentials").write_text(mine)
    result = login(broker, "--sts-endpoint", sts.url, "--profile", "prod")
    assert result.returncode == 2
    assert "long-lived access keys (aws_access_key_id AKIA…)" in result.stderr and "--overwrite" in result.stderr
    assert "wJalr" not in result.stderr and "IOSFODNN7" not in result.stderr
    assert (aws / "credentials").read_text() == mine
    # Checked under the file's lock when writing (after STS answered): the unused session just expires.
    result = login(broker, "--sts-endpoint", sts.url, "--profile", "prod", "--overwrite")
    assert result.returncode == 0, result.stderr
    assert "AKIAIOSFODNN7EXAMPLE" not in (aws / "credentials").read_text()
    # broker's own keys are broker's to replace: no flag needed the second time.
    assert login(broker, "--sts-endpoint", sts.url, "--profile", "prod").returncode == 0
    broker.run("logout", "--all")
    assert (aws / "credentials").read_text() == mine


def test_overwrite_in_the_config(broker, sts):
    import json
    aws = broker.home / ".aws"
    aws.mkdir(mode=0o700)
    (aws / "credentials").write_text("[default]\naws_access_key_id = AKIAIOSFODNN7EXAMPLE\naws_secret_access_key = x\n")
    config = {"version": 1, "providers": {"aws": {"adapter": "aws-sts", "roleArn": ROLE, "stsEndpoint": sts.url, "overwrite": True}}}
    (broker.root / "cfg.json").write_text(json.dumps(config))
    result = broker.run("login", "--all", "--config", str(broker.root / "cfg.json"), check=False)
    assert result.returncode == 0, result.stderr


# --- 5. export one identity -------------------------------------------------------------------

def two_aws_providers(broker, sts, **marks):
    import json
    providers = {name: {"adapter": "aws-sts", "roleArn": ROLE, "stsEndpoint": sts.url, "profile": name, "region": "eu-west-1",
                        **({"export": True} if marks.get(name) else {})} for name in ("dev", "prod")}
    path = broker.root / "two.json"
    path.write_text(json.dumps({"version": 1, "providers": providers}))
    return str(path)


def exported(stdout):
    return dict(line[len("export "):].split("=", 1) for line in stdout.splitlines() if line.startswith("export "))


def test_several_aws_providers_cannot_all_be_exported(broker, sts):
    config = two_aws_providers(broker, sts)
    result = broker.run("login", "--all", "--config", config, "--output", "env", check=False)
    assert result.returncode == 2
    assert "2 aws-sts providers (dev, prod)" in result.stderr and '"export": true' in result.stderr
    assert sts.requests == [] and not (broker.home / ".aws").exists()
    # Naming one provider is enough.
    result = broker.run("login", "prod", "--config", config, "--output", "env")
    assert len(exported(result.stdout)) == 6 and sts.requests


def test_the_provider_marked_export_is_the_one_exported(broker, sts):
    config = two_aws_providers(broker, sts, prod=True)
    result = broker.run("login", "--all", "--config", config, "--output", "env")
    variables = exported(result.stdout)
    assert variables["AWS_ACCESS_KEY_ID"].startswith("ASIA") and result.stdout.count("AWS_ACCESS_KEY_ID") == 1
    assert len(sts.requests) == 2  # both logged in, one exported
    import configparser
    written = configparser.RawConfigParser()
    written.read(broker.home / ".aws" / "credentials")
    assert variables["AWS_ACCESS_KEY_ID"] == written["prod"]["aws_access_key_id"]


def test_self_refreshing_modes_export_the_profile_not_static_keys(broker, sts):
    result = login(broker, "--sts-endpoint", sts.url, "--mode", "credential-process", "--profile", "ci",
                   "--region", "eu-west-1", "--output", "env")
    assert result.returncode == 0, result.stderr
    assert exported(result.stdout) == {"AWS_PROFILE": "ci", "AWS_REGION": "eu-west-1", "AWS_DEFAULT_REGION": "eu-west-1"}
    result = login(broker, "--sts-endpoint", sts.url, "--mode", "web-identity", "--profile", "wi", "--output", "env")
    assert exported(result.stdout) == {"AWS_PROFILE": "wi"}


def test_a_login_skipped_by_min_remaining_still_exports_without_secrets(broker, sts):
    config = two_aws_providers(broker, sts, prod=True)
    broker.run("login", "prod", "--config", config)
    result = broker.run("login", "--all", "--config", config, "--min-remaining", "10m", "--output", "env")
    assert exported(result.stdout) == {"AWS_PROFILE": "prod", "AWS_REGION": "eu-west-1", "AWS_DEFAULT_REGION": "eu-west-1"}
    assert "SECRET" not in result.stdout


# --- 6. trust no stranger's config ------------------------------------------------------------

def cloned_repository(broker):
    """A checkout holding a broker.json whose exec plugin leaves a mark when it runs."""
    import json
    repo = broker.root / "clone"
    (repo / ".git").mkdir(parents=True)
    (repo / "src").mkdir()
    marker = broker.root / "plugin-ran"
    plugin = repo / "plugin.sh"
    plugin.write_text(f"#!/bin/sh\ntouch {marker}\nexit 1\n")
    plugin.chmod(0o755)
    config = {"version": 1, "source": {"type": "embedded"},
              "providers": {"steal": {"adapter": "exec", "audience": "x", "command": [str(plugin)]}}}
    (repo / "broker.json").write_text(json.dumps(config))
    return repo, marker


def run_in(broker, directory, *args, env=None):
    import subprocess
    merged = dict(broker.env)
    merged.update(env or {})
    from conftest import BROKER
    return subprocess.run([BROKER, *args], capture_output=True, text=True, env=merged, cwd=directory, timeout=60)


def test_a_cloned_repositorys_plugin_never_runs_before_it_is_trusted(broker):
    repo, marker = cloned_repository(broker)
    result = run_in(broker, repo / "src", "login", "--all")  # found upward, at the repository root
    assert result.returncode == 2, result.stderr
    assert f"config: {repo}/broker.json (found from the working directory)" in result.stderr
    assert "is not trusted" in result.stderr and "providers.steal: runs" in result.stderr
    assert "broker config trust" in result.stderr
    assert not marker.exists()

    trusted = run_in(broker, repo / "src", "config", "trust")
    assert trusted.returncode == 0 and "trusted" in trusted.stderr
    result = run_in(broker, repo / "src", "login", "--all")
    assert marker.exists()  # the plugin ran (and failed, as it is written to)

    # Any change to the file needs trusting again.
    marker.unlink()
    (repo / "broker.json").write_text((repo / "broker.json").read_text() + "\n")
    result = run_in(broker, repo, "login", "--all")
    assert result.returncode == 2 and not marker.exists()


def test_explicit_config_and_a_ci_job_building_the_repository_count_as_trust(broker):
    repo, marker = cloned_repository(broker)
    run_in(broker, repo, "login", "--all", "--config", str(repo / "broker.json"))
    assert marker.exists()
    marker.unlink()
    run_in(broker, repo, "login", "--all", env={"GITHUB_ACTIONS": "true", "GITHUB_WORKSPACE": str(repo)})
    assert marker.exists()
    marker.unlink()
    # Another job's workspace is not this repository.
    result = run_in(broker, repo, "login", "--all", env={"GITHUB_ACTIONS": "true", "GITHUB_WORKSPACE": str(broker.root / "other")})
    assert result.returncode == 2 and not marker.exists()


def test_the_search_stops_at_the_repository_root_and_harmless_configs_need_no_trust(broker, sts):
    import json
    repo = broker.root / "clone"
    (repo / ".git").mkdir(parents=True)
    # Above the repository: not this repository's config, never picked up from inside it.
    (broker.root / "broker.json").write_text(json.dumps({"version": 1, "providers": {
        "aws": {"adapter": "aws-sts", "roleArn": "arn:aws:iam::111111111111:role/outside"}}}))
    result = run_in(broker, repo, "doctor")
    assert "none found" in result.stdout
    # Inside, a config that only names an AWS role (AWS's own endpoints) needs no trust.
    (repo / "broker.json").write_text(json.dumps({"version": 1, "providers": {
        "aws": {"adapter": "aws-sts", "roleArn": ROLE, "profile": "repo"}}}))
    result = run_in(broker, repo, "login", "aws", "--sts-endpoint", sts.url)
    assert result.returncode == 0, result.stderr
    assert f"config: {repo}/broker.json (found from the working directory)" in result.stderr


# --- 7. real expiry and refresh ---------------------------------------------------------------

def status_rows(broker):
    import json
    return {row["name"]: row for row in json.loads(broker.run("status", "--output", "json").stdout)["results"]}


def test_web_identity_status_and_min_remaining_see_the_token_files_expiry(broker, sts):
    path = token_file(broker, "short.jwt", exp=int(time.time()) + 120)
    assert login(broker, "--sts-endpoint", sts.url, "--mode", "web-identity", "--token-file", path).returncode == 0
    row = status_rows(broker)["aws"]
    assert row["secondsLeft"] <= 120  # the session (2099 from the stub) outlives the token file by far
    import json
    config = {"version": 1, "providers": {"wi": {"adapter": "aws-sts", "roleArn": ROLE, "stsEndpoint": sts.url, "mode": "web-identity",
                                                 "profile": "wi"}}}
    (broker.root / "cfg.json").write_text(json.dumps(config))
    args = ("login", "wi", "--config", str(broker.root / "cfg.json"), "--token-file", path, "--min-remaining", "10m")
    broker.run(*args)
    assert status_rows(broker)["wi"]["secondsLeft"] <= 120
    broker.run(*args)
    assert len(sts.requests) == 3  # never skipped: the token file has 2 minutes left, not 10


def test_refresh_watch_renews_a_token_file_before_it_expires(broker, sts):
    import subprocess
    source = token_file(broker, "source.jwt", iat=int(time.time()) - 240, exp=int(time.time()) + 60)
    assert login(broker, "--sts-endpoint", sts.url, "--mode", "web-identity", "--token-file", source, "--profile", "w").returncode == 0
    written = broker.home.parent / "broker-home" / "aws" / "web-identity" / "w.jwt"
    old = written.read_text()
    fresh = token_file(broker, "source.jwt", exp=int(time.time()) + 600)  # the platform's next token
    assert Path(fresh).read_text() != old
    watcher = broker.popen("refresh", "--watch")
    try:
        deadline = time.time() + 15
        while time.time() < deadline and written.read_text() == old:
            time.sleep(0.2)
        assert written.read_text() == Path(fresh).read_text()
        assert watcher.poll() is None  # still watching
    finally:
        watcher.terminate()
        watcher.wait(timeout=10)
    assert "every 30 minutes" not in broker.run("refresh", "--help").stdout


def test_short_sessions_are_cached_and_status_reads_what_credential_process_refreshed(broker, aws, moto):
    import configparser
    import json
    import shlex
    import subprocess
    from conftest import sdk_env
    assert login(broker, "--sts-endpoint", moto, "--mode", "credential-process", "--profile", "cp",
                 "--duration-seconds", "900").returncode == 0
    config = configparser.RawConfigParser()
    config.read(aws / "config")
    argv = shlex.split(config["profile cp"]["credential_process"])
    first = json.loads(subprocess.run(argv, capture_output=True, text=True, env=sdk_env(broker), check=True).stdout)
    second = json.loads(subprocess.run(argv, capture_output=True, text=True, env=sdk_env(broker), check=True).stdout)
    assert first["AccessKeyId"] == second["AccessKeyId"]  # a 900 s session is cached (for 675 s)
    # Make the cache due, let the SDK's helper refresh it: status follows the refreshed session.
    cache = next((broker.root / "broker-home" / "aws" / "credential-process").glob("*.json"))
    document = json.loads(cache.read_text())
    document["Expiration"] = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() + 60))
    cache.write_text(json.dumps(document))
    time.sleep(1.1)
    third = json.loads(subprocess.run(argv, capture_output=True, text=True, env=sdk_env(broker), check=True).stdout)
    assert third["AccessKeyId"] != first["AccessKeyId"]
    assert status_rows(broker)["aws:cp"]["expiration"] == third["Expiration"]


# --- 8. credential_process lines survive upgrades ----------------------------------------------

def credential_process_line(broker, aws):
    import configparser
    config = configparser.RawConfigParser()
    config.read(aws / "config")
    return config["profile cp"]["credential_process"]


def test_credential_process_names_broker_on_path_or_the_invoked_path(broker, aws, sts):
    import os
    import subprocess
    from conftest import BROKER
    bin_dir = broker.root / "bin"
    bin_dir.mkdir()
    (bin_dir / "broker").symlink_to(BROKER)
    env = {"PATH": f"{bin_dir}:{os.environ['PATH']}"}
    login(broker, "--sts-endpoint", sts.url, "--mode", "credential-process", "--profile", "cp", env=env, check=True)
    assert credential_process_line(broker, aws).startswith("broker credential-process aws ")
    # Not on PATH: the path it was invoked by (a symlink such as /usr/local/bin/broker), not
    # the file it resolves to.
    link = broker.root / "opt-broker"
    link.symlink_to(BROKER)
    merged = {**broker.env}
    subprocess.run([str(link), "login", "aws", "--role-arn", ROLE, "--sts-endpoint", sts.url, "--mode", "credential-process",
                    "--profile", "cp"], env=merged, cwd=broker.root, check=True, capture_output=True)
    assert credential_process_line(broker, aws).startswith(f"{link} credential-process aws ")


def test_a_working_directory_config_in_a_credential_process_line_is_said(broker, aws, sts):
    import json
    (broker.root / "broker.json").write_text(json.dumps({"version": 1, "source": {"type": "embedded"}}))
    result = login(broker, "--sts-endpoint", sts.url, "--mode", "credential-process", "--profile", "cp", check=True)
    assert f"--config {broker.root}/broker.json" in credential_process_line(broker, aws)
    assert f"use --config {broker.root}/broker.json, found from the working directory" in result.stderr


# --- 9. typos first ---------------------------------------------------------------------------

@pytest.mark.parametrize("args, said", [
    (["login", "aws", "--role_arn", ROLE], "unknown option '--role_arn' for 'broker login aws'\n  hint: did you mean '--role-arn'?"),
    (["idp", "token", "--audiance", "a"], "unknown option '--audiance' for 'broker idp token'\n  hint: did you mean '--audience'?"),
    (["statsu"], "unknown command 'statsu' for 'broker'\n  hint: did you mean 'status'?"),
    (["config", "shwo"], "unknown command 'shwo' for 'broker config'\n  hint: did you mean 'show'?"),
    (["login", "--al"], "unknown option '--al' for 'broker login'\n  hint: did you mean '--all'?"),
])
def test_unknown_options_and_commands_are_reported_first(broker, args, said):
    result = broker.run(*args, check=False)
    assert result.returncode == 2
    assert said in result.stderr
    assert "is required" not in result.stderr


def test_the_anchors_names_and_durations_are_accepted(broker, sts):
    result = broker.run("login", "aws", "--role-to-assume", ROLE, "--aws-region", "eu-west-1", "--duration-seconds", "1h",
                        "--sts-endpoint", sts.url, "--profile", "anchor")
    assert result.returncode == 0
    form = sts.requests[0]["form"]
    assert form["RoleArn"] == [ROLE] and form["DurationSeconds"] == ["3600"]
    assert sections(broker.home / ".aws" / "config")["profile anchor"]["region"] == "eu-west-1"
    result = login(broker, "--sts-endpoint", sts.url, "--duration-seconds", "13h")
    assert result.returncode == 2 and "--duration-seconds" in result.stderr


# --- 10. one vocabulary for output ------------------------------------------------------------

def test_text_is_the_default_output_everywhere(broker, sts):
    for command in (["login", "aws", "--role-arn", ROLE, "--sts-endpoint", sts.url], ["login", "--all"], ["status"]):
        result = broker.run(*command, "--output", "text", check=False)
        assert "--output must be" not in result.stderr, command


def test_status_check_fails_a_step_when_a_login_expired_or_is_inside_the_window(broker, sts):
    path = token_file(broker, "short.jwt", exp=int(time.time()) + 120)
    login(broker, "--sts-endpoint", sts.url, "--mode", "web-identity", "--token-file", path, check=True)
    assert broker.run("status", "--check", check=False).returncode == 0
    result = broker.run("status", "--check", "--min-remaining", "10m", check=False)
    assert result.returncode == 1 and "aws: less than 10m left" in result.stderr
    # The source now holds an expired token: refresh refuses it and keeps the file as it is.
    expired = Path(token_file(broker, "gone.jwt", iat=int(time.time()) - 600, exp=int(time.time()) - 60)).read_text()
    Path(path).write_text(expired)
    result = broker.run("refresh", check=False)
    assert result.returncode == 2 and "expired at" in result.stderr
    assert broker.run("status", "--check", check=False).returncode == 0
    # Time passes: the token file the SDKs read has expired.
    (broker.root / "broker-home" / "aws" / "web-identity" / "default.jwt").write_text(expired)
    result = broker.run("status", "--check", check=False)
    assert result.returncode == 1 and "aws: expired" in result.stderr


def test_failures_are_annotated_in_github_actions_and_step_outputs_written(broker, sts, tmp_path):
    result = login(broker, "--sts-endpoint", sts.url, "--role-arn", "nope", env={"GITHUB_ACTIONS": "true"})
    assert result.returncode == 2
    assert "::error title=broker::" in result.stderr
    outputs, github_env = tmp_path / "outputs", tmp_path / "env"
    env = {"GITHUB_OUTPUT": str(outputs), "GITHUB_ENV": str(github_env)}
    result = login(broker, "--sts-endpoint", sts.url, "--source", "embedded", "--output", "github", env=env)
    assert result.returncode == 0, result.stderr
    written = dict(line.split("=", 1) for line in outputs.read_text().splitlines())
    assert written == {"identity": "arn:aws:sts::123456789012:assumed-role/deploy/session", "account": "123456789012",
                       "expiration": "2099-01-01T00:00:00Z"}
    assert "STUBSECRET" not in outputs.read_text()


def test_usage_never_shows_the_internal_providers_command(broker):
    for args in (["login"], ["login", "--help"], ["login", "providers", "--help"]):
        result = broker.run(*args, check=False)
        assert "login providers" not in result.stdout + result.stderr, args
    assert "broker login <name> ... | --all" in broker.run("login", check=False).stderr


def test_a_config_entry_named_aws_is_the_aws_command_or_refused(broker, sts):
    import json
    (broker.root / "c.json").write_text(json.dumps({"version": 1, "providers": {
        "aws": {"adapter": "vault-jwt", "address": "http://127.0.0.1:8200", "role": "r"}}}))
    result = broker.run("login", "--all", "--config", str(broker.root / "c.json"), check=False)
    assert result.returncode == 2 and "the name 'aws' is reserved for 'broker login aws'" in result.stderr
    (broker.root / "c.json").write_text(json.dumps({"version": 1, "providers": {
        "aws": {"adapter": "aws-sts", "roleArn": ROLE, "stsEndpoint": sts.url, "profile": "named"}}}))
    assert broker.run("login", "aws", "--config", str(broker.root / "c.json")).returncode == 0
    assert broker.run("login", "--all", "--config", str(broker.root / "c.json")).returncode == 0
    assert len(sts.requests) == 2


# --- 11. config polish ------------------------------------------------------------------------

def test_a_json_syntax_error_shows_line_column_and_the_line(broker):
    (broker.root / "bad.json").write_text('{\n  "version": 1,\n  "providers": {"x": {"adapter": "aws-sts",}}\n}\n')
    result = broker.run("config", "validate", "--config", str(broker.root / "bad.json"), check=False)
    assert result.returncode == 2
    assert "line 3, column" in result.stderr
    assert '"providers": {"x": {"adapter": "aws-sts",}}' in result.stderr


def test_the_schema_binds_editors_and_carries_patterns_and_ranges(broker):
    import json
    import jsonschema
    from conftest import REPO
    schema = json.loads(broker.run("config", "schema").stdout)
    example = json.loads((REPO / "config.example.json").read_text())
    assert example["$schema"]
    jsonschema.validate(example, schema)  # "$schema" included
    assert "valid" in broker.run("config", "validate", "--config", str(REPO / "config.example.json")).stderr

    def entry(**settings):
        return {"version": 1, "providers": {"p": {"adapter": "aws-sts", "roleArn": "arn:aws:iam::123456789012:role/r", **settings}}}
    jsonschema.validate(entry(durationSeconds="1h30m", stsEndpoint="https://sts.eu-west-1.amazonaws.com:443/"), schema)
    for bad in (entry(roleArn="arn:aws:iam::123:role/r"), entry(durationSeconds=60), entry(durationSeconds="soon"),
                entry(stsEndpoint="http://127.0.0.1:70000"), entry(region="Europe")):
        with pytest.raises(jsonschema.ValidationError):
            jsonschema.validate(bad, schema)


def test_config_show_redacts_variables_and_secret_looking_plugin_settings(broker):
    import json
    config = {"version": 1, "providers": {"reg": {"adapter": "exec", "audience": "r", "command": ["/bin/true"],
                                                  "env": {"API_TOKEN": "literal-secret", "REGION": "eu"},
                                                  "settings": {"password": "hunter2", "registry": "${REGISTRY}"}}}}
    (broker.root / "c.json").write_text(json.dumps(config))
    env = {"REGISTRY": "registry.example.com"}
    shown = broker.run("config", "show", "--config", str(broker.root / "c.json"), env=env).stdout
    assert "literal-secret" not in shown and "hunter2" not in shown and "registry.example.com" not in shown
    entry = json.loads(shown)["providers"]["reg"]
    assert entry["env"] == {"API_TOKEN": "<redacted>", "REGION": "eu"}
    assert entry["settings"] == {"password": "<redacted>", "registry": "<from ${REGISTRY}>"}
    revealed = broker.run("config", "show", "--reveal", "--config", str(broker.root / "c.json"), env=env).stdout
    assert "hunter2" in revealed and "registry.example.com" in revealed


def test_the_https_warning_is_said_once_and_only_for_aws_or_google(broker, sts):
    import json
    assert "not https" not in broker.run("idp", "token", "--audience", "vault").stderr
    assert "not https" in broker.run("idp", "token", "--audience", "sts.amazonaws.com").stderr
    providers = {f"p{i}": {"adapter": "aws-sts", "roleArn": ROLE, "stsEndpoint": sts.url, "profile": f"p{i}",
                           "audience": f"sts.amazonaws.com"} for i in range(3)}
    (broker.root / "c.json").write_text(json.dumps({"version": 1, "source": {"type": "embedded"}, "providers": providers}))
    result = broker.run("login", "--all", "--config", str(broker.root / "c.json"))
    assert result.stderr.count("is not https") == 1


def test_no_lock_files_are_left_beside_the_aws_files(broker, sts):
    assert login(broker, "--sts-endpoint", sts.url, "--region", "eu-west-1").returncode == 0
    assert sorted(p.name for p in (broker.home / ".aws").iterdir()) == ["config", "credentials"]


def test_the_role_session_name_keeps_the_repository_and_names_the_run(broker, sts):
    path = token_file(broker, "gh.jwt", repository="acme/app")
    login(broker, "--sts-endpoint", sts.url, "--token-file", path, env={"GITHUB_RUN_ID": "7412345678"}, check=True)
    assert sts.requests[0]["form"]["RoleSessionName"] == ["acme-app@7412345678"]


@pytest.mark.parametrize("exp", [-1e300, 1e300, 9.2e18])
def test_any_exp_in_a_token_is_handled_without_a_trap(broker, sts, exp):
    path = token_file(broker, "odd.jwt", exp=exp)
    result = login(broker, "--sts-endpoint", sts.url, "--mode", "web-identity", "--token-file", path)
    assert result.returncode in (0, 2), result.stderr
    if exp < 0:
        assert "expired at" in result.stderr and sts.requests == []
    else:
        assert broker.run("status", "--output", "json").returncode == 0
        assert broker.run("status").returncode == 0

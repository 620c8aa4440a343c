"""`broker login aws` against a real STS server (moto) and the real AWS CLI and boto3, plus a
fault-injecting STS stub for retries, diagnosis, timeouts and file safety."""
import configparser
import json
import os
import shlex
import stat
import subprocess
import threading
import time

import pytest

from conftest import caller_identity_boto3, caller_identity_cli, sdk_env
from sts_stub import HANG, MALFORMED, OK, SLOW, STSStub, error

ROLE = "arn:aws:iam::123456789012:role/deploy"


def login(broker, endpoint, *extra, check=True, env=None):
    return broker.run("login", "aws", "--role-arn", ROLE, "--sts-endpoint", endpoint, *extra, check=check, env=env)


# --- real STS server, real SDKs -------------------------------------------------------------

def test_static_profile_works_with_aws_cli_and_boto3(broker, aws, moto):
    result = login(broker, moto, "--profile", "ci", "--region", "eu-west-1")
    assert "assumed-role/deploy" in result.stderr and "expires" in result.stderr
    assert result.stdout == ""
    assert "assumed-role/deploy/" in caller_identity_cli(broker, "ci", moto)
    assert "assumed-role/deploy/" in caller_identity_boto3(broker, "ci", moto)[0]
    creds = configparser.RawConfigParser()
    creds.read(aws / "credentials")
    assert set(creds["ci"]) == {"aws_access_key_id", "aws_secret_access_key", "aws_session_token", "x_security_token_expires"}
    assert stat.S_IMODE(os.stat(aws / "credentials").st_mode) == 0o600
    assert stat.S_IMODE(os.stat(aws).st_mode) == 0o700
    config = configparser.RawConfigParser()
    config.read(aws / "config")
    assert config["profile ci"]["region"] == "eu-west-1"


def test_credential_process_mode_refreshes_through_broker(broker, aws, moto):
    login(broker, moto, "--profile", "cp", "--mode", "credential-process")
    config = configparser.RawConfigParser()
    config.read(aws / "config")
    line = config["profile cp"]["credential_process"]
    argv = shlex.split(line)
    assert os.path.isabs(argv[0]) and argv[1:3] == ["credential-process", "aws"]
    assert not (aws / "credentials").exists() or "cp" not in configparser.RawConfigParser().read(aws / "credentials")
    arn, first_key = caller_identity_boto3(broker, "cp", moto)
    assert "assumed-role/deploy/" in arn
    # A second SDK process within the refresh window gets the cached keys: no new STS call
    # (moto would have issued new keys).
    _, second_key = caller_identity_boto3(broker, "cp", moto)
    assert first_key == second_key
    document = json.loads(subprocess.run(argv, capture_output=True, text=True, env=sdk_env(broker), check=True).stdout)
    assert document["Version"] == 1 and document["AccessKeyId"] == first_key
    assert document["Expiration"].endswith("Z")


def test_credential_process_line_names_saved_settings_that_logout_removes(broker, aws, moto):
    login(broker, moto, "--profile", "cp", "--mode", "credential-process", "--duration-seconds", "900", "--region", "eu-west-1")
    config = configparser.RawConfigParser()
    config.read(aws / "config")
    argv = shlex.split(config["profile cp"]["credential_process"])
    # The line names the record; the settings are not repeated as flags.
    assert argv[1:5] == ["credential-process", "aws", "--settings", "cp"]
    assert "--role-arn" not in argv and "--duration-seconds" not in argv
    record_path = broker.root / "broker-home" / "aws" / "settings" / "cp.json"
    record = json.loads(record_path.read_text())
    assert record["settings"]["roleArn"] == ROLE and record["settings"]["durationSeconds"] == 900
    assert record["settings"]["stsEndpoint"] == moto and record["audience"] == "sts.amazonaws.com"
    assert stat.S_IMODE(os.stat(record_path).st_mode) == 0o600
    assert "assumed-role/deploy/" in caller_identity_boto3(broker, "cp", moto)[0]
    # A flag given with --settings overrides the record (a bad one shows it is read).
    bad = subprocess.run(argv + ["--max-attempts", "21"], capture_output=True, text=True, env=sdk_env(broker))
    assert bad.returncode == 2 and "--max-attempts" in bad.stderr
    broker.run("logout", "--all")
    assert not record_path.exists()


def test_credential_process_without_its_saved_settings_says_how_to_fix(broker, aws):
    result = broker.run("credential-process", "aws", "--settings", "nope", check=False)
    assert result.returncode == 2
    assert "--settings nope" in result.stderr and "broker login aws --mode credential-process" in result.stderr
    assert result.stdout == ""


def test_credential_process_calls_sts_only_when_needed(broker, aws, stub):
    sts = stub(OK, OK)
    args = ["credential-process", "aws", "--role-arn", ROLE, "--sts-endpoint", sts.url, "--profile-cache", "x"]
    first = json.loads(broker.run(*args).stdout)
    second = json.loads(broker.run(*args).stdout)
    assert first == second
    assert len(sts.requests) == 1
    cache = next((broker.root / "broker-home" / "aws" / "credential-process").iterdir())
    assert stat.S_IMODE(os.stat(cache).st_mode) == 0o600
    # Inside the refresh window (15 min before expiry) the next call goes to STS again.
    data = json.loads(cache.read_text())
    data["Expiration"] = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() + 600))
    cache.write_text(json.dumps(data))
    third = json.loads(broker.run(*args).stdout)
    assert len(sts.requests) == 2 and third["AccessKeyId"] != first["AccessKeyId"]


def test_web_identity_mode_lets_boto3_call_sts_itself(broker, aws, moto):
    login(broker, moto, "--profile", "wi", "--mode", "web-identity")
    config = configparser.RawConfigParser()
    config.read(aws / "config")
    section = config["profile wi"]
    assert section["role_arn"] == ROLE
    token_file = section["web_identity_token_file"]
    token = open(token_file).read()
    assert not token.endswith("\n") and token.count(".") == 2
    assert stat.S_IMODE(os.stat(token_file).st_mode) == 0o600
    arn, _ = caller_identity_boto3(broker, "wi", moto, AWS_ENDPOINT_URL_STS=moto)
    assert "assumed-role/deploy/" in arn
    broker.run("refresh")
    assert open(token_file).read() != token


# --- fault injection --------------------------------------------------------------------------

@pytest.mark.parametrize("fault", [
    error(500, "InternalFailure", "boom"),
    error(503, "ServiceUnavailable", "busy"),
    error(400, "Throttling", "Rate exceeded"),
    error(400, "IDPCommunicationError", "could not reach the IdP"),
    error(400, "InvalidIdentityToken", "Couldn't retrieve verification key from your identity provider,  please reference AssumeRoleWithWebIdentity documentation for requirements"),
])
def test_transient_faults_are_retried_then_succeed(broker, aws, stub, fault):
    sts = stub(fault, fault, OK)
    login(broker, sts.url, "--profile", "r")
    assert len(sts.requests) == 3
    creds = configparser.RawConfigParser()
    creds.read(aws / "credentials")
    assert creds["r"]["aws_access_key_id"] == "ASIASTUB3"


def test_retries_stop_at_max_attempts(broker, aws, stub):
    sts = stub(*[error(500, "InternalFailure", "boom")] * 10)
    result = login(broker, sts.url, "--max-attempts", "3", check=False)
    assert result.returncode == 1
    assert len(sts.requests) == 3
    assert "after 3 attempts" in result.stderr


@pytest.mark.parametrize("code", ["AccessDenied", "InvalidIdentityToken", "ExpiredTokenException", "IDPRejectedClaim",
                                  "MalformedPolicyDocument", "PackedPolicyTooLarge", "RegionDisabledException", "ValidationError"])
def test_permanent_errors_fail_at_once(broker, aws, stub, code):
    sts = stub(error(403, code, "no"), OK)
    result = login(broker, sts.url, check=False)
    assert result.returncode == 1
    assert len(sts.requests) == 1
    assert code in result.stderr


def test_access_denied_diagnosis_names_the_claims(broker, aws, stub):
    original = "# mine\n[other]\naws_access_key_id = AKIAOTHER\n"
    aws.mkdir(mode=0o700)
    (aws / "credentials").write_text(original)
    sts = stub(error(403, "AccessDenied", "Not authorized to perform sts:AssumeRoleWithWebIdentity"))
    result = login(broker, sts.url, "--issuer", "https://token.example.com/ci", check=False)
    assert result.returncode == 1
    token = sts.requests[0]["form"]["WebIdentityToken"][0]
    assert token not in result.stderr
    assert "token.example.com/ci:sub" in result.stderr
    assert "token.example.com/ci:aud" in result.stderr
    assert "user:tester@" in result.stderr  # the token's actual sub
    assert ROLE in result.stderr
    assert (aws / "credentials").read_text() == original


def test_a_hung_server_ends_at_the_timeout(broker, aws, stub):
    sts = stub(HANG)
    start = time.time()
    result = login(broker, sts.url, "--timeout", "1s", "--max-attempts", "1", check=False)
    assert result.returncode == 1
    assert time.time() - start < 10
    assert "did not answer" in result.stderr


def test_malformed_xml_is_a_clear_error_and_writes_nothing(broker, aws, stub):
    sts = stub(MALFORMED)
    result = login(broker, sts.url, check=False)
    assert result.returncode == 1
    assert "XML" in result.stderr or "xml" in result.stderr
    assert not (aws / "credentials").exists()


def test_request_is_unsigned_and_form_encoded(broker, aws, stub):
    sts = stub(OK)
    login(broker, sts.url, "--duration-seconds", "900", "--role-session-name", "my-session",
          "--policy-arn", "arn:aws:iam::aws:policy/ReadOnlyAccess")
    request = sts.requests[0]
    assert "Authorization" not in request["headers"]
    assert request["headers"]["Content-Type"].startswith("application/x-www-form-urlencoded")
    form = request["form"]
    assert form["Action"] == ["AssumeRoleWithWebIdentity"] and form["Version"] == ["2011-06-15"]
    assert form["RoleArn"] == [ROLE] and form["DurationSeconds"] == ["900"]
    assert form["RoleSessionName"] == ["my-session"]
    assert form["PolicyArns.member.1.arn"] == ["arn:aws:iam::aws:policy/ReadOnlyAccess"]
    assert "ProviderId" not in form


# --- files ------------------------------------------------------------------------------------

HAND_WRITTEN = """# my credentials, hand-written
[default]
aws_access_key_id=AKIADEFAULT
aws_secret_access_key = secret # not a comment
; a semicolon comment

[target]
aws_access_key_id : OLDKEY
  region = us-east-1
custom_key   =   keep me

[zeta]
aws_access_key_id=AKIAZETA
"""


def test_hand_written_file_survives_with_only_the_target_section_changed(broker, aws, stub):
    aws.mkdir(mode=0o700)
    path = aws / "credentials"
    path.write_text(HAND_WRITTEN)
    sts = stub(OK)
    login(broker, sts.url, "--profile", "target", "--overwrite")  # the old keys there are the user's
    after = path.read_text()
    head, tail = HAND_WRITTEN.split("[target]")
    assert after.startswith(head + "[target]")
    assert after.endswith("[zeta]\naws_access_key_id=AKIAZETA\n")
    parser = configparser.RawConfigParser()
    parser.read(path)
    assert parser["target"]["aws_access_key_id"] == "ASIASTUB1"
    assert parser["target"]["custom_key"] == "keep me"
    assert parser["default"]["aws_secret_access_key"] == "secret # not a comment"
    assert parser["zeta"]["aws_access_key_id"] == "AKIAZETA"


def test_symlinked_credentials_file_is_written_through(broker, aws, stub, tmp_path):
    aws.mkdir(mode=0o700)
    real = tmp_path / "real-credentials"
    real.write_text("[keep]\nx = 1\n")
    (aws / "credentials").symlink_to(real)
    login(broker, stub(OK).url, "--profile", "p")
    assert (aws / "credentials").is_symlink()
    assert "[p]" in real.read_text() and "[keep]" in real.read_text()


def test_32_concurrent_logins_keep_every_profile(broker, aws, stub):
    sts = stub(*[OK] * 32)
    procs = [broker.popen("login", "aws", "--role-arn", ROLE, "--sts-endpoint", sts.url, "--profile", f"p{i}")
             for i in range(32)]
    for proc in procs:
        _, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err
    parser = configparser.RawConfigParser()
    parser.read(aws / "credentials")
    assert sorted(parser.sections()) == sorted(f"p{i}" for i in range(32))
    for i in range(32):
        assert {"aws_access_key_id", "aws_secret_access_key", "aws_session_token"} <= set(parser[f"p{i}"])


def test_secrets_never_reach_stderr_or_argv(broker, aws, stub, tmp_path):
    token = broker.token("sts.amazonaws.com")
    token_file = tmp_path / "token"
    token_file.write_text(token)
    sts = stub(SLOW)
    seen = []
    stop = threading.Event()

    def watch():
        while not stop.is_set():
            seen.append(subprocess.run(["ps", "-eo", "args"], capture_output=True, text=True).stdout)
            time.sleep(0.01)

    watcher = threading.Thread(target=watch)
    watcher.start()
    try:
        result = login(broker, sts.url, "--token-file", str(token_file), "--output", "ini")
    finally:
        stop.set()
        watcher.join()
    parser = configparser.RawConfigParser()
    parser.read(aws / "credentials")
    secret = parser["default"]["aws_secret_access_key"]
    session = parser["default"]["aws_session_token"]
    for value in (token, secret, session):
        assert value not in result.stderr
        assert all(value not in snapshot for snapshot in seen)
    assert any("login aws" in snapshot for snapshot in seen)  # the login really was observed


# --- outputs ----------------------------------------------------------------------------------

def test_output_env_is_evaluable(broker, aws, stub):
    result = login(broker, stub(OK).url, "--output", "env", "--region", "eu-west-1")
    shell = subprocess.run(["bash", "-c", result.stdout + '\necho "$AWS_ACCESS_KEY_ID $AWS_REGION $AWS_CREDENTIAL_EXPIRATION"'],
                           capture_output=True, text=True, check=True)
    assert shell.stdout.split() == ["ASIASTUB1", "eu-west-1", "2099-01-01T00:00:00Z"]


def test_output_json_reports_everything_but_secrets(broker, aws, stub):
    result = login(broker, stub(OK).url, "--output", "json", "--profile", "j", "--region", "eu-west-1")
    report = json.loads(result.stdout)
    assert report["ok"] is True and len(report["results"]) == 1
    row = report["results"][0]
    assert row["name"] == "aws:j" and row["adapter"] == "aws-sts" and row["status"] == "ok"
    assert row["identity"] == "arn:aws:sts::123456789012:assumed-role/deploy/session"
    assert row["details"] == {"profile": "j", "mode": "static", "region": "eu-west-1"}
    assert row["expiration"].startswith("2099-01-01") and row["secondsLeft"] > 0
    assert any(f["path"].endswith("credentials") for f in row["files"])
    for secret in ("ASIASTUB1", "STUBSECRETKEY1", "STUBSESSIONTOKEN1"):
        assert secret not in result.stdout
    # The same shape as status, row for row.
    status = json.loads(broker.run("status", "--output", "json").stdout)
    assert set(status) == set(report) and set(status["results"][0]) == set(row)


def test_output_github_masks_first_and_appends_to_github_env(broker, aws, stub, tmp_path):
    github_env = tmp_path / "github_env"
    github_env.write_text("EXISTING=1\n")
    result = login(broker, stub(OK).url, "--output", "github", env={"GITHUB_ENV": str(github_env)})
    lines = result.stdout.splitlines()
    assert lines[:3] == ["::add-mask::ASIASTUB1", "::add-mask::STUBSECRETKEY1", "::add-mask::STUBSESSIONTOKEN1"]
    content = github_env.read_text()
    assert content.startswith("EXISTING=1\n")
    assert "AWS_SECRET_ACCESS_KEY=STUBSECRETKEY1\n" in content


# --- bad input --------------------------------------------------------------------------------

@pytest.mark.parametrize("args", [
    ["--role-arn", "not-an-arn"],
    ["--role-arn", "arn:aws:iam::12345:role/short-account"],
    ["--role-arn", ROLE, "--duration-seconds", "100"],
    ["--role-arn", ROLE, "--duration-seconds", "50000"],
    ["--role-arn", ROLE, "--role-session-name", "a"],
    ["--role-arn", ROLE, "--role-session-name", "has space"],
    ["--role-arn", ROLE] + sum([["--policy-arn", f"arn:aws:iam::aws:policy/P{i}"] for i in range(11)], []),
    ["--role-arn", ROLE, "--policy", "/nonexistent/policy.json"],
    ["--role-arn", ROLE, "--mode", "magic"],
    ["--role-arn", ROLE, "--output", "xml"],
    ["--role-arn", ROLE, "--region", "mars"],
    [],
])
def test_bad_input_exits_2_before_any_network_call(broker, aws, stub, args):
    sts = stub(OK)
    result = broker.run("login", "aws", "--sts-endpoint", sts.url, *args, check=False)
    assert result.returncode == 2, result.stderr
    assert sts.requests == []
    assert not aws.exists()


def test_aws_ca_bundle_is_read_for_https_endpoints(broker, aws, moto):
    # The AWS CLI's AWS_CA_BUNDLE: an unreadable bundle is bad configuration (exit 2, nothing
    # written) for an https endpoint, and does not matter for plain http (an emulator).
    missing = str(broker.root / "no-such-ca.pem")
    result = broker.run("login", "aws", "--role-arn", ROLE, "--sts-endpoint", "https://127.0.0.1:9/", "--max-attempts", "1",
                        check=False, env={"AWS_CA_BUNDLE": missing})
    assert result.returncode == 2 and missing in result.stderr
    assert not (aws / "credentials").exists()
    login(broker, moto, "--profile", "plain", env={"AWS_CA_BUNDLE": missing})

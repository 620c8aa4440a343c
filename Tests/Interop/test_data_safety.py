"""Lose nothing: logout gives back what the user had, kills and races leave no key unrecorded,
no temp file with secrets outlives the next login, and bad targets are refused before anything
is written. The built binary against an STS stub, with configparser (botocore's reader) as judge."""
import configparser
import json
import os
import random
import signal
import stat
import threading
import time

import pytest

from sts_stub import OK, SLOW, STSStub

ROLE = "arn:aws:iam::123456789012:role/deploy"
USER_CONFIG = "# my settings\n[default]\noutput = json\n\n[profile foo]\nname = value\nsso_session = corp\n"
USER_CREDENTIALS = "[foo]\n# my note\nmfa_serial = arn:aws:iam::1:mfa/me\n\n[other]\naws_access_key_id = AKIAOTHER\n"


@pytest.fixture
def sts():
    stub = STSStub([])
    yield stub
    stub.close()


def seed(aws):
    aws.mkdir(mode=0o700, exist_ok=True)
    (aws / "config").write_text(USER_CONFIG)
    (aws / "credentials").write_text(USER_CREDENTIALS)


def temp_files(aws):
    return sorted(p.name for p in aws.iterdir() if ".tmp." in p.name)


def parses(path):
    parser = configparser.RawConfigParser()
    parser.read(path)
    return parser


@pytest.mark.parametrize("mode", ["static", "credential-process", "web-identity"])
def test_logout_gives_back_a_profile_that_existed_before_the_login(broker, aws, sts, mode):
    seed(aws)
    broker.run("login", "aws", "--role-arn", ROLE, "--sts-endpoint", sts.url, "--profile", "foo",
               "--region", "eu-west-1", "--mode", mode)
    assert parses(aws / "config")["profile foo"]["region"] == "eu-west-1"
    assert parses(aws / "config")["profile foo"]["sso_session"] == "corp"
    result = broker.run("logout", "--all")
    assert "restored [profile foo]" in result.stderr
    assert (aws / "config").read_text() == USER_CONFIG
    assert (aws / "credentials").read_text() == USER_CREDENTIALS
    assert json.loads(broker.run("status", "--output", "json").stdout)["results"] == []


def test_concurrent_logins_and_logouts_leave_no_key_unrecorded(broker, aws, sts):
    seed(aws)
    broker.own_config({"version": 1, "providers": {
        f"p{i}": {"adapter": "aws-sts", "roleArn": ROLE, "profile": f"p{i}", "stsEndpoint": sts.url} for i in range(4)
    }})
    for _ in range(12):
        login = broker.popen("login", "--all")
        time.sleep(random.uniform(0, 0.05))
        logout = broker.popen("logout", "--all")
        login.communicate(timeout=60)
        logout.communicate(timeout=60)
        # Whatever order they ran in: every broker key in the file has a record that logout undoes.
        broker.run("logout", "--all")
        assert (aws / "credentials").read_text() == USER_CREDENTIALS
        assert (aws / "config").read_text() == USER_CONFIG
        assert json.loads(broker.run("status", "--output", "json").stdout)["results"] == []


def test_a_login_killed_anywhere_leaves_old_or_new_files_and_logout_undoes_it(broker, aws, sts):
    seed(aws)
    args = ("login", "aws", "--role-arn", ROLE, "--sts-endpoint", sts.url, "--profile", "foo", "--region", "eu-west-1")
    runs = []
    for _ in range(3):
        started = time.monotonic()
        broker.run(*args)
        runs.append(time.monotonic() - started)
    took = min(runs)
    broker.run("logout", "--all")
    rng = random.Random(9)
    killed = 0
    for _ in range(50):
        process = broker.popen(*args, "--mode", rng.choice(["static", "credential-process", "web-identity"]))
        time.sleep(rng.uniform(0, took))
        if process.poll() is None:
            process.send_signal(signal.SIGKILL)
            killed += 1
        process.communicate(timeout=60)
        # Never partial: both files are whole, readable by botocore, the user's keys intact.
        config, credentials = parses(aws / "config"), parses(aws / "credentials")
        assert config["profile foo"]["sso_session"] == "corp" and config["default"]["output"] == "json"
        assert credentials["foo"]["mfa_serial"] == "arn:aws:iam::1:mfa/me"
        assert credentials["other"]["aws_access_key_id"] == "AKIAOTHER"
    assert killed >= 15
    status = broker.run("status")
    # Every key a killed login may have written is known to logout.
    broker.run("logout", "--all")
    assert (aws / "config").read_text() == USER_CONFIG
    assert (aws / "credentials").read_text() == USER_CREDENTIALS
    # A temp file a killed writer left (status names them) is gone after the next login.
    (aws / ".credentials.tmp.Zz9Zz9").write_text("[foo]\naws_secret_access_key = leaked\n")
    assert ".credentials.tmp.Zz9Zz9" in broker.run("status").stderr
    broker.run(*args)
    assert temp_files(aws) == []
    broker.run("logout", "--all")
    assert (aws / "credentials").read_text() == USER_CREDENTIALS
    assert status.returncode == 0


def test_logout_all_removes_leftover_caches_and_temp_files_no_record_knows(broker, aws, sts):
    cache_dir = broker.root / "broker-home" / "aws" / "credential-process"
    cache_dir.mkdir(parents=True)
    (cache_dir / "orphan.json").write_text('{"SecretAccessKey": "x"}')
    (broker.root / "broker-home" / ".state.json.tmp.a1b2c3").write_text("{}")
    status = broker.run("status")
    assert "orphan.json" in status.stderr and ".state.json.tmp.a1b2c3" in status.stderr
    broker.run("logout", "--all")
    assert not (cache_dir / "orphan.json").exists()
    assert not (broker.root / "broker-home" / ".state.json.tmp.a1b2c3").exists()
    assert "in no record" not in broker.run("status").stderr


def test_a_login_that_cannot_record_writes_nothing(broker, aws, sts):
    seed(aws)
    home = broker.root / "broker-home"
    home.mkdir(mode=0o700)
    (home / "state.json").write_text('{"version": 1, "logins": []}')
    os.chmod(home / "state.json", 0o400)
    result = broker.run("login", "aws", "--role-arn", ROLE, "--sts-endpoint", sts.url, "--profile", "foo", check=False)
    assert result.returncode == 2 and "state.json is not writable" in result.stderr
    assert sts.requests == []
    assert (aws / "credentials").read_text() == USER_CREDENTIALS and (aws / "config").read_text() == USER_CONFIG


def test_every_output_target_is_checked_before_anything_is_written(broker, aws, sts):
    seed(aws)
    result = broker.run("login", "aws", "--role-arn", ROLE, "--sts-endpoint", sts.url, "--profile", "foo",
                        "--output", "github", env={"GITHUB_ENV": str(broker.root / "missing" / "env")}, check=False)
    assert result.returncode == 2 and "$GITHUB_ENV" in result.stderr and "does not exist" in result.stderr
    assert sts.requests == []
    assert (aws / "credentials").read_text() == USER_CREDENTIALS


def test_a_read_only_credentials_file_is_refused_not_replaced(broker, aws, sts):
    seed(aws)
    os.chmod(aws / "credentials", 0o400)
    result = broker.run("login", "aws", "--role-arn", ROLE, "--sts-endpoint", sts.url, "--profile", "foo", check=False)
    assert result.returncode == 2 and "credentials is not writable (mode 400)" in result.stderr
    assert stat.S_IMODE(os.stat(aws / "credentials").st_mode) == 0o400
    assert (aws / "credentials").read_text() == USER_CREDENTIALS
    assert (aws / "config").read_text() == USER_CONFIG


def test_a_symlink_loop_is_refused_naming_it(broker, aws, sts):
    aws.mkdir(mode=0o700)
    os.symlink("l2", aws / "credentials")
    os.symlink("credentials", aws / "l2")
    result = broker.run("login", "aws", "--role-arn", ROLE, "--sts-endpoint", sts.url, check=False)
    assert result.returncode == 2 and "symbolic link loop" in result.stderr
    assert os.readlink(aws / "credentials") == "l2"


def test_a_device_as_target_is_not_a_permissions_problem(broker, aws, sts):
    result = broker.run("login", "aws", "--role-arn", ROLE, "--sts-endpoint", sts.url, check=False,
                        env={"AWS_SHARED_CREDENTIALS_FILE": "/dev/null"})
    assert result.returncode == 2 and "character device" in result.stderr
    assert "permission" not in result.stderr
    assert os.path.exists("/dev/null") and stat.S_ISCHR(os.stat("/dev/null").st_mode)


def test_an_empty_home_is_refused_like_the_aws_cli_would_misread_it(broker, sts):
    result = broker.run("login", "aws", "--role-arn", ROLE, "--sts-endpoint", sts.url, check=False,
                        env={"HOME": ""})
    assert result.returncode == 2 and "HOME is set but empty" in result.stderr
    assert "AWS_SHARED_CREDENTIALS_FILE" in result.stderr
    assert sts.requests == []

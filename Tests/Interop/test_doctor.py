"""`broker doctor`: a healthy setup is all ok; each broken one (unreachable JWKS, a stale JWKS,
a corrupt config, a 0644 credentials file, static keys shadowing credential_process, a skewed
clock, a trust policy that denies) is a fail with advice, and exit 1."""
import functools
import json
import ssl
import subprocess
import threading
import time
from email.utils import formatdate
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

import pytest

from conftest import BROKER
from tls_certs import make_ca_and_server

ROLE = "arn:aws:iam::123456789012:role/deploy"


class Site:
    """The published issuer site over https (test CA), optionally with a skewed Date header."""

    def __init__(self, directory, certs, skew=0):
        class Handler(SimpleHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def date_time_string(self, timestamp=None):
                return formatdate(time.time() + skew, usegmt=True)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Handler, directory=str(directory)))
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(certs["cert"], certs["key"])
        self.server.socket = context.wrap_socket(self.server.socket, server_side=True)
        self.url = f"https://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()


@pytest.fixture
def healthy(broker, aws, moto, tmp_path):
    """An https embedded issuer published and served, an aws-sts provider, private AWS files."""
    certs = make_ca_and_server(tmp_path)
    site_dir = tmp_path / "site"
    site_dir.mkdir()
    site = Site(site_dir, certs)
    broker.env.update({"BROKER_ISSUER_URL": site.url, "SSL_CERT_FILE": str(certs["ca"])})
    broker.run("idp", "publish", str(site_dir))
    broker.own_config({"version": 1, "providers": {"aws": {"adapter": "aws-sts", "roleArn": ROLE, "stsEndpoint": moto, "profile": "ci"}}})
    aws.mkdir()
    (aws / "config").write_text("[default]\nregion = eu-west-1\n")
    (aws / "credentials").write_text("")
    (aws / "credentials").chmod(0o600)
    yield site, certs, site_dir
    site.close()


def doctor(broker, *args, env=None):
    return broker.run("doctor", *args, check=False, env=env)


def statuses(result):
    return {line.split(None, 1)[1].split(":", 1)[0]: line.split(None, 1)[0] for line in result.stdout.splitlines() if not line.startswith(" ")}


def test_a_healthy_setup_is_all_ok(broker, healthy):
    site, _, _ = healthy
    result = doctor(broker, "--clock-url", site.url)
    assert result.returncode == 0, result.stdout + result.stderr
    seen = statuses(result)
    assert set(seen.values()) == {"ok"}, result.stdout
    for name in ("config", "token source", "token for aws", "issuer", "issuer discovery", "issuer JWKS", "clock",
                 "AWS credentials file", "AWS config file", "proxy"):
        assert name in seen, (name, result.stdout)
    report = json.loads(doctor(broker, "--clock-url", site.url, "--output", "json").stdout)
    assert report["ok"] is True and all(check["status"] == "ok" for check in report["checks"])


def test_an_unreachable_or_stale_jwks_fails_with_advice(broker, healthy):
    site, _, site_dir = healthy
    # The key rotated after the site was published: the clouds cannot verify new tokens.
    broker.run("idp", "rotate-key")
    result = doctor(broker, "--clock-url", site.url)
    assert result.returncode == 1
    assert statuses(result)["issuer JWKS"] == "fail" and "lacks the signing key" in result.stdout
    assert "fix: publish the current keys again" in result.stdout
    broker.run("idp", "publish", str(site_dir))
    assert doctor(broker, "--clock-url", site.url).returncode == 0

    unreachable = doctor(broker, "--clock-url", site.url, env={"BROKER_ISSUER_URL": "https://127.0.0.1:1"})
    assert unreachable.returncode == 1 and statuses(unreachable)["issuer discovery"] == "fail"
    assert "unreachable" in unreachable.stdout and "doctor: " in unreachable.stderr


def test_a_corrupt_config_fails(broker, healthy):
    site, _, _ = healthy
    (broker.root / "broker.json").write_text('{"version": 1, "providers": {"aws": {"adapter": "aws-sts", ')
    result = doctor(broker, "--config", str(broker.root / "broker.json"), "--clock-url", site.url)
    assert result.returncode == 1 and statuses(result)["config"] == "fail"
    assert "broker.json" in result.stdout and "broker.json" in result.stderr


def test_a_credentials_file_others_can_read_fails(broker, aws, healthy):
    site, _, _ = healthy
    (aws / "credentials").chmod(0o644)
    result = doctor(broker, "--clock-url", site.url)
    assert result.returncode == 1 and statuses(result)["AWS credentials file"] == "fail"
    assert f"fix: chmod 600 {aws / 'credentials'}" in result.stdout


def test_static_keys_shadowing_credential_process_fail(broker, aws, healthy):
    site, _, _ = healthy
    (aws / "config").write_text("[profile ci]\ncredential_process = broker credential-process aws --settings ci\n")
    (aws / "credentials").write_text("[ci]\naws_access_key_id = AKIAOLDKEY\naws_secret_access_key = old\n")
    result = doctor(broker, "--clock-url", site.url)
    assert result.returncode == 1 and statuses(result)["profile ci"] == "fail"
    assert "shadow its credential_process" in result.stdout and "AKIAOLDKEY" not in result.stdout
    (aws / "credentials").write_text("")
    assert statuses(doctor(broker, "--clock-url", site.url))["profile ci"] == "ok"


def test_a_skewed_clock_fails(broker, healthy, tmp_path):
    _, certs, site_dir = healthy
    skewed = Site(site_dir, certs, skew=-900)
    try:
        result = doctor(broker, "--clock-url", skewed.url)
        assert result.returncode == 1 and statuses(result)["clock"] == "fail"
        assert "15m" in result.stdout and "ahead of" in result.stdout and "NTP" in result.stdout
    finally:
        skewed.close()


def test_a_trust_policy_given_by_name_is_checked_offline(broker, healthy):
    site, _, _ = healthy
    issuer_host = site.url[len("https://"):]
    subject = json.loads(subprocess.run([BROKER, "idp", "token", "--audience", "sts.amazonaws.com", "--decode"], env=broker.env,
                                        capture_output=True, text=True, check=True).stdout)
    sub = subject.get("payload", subject).get("sub")
    allowing = broker.root / "allow.json"
    allowing.write_text(broker.run("policy", "generate", "aws", "--role-arn", ROLE, "--subject", sub).stdout)
    assert doctor(broker, "--clock-url", site.url, "--policy", f"aws={allowing}").returncode == 0
    denying = broker.root / "deny.json"
    denying.write_text(broker.run("policy", "generate", "aws", "--role-arn", ROLE, "--subject", "repo:acme/other:*").stdout)
    result = doctor(broker, "--clock-url", site.url, "--policy", f"aws={denying}")
    assert result.returncode == 1 and statuses(result)["policy aws"] == "fail"
    assert f"the token's sub is `{sub}`" in result.stdout and issuer_host in allowing.read_text()


def test_bad_doctor_arguments_exit_2(broker):
    assert doctor(broker, "--policy", "aws").returncode == 2
    assert doctor(broker, "nope").returncode == 2
    assert doctor(broker, "--clock-url", "http://127.0.0.1:99999").returncode == 2

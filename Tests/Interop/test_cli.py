"""The broker CLI's contract: exit codes, stdout/stderr discipline, files and their modes."""
import json
import os
import signal
import socket
import stat

import pytest

from conftest import free_port


def test_token_prints_only_the_jwt_and_a_newline(broker):
    result = broker.run("idp", "token", "--audience", "sts.amazonaws.com")
    assert result.stdout.count("\n") == 1 and result.stdout.endswith("\n")
    assert result.stdout.strip().count(".") == 2
    assert result.stdout.strip() not in result.stderr


def test_decode_prints_header_and_payload_never_the_signature(broker):
    result = broker.run("idp", "token", "--audience", "sts.amazonaws.com", "--decode", "--claim", "team=platform")
    decoded = json.loads(result.stdout)
    assert set(decoded) == {"header", "payload"}
    assert decoded["header"]["alg"] == "RS256" and decoded["header"]["kid"]
    payload = decoded["payload"]
    assert payload["aud"] == "sts.amazonaws.com" and payload["team"] == "platform"
    assert set(payload) >= {"iss", "sub", "aud", "azp", "iat", "nbf", "exp", "jti"}


def test_state_directory_and_key_are_private(broker):
    broker.run("idp", "token", "--audience", "a")
    home = broker.root / "broker-home"
    assert stat.S_IMODE(os.stat(home).st_mode) == 0o700
    keys = list((home / "issuer" / "keys").iterdir())
    assert len(keys) == 1 and stat.S_IMODE(os.stat(keys[0]).st_mode) == 0o600


def test_subject_defaults_to_the_git_remote(broker):
    (broker.root / ".git").mkdir()
    (broker.root / ".git" / "config").write_text('[remote "origin"]\n\turl = git@github.com:acme/app.git\n')
    payload = json.loads(broker.run("idp", "token", "--audience", "a", "--decode").stdout)["payload"]
    assert payload["sub"] == "https://github.com/acme/app"
    assert payload["repository"] == "https://github.com/acme/app"


def test_http_issuer_warns_about_aws_and_google(broker):
    result = broker.run("idp", "token", "--audience", "sts.amazonaws.com", "--issuer", "http://10.0.0.1:8200")
    assert "https" in result.stderr and "AWS" in result.stderr
    # Only tokens for AWS or Google need it: Vault and local peers take http issuers.
    assert broker.run("idp", "token", "--audience", "a", "--issuer", "http://10.0.0.1:8200").stderr == ""
    quiet = broker.run("idp", "token", "--audience", "a", "--issuer", "https://issuer.example.com")
    assert quiet.stderr == ""


@pytest.mark.parametrize("args", [
    ["idp", "token", "--audience", "a", "--bogus"],
    ["idp", "token", "--audience", "a", "--claim", "novalue"],
    ["idp", "token", "--audience", "a", "--claim", "sub=admin"],
    ["idp", "token", "--audience", "a", "--lifetime", "13h"],
    ["idp", "token", "--audience", "a", "--lifetime", "30s"],
    ["idp", "token", "--audience", "a", "--lifetime", "soon"],
    ["idp", "token"],
    ["idp", "token", "--audience", "a", "--issuer", "ftp://x"],
    ["idp", "serve", "--listen", "nope"],
])
def test_bad_input_exits_2_and_writes_nothing(broker, args):
    result = broker.run(*args, check=False)
    assert result.returncode == 2, result.stderr
    assert result.stdout == ""
    assert result.stderr.strip()
    assert not (broker.root / "broker-home" / "issuer").exists()


def test_corrupt_key_fails_with_exit_1_naming_the_file_and_keeps_it(broker):
    broker.run("idp", "token", "--audience", "a")
    key = next((broker.root / "broker-home" / "issuer" / "keys").iterdir())
    key.write_text("not a key")
    result = broker.run("idp", "token", "--audience", "a", check=False)
    assert result.returncode == 1
    assert str(key) in result.stderr
    assert key.read_text() == "not a key"


def test_verify_exit_codes_and_precise_reasons(broker):
    token = broker.token("sts.amazonaws.com")
    assert broker.run("idp", "verify", "--audience", "sts.amazonaws.com", input=token).returncode == 0
    wrong = broker.run("idp", "verify", "--audience", "x", input=token, check=False)
    assert wrong.returncode == 1 and "aud" in wrong.stderr
    header, payload, signature = token.split(".")
    tampered = broker.run("idp", "verify", input=f"{header}.{payload}x.{signature}", check=False)
    assert tampered.returncode == 1
    garbage = broker.run("idp", "verify", input="garbage", check=False)
    assert garbage.returncode == 1 and "format" in garbage.stderr
    assert token not in wrong.stderr + tampered.stderr


def test_publish_writes_discovery_and_jwks_for_static_hosting(broker, tmp_path):
    out = tmp_path / "site"
    broker.run("idp", "publish", str(out), "--issuer", "https://acme.github.io/oidc")
    discovery = json.loads((out / ".well-known" / "openid-configuration").read_text())
    assert discovery["issuer"] == "https://acme.github.io/oidc"
    assert discovery["jwks_uri"] == "https://acme.github.io/oidc/.well-known/jwks.json"
    jwks = json.loads((out / ".well-known" / "jwks.json").read_text())
    printed = json.loads(broker.run("idp", "jwks").stdout)
    assert jwks == printed and len(jwks["keys"]) == 1


def test_serve_reports_a_port_in_use(broker):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        port = taken.getsockname()[1]
        result = broker.run("idp", "serve", "--listen", f"127.0.0.1:{port}", check=False, timeout=30)
    assert result.returncode == 1
    assert "already in use" in result.stderr


def test_serve_shuts_down_cleanly_on_sigterm_and_sigint(broker, serve):
    for sig in (signal.SIGTERM, signal.SIGINT):
        served = serve()
        served.proc.send_signal(sig)
        assert served.proc.wait(timeout=15) == 0


def test_version_and_help(broker):
    assert broker.run("--version").stdout.strip()
    for command in (["--help"], ["idp", "--help"], ["idp", "token", "--help"], ["idp", "serve", "--help"],
                    ["idp", "verify", "--help"], ["idp", "rotate-key", "--help"], ["idp", "request-token", "create", "--help"]):
        assert broker.run(*command).stdout.strip()

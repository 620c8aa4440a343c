"""vault-jwt against a real OpenBao server that trusts `broker idp serve` through discovery,
checked with the real `bao` CLI."""
import json
import os
import stat
import subprocess

import pytest

from test_issuer_openbao import configure_jwt_auth


@pytest.fixture
def vault_setup(broker, serve, openbao):
    served = serve()
    configure_jwt_auth(openbao, served.url)
    config = {"version": 1, "source": {"type": "embedded"}, "issuer": {"subject": "repo:acme/app"},
              "providers": {"vault": {"adapter": "vault-jwt", "address": openbao.addr, "role": "deploy"}}}
    broker.own_config(config)
    return openbao


def bao(broker, *args, token=None):
    env = {**os.environ, "HOME": str(broker.home), "VAULT_ADDR": broker.env["VAULT_ADDR_FOR_TEST"]}
    env.pop("VAULT_TOKEN", None)
    if token:
        env["VAULT_TOKEN"] = token
    return subprocess.run(["bao", *args], capture_output=True, text=True, env=env)


def test_login_writes_the_token_file_the_bao_cli_uses(broker, vault_setup):
    broker.env["VAULT_ADDR_FOR_TEST"] = vault_setup.addr
    result = broker.run("login", "vault", check=False)
    assert result.returncode == 0, result.stderr
    token_file = broker.home / ".vault-token"
    token = token_file.read_text()
    assert token and not token.endswith("\n")
    assert stat.S_IMODE(os.stat(token_file).st_mode) == 0o600
    assert token not in result.stderr
    assert "policies default" in result.stderr  # the summary shows the granted policies
    lookup = bao(broker, "token", "lookup", "-format=json")
    assert lookup.returncode == 0, lookup.stderr
    assert "default" in json.loads(lookup.stdout)["data"]["policies"]
    status = json.loads(broker.run("status", "--output", "json").stdout)["results"]
    assert status[0]["name"] == "vault" and status[0]["secondsLeft"] > 500


def test_a_token_whose_sub_does_not_match_is_refused_with_the_sub_shown(broker, vault_setup):
    config = json.loads((broker.root / "broker.json").read_text())
    config["issuer"] = {"subject": "repo:evil/app"}
    broker.own_config(config)
    result = broker.run("login", "vault", check=False)
    assert result.returncode == 1
    assert "claim \"sub\"" in result.stderr or "sub" in result.stderr
    assert "repo:evil/app" in result.stderr
    assert not (broker.home / ".vault-token").exists()


def test_logout_revokes_the_token_and_removes_the_file(broker, vault_setup):
    broker.env["VAULT_ADDR_FOR_TEST"] = vault_setup.addr
    broker.run("login", "vault")
    token = (broker.home / ".vault-token").read_text()
    assert bao(broker, "token", "lookup", token=token).returncode == 0
    result = broker.run("logout", "vault")
    assert "revoked" in result.stderr
    assert not (broker.home / ".vault-token").exists()
    assert bao(broker, "token", "lookup", token=token).returncode != 0


def test_output_env_exports_vault_variables(broker, vault_setup):
    result = broker.run("login", "vault", "--output", "env")
    shell = subprocess.run(["bash", "-c", result.stdout + '\necho "$VAULT_ADDR"; test -n "$VAULT_TOKEN" && echo has-token'],
                           capture_output=True, text=True, check=True)
    assert shell.stdout.split() == [vault_setup.addr, "has-token"]


def test_a_sealed_or_throttled_vault_is_asked_again(broker, vault_setup):
    from test_token_exchange import FlakyFront
    openbao = vault_setup
    front = FlakyFront([503, 429], openbao.addr)
    try:
        config = json.loads((broker.root / "broker.json").read_text())
        config["providers"]["vault"]["address"] = front.url
        broker.own_config(config)
        broker.run("login", "vault")
        assert len(front.seen) == 3
        token = (broker.home / ".vault-token").read_text()
        assert openbao.api("GET", "auth/token/lookup-self", token=token)[0] == 200
    finally:
        front.close()


# --- broker login vault from flags (the generic flags-first login of any adapter) -------------

def test_login_vault_from_flags_alone(broker, serve, openbao):
    served = serve()
    configure_jwt_auth(openbao, served.url)
    broker.env["VAULT_ADDR_FOR_TEST"] = openbao.addr
    # No provider entry: the config only gives the embedded issuer the subject the role binds.
    broker.own_config({"version": 1, "issuer": {"subject": "repo:acme/app"}})
    token_file = broker.root / "vault-token"
    result = broker.run("login", "vault", "--address", openbao.addr, "--role", "deploy", f"--vault-token-file={token_file}",
                        "--source", "embedded", "--issuer", served.url, check=False)
    assert result.returncode == 0, result.stderr
    token = token_file.read_text()
    assert stat.S_IMODE(os.stat(token_file).st_mode) == 0o600
    assert bao(broker, "token", "lookup", token=token).returncode == 0
    status = json.loads(broker.run("status", "--output", "json").stdout)["results"]
    assert [row["name"] for row in status] == ["vault"] and status[0]["adapter"] == "vault-jwt"
    broker.run("logout", "--all")
    assert not token_file.exists()


def test_login_vault_flags_override_the_vault_entry(broker, vault_setup):
    broker.env["VAULT_ADDR_FOR_TEST"] = vault_setup.addr
    token_file = broker.root / "elsewhere"
    broker.run("login", "vault", "--vault-token-file", str(token_file))
    assert token_file.exists() and not (broker.home / ".vault-token").exists()
    # A flag's bad value is named by the flag, before anything is sent.
    bad = broker.run("login", "vault", "--timeout", "1h", check=False)
    assert bad.returncode == 2 and "--timeout" in bad.stderr


@pytest.mark.parametrize("argv, message", [
    (["--adress", "http://127.0.0.1:8200", "--role", "r"], "did you mean '--address'?"),
    (["--address", "http://127.0.0.1:8200"], "--role is required"),
    (["--address", "http://127.0.0.1:99999", "--role", "r"], "--address: port 99999"),
    (["--role"], "--role needs a value"),
])
def test_login_vault_flag_errors_name_the_flag_and_write_nothing(broker, argv, message):
    result = broker.run("login", "vault", *argv, check=False)
    assert result.returncode == 2 and message in result.stderr, result.stderr
    assert not (broker.home / ".vault-token").exists()
    assert not (broker.root / "broker-home" / "state.json").exists()


def test_an_unwritable_token_file_is_refused_before_vault_issues_a_token(broker, vault_setup):
    (broker.root / "token-dir").mkdir()
    accessors = lambda: len(vault_setup.api("LIST", "auth/token/accessors")[1]["data"]["keys"])  # noqa: E731
    before = accessors()
    result = broker.run("login", "vault", "--vault-token-file", str(broker.root / "token-dir"), check=False)
    assert result.returncode == 2 and "token-dir is a directory" in result.stderr
    assert accessors() == before  # no token was issued and lost

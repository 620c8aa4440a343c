"""One config, one command: aws-sts (moto), vault-jwt (OpenBao) and an exec plugin together,
then one logout that undoes all three."""
import base64
import json
import os

from conftest import REPO, caller_identity_boto3
from test_issuer_openbao import configure_jwt_auth
from test_vault_login import bao

PLUGIN = str(REPO / "examples" / "plugins" / "docker-registry-login")


def test_login_all_then_logout_all_across_three_adapters(broker, serve, openbao, moto, aws):
    served = serve()
    configure_jwt_auth(openbao, served.url)
    docker_dir = broker.home / ".docker"
    docker_dir.mkdir()
    existing = {"auths": {"other.example.com": {"auth": "b3RoZXI6eA=="}}, "HttpHeaders": {"User-Agent": "ci"}}
    (docker_dir / "config.json").write_text(json.dumps(existing))
    config = {
        "version": 1,
        "source": {"type": "embedded"},
        "issuer": {"subject": "repo:acme/app"},
        "providers": {
            "aws": {"adapter": "aws-sts", "roleArn": "arn:aws:iam::123456789012:role/deploy", "profile": "ci", "stsEndpoint": moto},
            "vault": {"adapter": "vault-jwt", "address": openbao.addr, "role": "deploy"},
            "registry": {"adapter": "exec", "audience": "registry.example.com", "command": [PLUGIN],
                         "settings": {"registry": "registry.example.com"}},
        },
    }
    broker.own_config(config)

    result = broker.run("login", "--all", "--output", "json")
    report = json.loads(result.stdout)
    assert report["ok"] and [r["status"] for r in report["results"]] == ["ok", "ok", "ok"]

    assert "assumed-role/deploy/" in caller_identity_boto3(broker, "ci", moto)[0]
    broker.env["VAULT_ADDR_FOR_TEST"] = openbao.addr
    vault_token = (broker.home / ".vault-token").read_text()
    assert bao(broker, "token", "lookup").returncode == 0
    docker = json.loads((docker_dir / "config.json").read_text())
    assert docker["HttpHeaders"] == {"User-Agent": "ci"} and "other.example.com" in docker["auths"]
    user, _, token = base64.b64decode(docker["auths"]["registry.example.com"]["auth"]).decode().partition(":")
    assert token.count(".") == 2 and json.loads(base64.urlsafe_b64decode(token.split(".")[1] + "=="))["aud"] == "registry.example.com"

    broker.run("logout", "--all")
    assert not (aws / "credentials").exists() or "[ci]" not in (aws / "credentials").read_text()
    assert not (broker.home / ".vault-token").exists()
    assert "other.example.com" in json.loads((docker_dir / "config.json").read_text())["auths"]  # merged, so kept
    assert bao(broker, "token", "lookup", token=vault_token).returncode != 0
    assert json.loads(broker.run("status", "--output", "json").stdout)["results"] == []

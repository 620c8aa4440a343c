"""vault-jwt `caCert` against a real OpenBao serving TLS from its own dev CA (`-dev-tls`)."""
import json
import ssl
import subprocess
import urllib.request

import pytest

from conftest import OpenBao, bao_binary, free_port, wait_for_http
from test_issuer_openbao import configure_jwt_auth


class TLSOpenBao(OpenBao):
    def __init__(self, addr, proc, ca):
        super().__init__(addr, proc)
        self.ca = ca

    def api(self, method, path, body=None, token="root"):
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(self.addr + "/v1/" + path, data=data, method=method)
        request.add_header("X-Vault-Token", token)
        request.add_header("Content-Type", "application/json")
        context = ssl.create_default_context(cafile=self.ca)
        try:
            with urllib.request.urlopen(request, timeout=10, context=context) as response:
                text = response.read()
                return response.status, (json.loads(text) if text else {})
        except urllib.error.HTTPError as error:
            text = error.read()
            return error.code, (json.loads(text) if text else {})


@pytest.fixture
def tls_openbao(tmp_path):
    port = free_port()
    certs = tmp_path / "certs"
    certs.mkdir()
    proc = subprocess.Popen([bao_binary(), "server", "-dev", "-dev-tls", f"-dev-tls-cert-dir={certs}", "-dev-root-token-id=root",
                             f"-dev-listen-address=127.0.0.1:{port}"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    addr = f"https://127.0.0.1:{port}"
    try:
        import time
        deadline = time.time() + 30
        context = None
        while time.time() < deadline:
            try:
                context = ssl.create_default_context(cafile=str(certs / "vault-ca.pem"))
                urllib.request.urlopen(addr + "/v1/sys/health", timeout=2, context=context).read()
                break
            except Exception:
                time.sleep(0.1)
        yield TLSOpenBao(addr, proc, str(certs / "vault-ca.pem"))
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_ca_cert_lets_broker_log_in_and_revoke_over_tls(broker, serve, tls_openbao):
    served = serve()
    configure_jwt_auth(tls_openbao, served.url)
    providers = {
        "trusted": {"adapter": "vault-jwt", "address": tls_openbao.addr, "role": "deploy", "caCert": tls_openbao.ca,
                    "tokenFile": str(broker.home / "trusted-token")},
        "untrusted": {"adapter": "vault-jwt", "address": tls_openbao.addr, "role": "deploy",
                      "tokenFile": str(broker.home / "untrusted-token")},
    }
    broker.own_config({"version": 1, "source": {"type": "embedded"}, "issuer": {"subject": "repo:acme/app"}, "providers": providers})
    broker.run("login", "trusted")
    token = (broker.home / "trusted-token").read_text()
    assert tls_openbao.api("GET", "auth/token/lookup-self", token=token)[0] == 200

    refused = broker.run("login", "untrusted", check=False)
    assert refused.returncode == 1 and "certificate" in refused.stderr.lower()
    assert not (broker.home / "untrusted-token").exists()

    result = broker.run("logout", "trusted")
    assert "revoked" in result.stderr
    assert tls_openbao.api("GET", "auth/token/lookup-self", token=token)[0] == 403


def test_ssl_cert_file_is_trusted_like_openssl_tools(broker, serve, tls_openbao):
    served = serve()
    configure_jwt_auth(tls_openbao, served.url)
    providers = {"vault": {"adapter": "vault-jwt", "address": tls_openbao.addr, "role": "deploy",
                           "tokenFile": str(broker.home / "vault-token")}}
    broker.own_config({"version": 1, "source": {"type": "embedded"}, "issuer": {"subject": "repo:acme/app"}, "providers": providers})
    broker.run("login", "vault", env={"SSL_CERT_FILE": tls_openbao.ca})
    assert tls_openbao.api("GET", "auth/token/lookup-self", token=(broker.home / "vault-token").read_text())[0] == 200

    missing = broker.run("login", "vault", check=False, env={"SSL_CERT_FILE": str(broker.root / "no-such-bundle.pem")})
    assert missing.returncode == 2 and "SSL_CERT_FILE" in missing.stderr

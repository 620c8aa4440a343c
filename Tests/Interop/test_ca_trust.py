"""One CA rule for every adapter: its own CA setting, else its cloud's variable (AWS_CA_BUNDLE
for STS), else SSL_CERT_FILE, else the system bundle. Against TLS stubs signed by a private CA."""
import ssl

import pytest

from sts_stub import STSStub
from tls_certs import make_ca_and_server

ROLE = "arn:aws:iam::123456789012:role/deploy"


@pytest.fixture
def tls_sts(tmp_path):
    paths = make_ca_and_server(tmp_path)
    stub = STSStub([])
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(paths["cert"], paths["key"])
    stub.server.socket = context.wrap_socket(stub.server.socket, server_side=True)
    stub.url = stub.url.replace("http://", "https://")
    yield stub, paths
    stub.close()


def login(broker, sts, env):
    return broker.run("login", "aws", "--role-arn", ROLE, "--sts-endpoint", sts.url, "--max-attempts", "1", check=False, env=env)


def test_sts_trusts_ssl_cert_file(broker, aws, tls_sts):
    sts, paths = tls_sts
    result = login(broker, sts, {"SSL_CERT_FILE": str(paths["ca"])})
    assert result.returncode == 0, result.stderr


def test_sts_prefers_aws_ca_bundle_over_ssl_cert_file(broker, aws, tls_sts, tmp_path):
    sts, paths = tls_sts
    other = make_ca_and_server(tmp_path / "other" if (tmp_path / "other").mkdir() is None else tmp_path)
    result = login(broker, sts, {"AWS_CA_BUNDLE": str(paths["ca"]), "SSL_CERT_FILE": str(other["ca"])})
    assert result.returncode == 0, result.stderr
    refused = login(broker, sts, {"AWS_CA_BUNDLE": str(other["ca"]), "SSL_CERT_FILE": str(paths["ca"])})
    assert refused.returncode == 1 and "TLS" in refused.stderr


def test_sts_without_the_ca_refuses_the_server(broker, aws, tls_sts):
    sts, _ = tls_sts
    result = login(broker, sts, {})
    assert result.returncode == 1 and "TLS" in result.stderr

"""broker reaches STS (and every other endpoint) through the proxy the environment names,
the way the AWS CLI, curl and the SDKs do: http_proxy / https_proxy, credentials in the proxy
URL, and no_proxy for hosts that go direct."""
import configparser
from urllib.parse import urlparse

import pytest

from connect_proxy import ConnectProxy

ROLE = "arn:aws:iam::123456789012:role/deploy"


@pytest.fixture
def proxy():
    made = []

    def make(credentials=None):
        p = ConnectProxy(credentials)
        made.append(p)
        return p

    yield make
    for p in made:
        p.stop()


def login(broker, moto, env, check=True):
    return broker.run("login", "aws", "--role-arn", ROLE, "--sts-endpoint", moto, "--profile", "proxied",
                      check=check, env=env)


def sts_target(moto):
    parsed = urlparse(moto)
    return f"{parsed.hostname}:{parsed.port}"


def test_login_goes_through_http_proxy(broker, aws, moto, proxy):
    p = proxy()
    login(broker, moto, {"http_proxy": p.url})
    assert p.tunnels == [sts_target(moto)]
    creds = configparser.RawConfigParser()
    creds.read(aws / "credentials")
    assert creds["proxied"]["aws_access_key_id"]


def test_proxy_credentials_from_the_url_are_sent(broker, aws, moto, proxy):
    p = proxy("ci-user:s3cret pass")
    login(broker, moto, {"HTTP_PROXY": f"http://ci-user:s3cret%20pass@127.0.0.1:{p.port}"})
    assert p.tunnels == [sts_target(moto)] and p.refused == 0


def test_proxy_refusal_is_a_clear_error_and_writes_nothing(broker, aws, moto, proxy):
    p = proxy("ci-user:right")
    result = login(broker, moto, {"http_proxy": f"http://ci-user:wrong@127.0.0.1:{p.port}"}, check=False)
    assert result.returncode == 1
    assert "proxy" in result.stderr and "wrong" not in result.stderr
    assert p.refused == 1  # refused once: a proxy that rejects credentials is not retried
    assert not (aws / "credentials").exists()


def test_no_proxy_sends_the_host_direct(broker, aws, moto, proxy):
    p = proxy()
    login(broker, moto, {"http_proxy": p.url, "no_proxy": "localhost, 127.0.0.1"})
    assert p.tunnels == []


def test_malformed_proxy_variable_is_a_usage_error(broker, aws, moto):
    result = login(broker, moto, {"http_proxy": "ftp://proxy.example"}, check=False)
    assert result.returncode == 2
    assert "http_proxy" in result.stderr
    assert not (aws / "credentials").exists()

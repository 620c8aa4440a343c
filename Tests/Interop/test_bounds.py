"""Never crash: every number and URL from outside (flags, config, tokens) has a documented range
checked where it is read. An out-of-range value exits 2 naming the input, never a trap."""
import base64
import json

import pytest

ROLE = "arn:aws:iam::123456789012:role/deploy"
LOGIN = ["login", "aws", "--role-arn", ROLE, "--sts-endpoint", "http://127.0.0.1:9/"]

FLAG_CASES = [
    (LOGIN + ["--timeout", "1000000000h"], "--timeout"),
    (LOGIN + ["--timeout", "9999999999999999h"], "--timeout"),
    (LOGIN + ["--timeout", "9223372036854775807"], "--timeout"),
    (LOGIN + ["--timeout", "1h1h1h"], "--timeout"),
    (LOGIN + ["--timeout", "0"], "--timeout"),
    (LOGIN + ["--max-attempts", "99999999999999999999"], "--max-attempts"),
    (LOGIN + ["--duration-seconds", "-5"], "--duration-seconds"),
    (["login", "aws", "--role-arn", ROLE, "--sts-endpoint", "http://127.0.0.1:99999/"], "port 99999"),
    (["login", "aws", "--role-arn", ROLE, "--sts-endpoint", "http://user:pw@127.0.0.1:9/"], "user name or password"),
    (["idp", "token", "--audience", "a", "--lifetime", "9999999999999999h"], "--lifetime"),
    (["idp", "verify", "x.y.z", "--jwks", "http://127.0.0.1:99999/x"], "port 99999"),
    (["login", "--all", "--min-remaining", "99999999999999999999d"], "--min-remaining"),
]


@pytest.mark.parametrize("argv,named", FLAG_CASES, ids=[" ".join(a[-2:]) for a, _ in FLAG_CASES])
def test_out_of_range_flags_exit_2_naming_the_flag(broker, argv, named):
    result = broker.run(*argv, check=False)
    assert result.returncode == 2, result.stderr
    assert named in result.stderr
    assert "Fatal error" not in result.stderr and "pw@" not in result.stderr


CONFIG_CASES = [
    ({"adapter": "aws-sts", "roleArn": ROLE, "durationSeconds": 1e19}, "providers.x.durationSeconds"),
    ({"adapter": "aws-sts", "roleArn": ROLE, "maxAttempts": 1e19}, "providers.x.maxAttempts"),
    ({"adapter": "aws-sts", "roleArn": ROLE, "maxAttempts": -9.3e18}, "providers.x.maxAttempts"),
    ({"adapter": "aws-sts", "roleArn": ROLE, "maxAttempts": 21}, "providers.x.maxAttempts"),
    ({"adapter": "aws-sts", "roleArn": ROLE, "timeout": 1e300}, "providers.x.timeout"),
    ({"adapter": "aws-sts", "roleArn": ROLE, "stsEndpoint": "http://127.0.0.1:99999/"}, "providers.x.stsEndpoint"),
    ({"adapter": "vault-jwt", "role": "r", "address": "http://127.0.0.1:99999"}, "providers.x.address"),
    ({"adapter": "vault-jwt", "role": "r", "address": "http://127.0.0.1:8200", "timeout": "366d"}, "providers.x.timeout"),
    ({"adapter": "exec", "audience": "a", "command": ["/bin/true"], "timeout": -1}, "providers.x.timeout"),
]


@pytest.mark.parametrize("entry,named", CONFIG_CASES, ids=[n + " " + json.dumps(e)[-30:] for e, n in CONFIG_CASES])
def test_out_of_range_config_numbers_exit_2_naming_the_path(broker, entry, named):
    path = broker.root / "c.json"
    path.write_text(json.dumps({"version": 1, "providers": {"x": entry}}))
    for command in (["config", "validate"], ["login", "--all"]):
        result = broker.run(*command, "--config", str(path), check=False)
        assert result.returncode == 2, result.stderr
        assert named in result.stderr and "Fatal error" not in result.stderr


def test_issuer_lifetime_out_of_range_in_config(broker):
    path = broker.root / "c.json"
    path.write_text(json.dumps({"version": 1, "issuer": {"lifetime": 1e300}}))
    result = broker.run("idp", "token", "--audience", "a", "--config", str(path), check=False)
    assert result.returncode == 2 and "issuer.lifetime" in result.stderr


def test_a_token_with_an_absurd_exp_is_diagnosed_without_trapping(broker, stub, aws):
    def b64(value):
        return base64.urlsafe_b64encode(json.dumps(value).encode()).rstrip(b"=").decode()
    token = b64({"alg": "RS256", "kid": "k"}) + "." + b64({"iss": "https://i.example", "sub": "s", "aud": "sts.amazonaws.com", "exp": 1e300}) + ".c2ln"
    from sts_stub import error
    sts = stub(error(400, "InvalidIdentityToken", "Token is expired"))
    result = broker.run("login", "aws", "--role-arn", ROLE, "--sts-endpoint", sts.url, "--token-env", "T", check=False,
                        env={"T": token})
    assert result.returncode == 1, result.stderr
    assert "InvalidIdentityToken" in result.stderr and "after the year 9999" in result.stderr
    assert "Fatal error" not in result.stderr


def test_an_empty_token_file_is_called_empty(broker):
    result = broker.run("login", "aws", "--role-arn", ROLE, "--sts-endpoint", "http://127.0.0.1:9/", "--token-file", "/dev/null",
                        check=False)
    assert result.returncode == 1 and "the token file /dev/null is empty" in result.stderr


def test_a_refused_proxy_is_named_as_the_proxy(broker, aws):
    from conftest import free_port
    port = free_port()
    result = broker.run("login", "aws", "--role-arn", ROLE, "--sts-endpoint", "http://sts.example.com/", "--max-attempts", "1",
                        check=False, env={"HTTP_PROXY": f"http://user:secret@127.0.0.1:{port}"})
    assert result.returncode == 1
    assert f"the proxy 127.0.0.1:{port} (HTTP_PROXY) refused the connection" in result.stderr
    assert "secret" not in result.stderr

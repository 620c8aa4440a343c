"""PyJWT, an independent implementation, verifies broker's tokens through discovery + JWKS."""
import json
import urllib.error
import urllib.request

import jwt
import pytest


def verify_with_pyjwt(issuer_url, token, audience, algorithms):
    discovery = json.loads(urllib.request.urlopen(issuer_url + "/.well-known/openid-configuration").read())
    assert discovery["issuer"] == issuer_url
    client = jwt.PyJWKClient(discovery["jwks_uri"], cache_keys=False, cache_jwk_set=False)
    key = client.get_signing_key_from_jwt(token)
    return jwt.decode(token, key.key, algorithms=algorithms, audience=audience, issuer=issuer_url,
                      options={"require": ["exp", "iat", "nbf", "iss", "sub", "aud"]})


def get_token(url, request_token, audience):
    request = urllib.request.Request(f"{url}/token?audience={urllib.parse.quote(audience)}",
                                     headers={"Authorization": f"Bearer {request_token}"})
    with urllib.request.urlopen(request) as response:
        assert response.headers["Content-Type"] == "application/json"
        return json.loads(response.read())["value"]


@pytest.mark.parametrize("algorithm", ["RS256", "ES256"])
def test_cli_tokens_verify_through_discovery(broker, serve, algorithm):
    served = serve("--algorithm", algorithm)
    token = broker.token("sts.amazonaws.com", "--algorithm", algorithm, "--subject", "repo:acme/app")
    claims = verify_with_pyjwt(served.url, token, "sts.amazonaws.com", [algorithm])
    assert claims["sub"] == "repo:acme/app"
    assert claims["azp"] == "sts.amazonaws.com"
    assert claims["exp"] - claims["iat"] == 3600
    assert jwt.get_unverified_header(token)["alg"] == algorithm
    assert algorithm in served.discovery()["id_token_signing_alg_values_supported"]


@pytest.mark.parametrize("algorithm", ["RS256", "ES256"])
def test_token_endpoint_tokens_verify(broker, serve, algorithm):
    served = serve("--algorithm", algorithm)
    request_token = broker.run("idp", "request-token", "create", "--subject", "runner:build-42").stdout.strip()
    token = get_token(served.url, request_token, "vault")
    claims = verify_with_pyjwt(served.url, token, "vault", [algorithm])
    assert claims["sub"] == "runner:build-42"
    assert claims["aud"] == "vault"


def test_token_endpoint_rejects_wrong_and_revoked_request_tokens(broker, serve):
    served = serve()
    with pytest.raises(urllib.error.HTTPError) as wrong:
        get_token(served.url, "brt_not-a-real-token", "vault")
    assert wrong.value.code == 401
    body = json.loads(wrong.value.read())
    assert body["error"] == "invalid_request_token" and "value" not in body

    # Created and revoked while the server runs: both take effect at once.
    created = broker.run("idp", "request-token", "create", "--subject", "s")
    request_token = created.stdout.strip()
    assert request_token not in created.stderr
    assert get_token(served.url, request_token, "vault")
    token_id = broker.run("idp", "request-token", "list", "--output", "json").stdout
    token_id = json.loads(token_id)[0]["id"]
    broker.run("idp", "request-token", "revoke", token_id)
    with pytest.raises(urllib.error.HTTPError) as revoked:
        get_token(served.url, request_token, "vault")
    assert revoked.value.code == 401


def test_multiple_audiences_are_an_array(broker, serve):
    served = serve()
    token = broker.token("a", "--audience", "b")
    claims = verify_with_pyjwt(served.url, token, "b", ["RS256"])
    assert claims["aud"] == ["a", "b"] and claims["azp"] == "a"


def test_old_key_verifies_after_rotation_but_not_after_retire_now(broker, serve):
    served = serve()
    old = broker.token("sts.amazonaws.com")
    broker.run("idp", "rotate-key")
    new = broker.token("sts.amazonaws.com")
    assert jwt.get_unverified_header(old)["kid"] != jwt.get_unverified_header(new)["kid"]
    # The running server picks up the rotation: both keys are published.
    verify_with_pyjwt(served.url, old, "sts.amazonaws.com", ["RS256"])
    verify_with_pyjwt(served.url, new, "sts.amazonaws.com", ["RS256"])

    broker.run("idp", "rotate-key", "--retire-now")
    with pytest.raises(jwt.PyJWKClientError):
        verify_with_pyjwt(served.url, old, "sts.amazonaws.com", ["RS256"])


def test_broker_verify_uses_remote_discovery(broker, serve):
    served = serve()
    token = broker.token("sts.amazonaws.com")
    ok = broker.run("idp", "verify", "--issuer", served.url, "--audience", "sts.amazonaws.com", input=token)
    assert json.loads(ok.stdout)["aud"] == "sts.amazonaws.com"
    bad = broker.run("idp", "verify", "--issuer", served.url, "--audience", "other", input=token, check=False)
    assert bad.returncode == 1
    assert "aud" in bad.stderr and "other" in bad.stderr

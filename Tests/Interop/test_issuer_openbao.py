"""A real OpenBao server trusts `broker idp serve` through oidc_discovery_url."""
import pytest


def configure_jwt_auth(openbao, issuer_url):
    status, body = openbao.api("POST", "sys/auth/jwt", {"type": "jwt"})
    assert status in (200, 204), body
    status, body = openbao.api("POST", "auth/jwt/config",
                               {"oidc_discovery_url": issuer_url, "bound_issuer": issuer_url})
    assert status in (200, 204), body
    status, body = openbao.api("POST", "auth/jwt/role/deploy", {
        "role_type": "jwt",
        "user_claim": "sub",
        "bound_audiences": ["vault"],
        "bound_claims_type": "glob",
        "bound_claims": {"sub": "repo:acme/*"},
        "token_policies": ["default"],
        "token_ttl": "10m",
    })
    assert status in (200, 204), body


def test_openbao_accepts_matching_sub_and_rejects_others(broker, serve, openbao):
    served = serve()
    configure_jwt_auth(openbao, served.url)

    status, body = openbao.login("deploy", broker.token("vault", "--subject", "repo:acme/app"))
    assert status == 200, body
    assert body["auth"]["client_token"]
    assert "default" in body["auth"]["policies"]

    status, body = openbao.login("deploy", broker.token("vault", "--subject", "repo:evil/app"))
    assert status in (400, 403), body
    assert "sub" in " ".join(body["errors"])

    status, body = openbao.login("deploy", broker.token("not-vault", "--subject", "repo:acme/app"))
    assert status in (400, 403), body


@pytest.mark.parametrize("algorithm", ["RS256", "ES256"])
def test_openbao_follows_key_rotation(broker, serve, openbao, algorithm):
    served = serve("--algorithm", algorithm)
    configure_jwt_auth(openbao, served.url)
    old = broker.token("vault", "--subject", "repo:acme/app", "--algorithm", algorithm)
    assert openbao.login("deploy", old)[0] == 200

    broker.run("idp", "rotate-key")
    new = broker.token("vault", "--subject", "repo:acme/app")
    # A new kid makes OpenBao refetch the JWKS; the old key is still published.
    assert openbao.login("deploy", new)[0] == 200
    assert openbao.login("deploy", old)[0] == 200

    broker.run("idp", "rotate-key", "--retire-now")
    newest = broker.token("vault", "--subject", "repo:acme/app")
    assert openbao.login("deploy", newest)[0] == 200
    status, body = openbao.login("deploy", old)
    assert status in (400, 403), body

"""`broker idp verify` against tokens PyJWT signs: the public-key algorithms broker documents are
accepted; what RFC 7515/7519/8725 forbid is refused naming the check."""
import json
import time

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from jwt.algorithms import ECAlgorithm, RSAAlgorithm, RSAPSSAlgorithm


def keypair(alg):
    if alg.startswith("ES"):
        private = ec.generate_private_key(ec.SECP256R1())
        jwk = json.loads(ECAlgorithm.to_jwk(private.public_key()))
    else:
        private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        jwk = json.loads((RSAPSSAlgorithm if alg.startswith("PS") else RSAAlgorithm).to_jwk(private.public_key()))
    jwk.update({"kid": "k1", "use": "sig"})
    return private, jwk


def verify(broker, token, jwks):
    path = broker.root / "jwks.json"
    path.write_text(json.dumps({"keys": jwks}))
    return broker.run("idp", "verify", "-", "--jwks", str(path), "--audience", "a", input=token, check=False)


CLAIMS = {"iss": "https://issuer.example", "sub": "repo:acme/app", "aud": "a"}


@pytest.mark.parametrize("alg", ["RS256", "PS256", "ES256"])
def test_tokens_pyjwt_signs_are_accepted(broker, alg):
    private, jwk = keypair(alg)
    token = jwt.encode({**CLAIMS, "exp": int(time.time()) + 600}, private, algorithm=alg, headers={"kid": "k1"})
    result = verify(broker, token, [{**jwk, "alg": alg}])
    assert result.returncode == 0, result.stderr


def test_an_unknown_critical_header_is_refused(broker):
    private, jwk = keypair("ES256")
    token = jwt.encode({**CLAIMS, "exp": int(time.time()) + 600}, private, algorithm="ES256",
                       headers={"kid": "k1", "crit": ["https://example.com/ext"], "https://example.com/ext": True})
    result = verify(broker, token, [jwk])
    assert result.returncode == 1 and "crit" in result.stderr


def test_the_keys_alg_beats_the_headers(broker):
    private, jwk = keypair("PS256")
    token = jwt.encode({**CLAIMS, "exp": int(time.time()) + 600}, private, algorithm="PS256", headers={"kid": "k1"})
    result = verify(broker, token, [{**jwk, "alg": "RS256"}])
    assert result.returncode == 1 and "is for 'RS256' only" in result.stderr


def test_a_string_nbf_is_refused(broker):
    private, jwk = keypair("ES256")
    token = jwt.encode({**CLAIMS, "exp": int(time.time()) + 600, "nbf": "soon"}, private, algorithm="ES256", headers={"kid": "k1"})
    result = verify(broker, token, [jwk])
    assert result.returncode == 1 and "nbf" in result.stderr and "NumericDate" in result.stderr

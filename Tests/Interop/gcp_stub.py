"""A loopback stand-in for Google STS and IAM Credentials (test code; the real services cannot
run here). It checks what Google checks: the token-exchange grant fields, the audience and
scope, the subject token's signature against broker's JWKS with its issuer and `aud`, an
attribute condition on the claims, and on generateAccessToken the bearer STS issued, the
service account's binding and the requested lifetime. Faults can be scripted."""
import json
import threading
import time
import urllib.parse
from datetime import datetime, timezone
from http.server import ThreadingHTTPServer

import jwt

from stub_http import JSONHandler

PROVIDER = "projects/123456789012/locations/global/workloadIdentityPools/ci-pool/providers/broker"
STS_AUDIENCE = "//iam.googleapis.com/" + PROVIDER
CLOUD_PLATFORM = "https://www.googleapis.com/auth/cloud-platform"
SERVICE_ACCOUNT = "deploy@acme-prod.iam.gserviceaccount.com"


class GoogleStub:
    def __init__(self, jwks, issuer=None, allowed_audiences=None, condition=None, bindings=None, faults=None, provider=PROVIDER):
        self.sts_audience = "//iam.googleapis.com/" + provider
        self.pool = provider.split("/providers/")[0]
        self.keys = {key["kid"]: jwt.PyJWK(key) for key in jwks["keys"]}
        self.issuer = issuer
        self.allowed_audiences = allowed_audiences or [self.sts_audience, "https:" + self.sts_audience]
        self.condition = condition or (lambda claims: True)
        # Service account -> principals granted roles/iam.workloadIdentityUser.
        self.bindings = bindings if bindings is not None else {SERVICE_ACCOUNT: None}  # None: any principal of the pool
        self.faults = {"sts": list((faults or {}).get("sts", [])), "iam": list((faults or {}).get("iam", []))}
        self.sts_requests = []
        self.iam_requests = []
        self.issued = {}  # STS access token -> principal
        self.impersonated = []  # access tokens generateAccessToken handed out
        stub = self

        class Handler(JSONHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0))).decode()
                path = urllib.parse.urlparse(self.path).path
                if path == "/v1/token":
                    kind = "sts"
                    stub.sts_requests.append({"headers": {k.lower(): v for k, v in self.headers.items()}, "form": {k: v[0] for k, v in urllib.parse.parse_qs(body).items()}})
                elif path.startswith("/v1/projects/-/serviceAccounts/") and path.endswith(":generateAccessToken"):
                    kind = "iam"
                    stub.iam_requests.append({"headers": {k.lower(): v for k, v in self.headers.items()}, "body": json.loads(body or "{}"), "path": path})
                else:
                    return self.answer(404, {"error": {"code": 404, "message": "not found", "status": "NOT_FOUND"}})
                if stub.faults[kind]:
                    status, payload, headers = stub.faults[kind].pop(0)
                    return self.answer(status, payload, headers)
                status, payload = stub.sts(stub.sts_requests[-1]["form"]) if kind == "sts" else stub.iam(stub.iam_requests[-1], path)
                self.answer(status, payload)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()

    @staticmethod
    def invalid_grant(description):
        return 400, {"error": "invalid_grant", "error_description": description}

    def sts(self, form):
        expected = {
            "grant_type": "urn:ietf:params:oauth:grant-type:token-exchange",
            "requested_token_type": "urn:ietf:params:oauth:token-type:access_token",
        }
        for name, value in expected.items():
            if form.get(name) != value:
                return 400, {"error": "invalid_request", "error_description": f"{name} must be {value}"}
        if form.get("subject_token_type") not in ("urn:ietf:params:oauth:token-type:jwt", "urn:ietf:params:oauth:token-type:id_token"):
            return 400, {"error": "invalid_request", "error_description": "unsupported subject_token_type"}
        if form.get("audience") != self.sts_audience:
            return 400, {"error": "invalid_target", "error_description": "The target service indicated by the \"audience\" parameters is invalid."}
        if not form.get("scope"):
            return 400, {"error": "invalid_scope", "error_description": "scope is required"}
        token = form.get("subject_token", "")
        try:
            header = jwt.get_unverified_header(token)
            key = self.keys[header["kid"]]
            claims = jwt.decode(token, key, algorithms=["RS256", "ES256"], options={"verify_aud": False})
        except Exception as error:  # noqa: BLE001 - any verification failure is Google's invalid_grant
            return self.invalid_grant(f"Unable to verify the ID Token signature: {error}")
        if self.issuer and claims.get("iss") != self.issuer:
            return self.invalid_grant(f"The issuer in ID Token {claims.get('iss')} does not match the expected ones.")
        audiences = claims["aud"] if isinstance(claims.get("aud"), list) else [claims.get("aud")]
        if not any(a in self.allowed_audiences for a in audiences):
            return self.invalid_grant(f"The audience in ID Token [{claims.get('aud')}] does not match the expected audience.")
        if not self.condition(claims):
            return self.invalid_grant("The given credential is rejected by the attribute condition.")
        access = f"ya29.sts-{len(self.sts_requests)}-{time.time_ns()}"
        self.issued[access] = f"principal://iam.googleapis.com/{self.pool}/subject/{claims['sub']}"
        return 200, {"access_token": access, "issued_token_type": "urn:ietf:params:oauth:token-type:access_token",
                     "token_type": "Bearer", "expires_in": 3599}

    def iam(self, request, path):
        email = urllib.parse.unquote(path[len("/v1/projects/-/serviceAccounts/"):-len(":generateAccessToken")])
        bearer = request["headers"].get("authorization", "")
        principal = self.issued.get(bearer[len("Bearer "):]) if bearer.startswith("Bearer ") else None
        if principal is None:
            return 401, {"error": {"code": 401, "message": "Request had invalid authentication credentials.", "status": "UNAUTHENTICATED"}}
        granted = self.bindings.get(email, [])
        if email not in self.bindings or (granted is not None and principal not in granted):
            return 403, {"error": {"code": 403, "status": "PERMISSION_DENIED",
                                   "message": f"Permission 'iam.serviceAccounts.getAccessToken' denied on resource (or it may not exist)."}}
        scope, lifetime = request["body"].get("scope"), request["body"].get("lifetime", "3600s")
        if not scope or not lifetime.endswith("s") or not 1 <= int(lifetime[:-1]) <= 43200:
            return 400, {"error": {"code": 400, "message": "invalid scope or lifetime", "status": "INVALID_ARGUMENT"}}
        access = f"ya29.sa-{len(self.iam_requests)}-{time.time_ns()}"
        self.impersonated.append(access)
        expires = datetime.fromtimestamp(time.time() + int(lifetime[:-1]), tz=timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
        return 200, {"accessToken": access, "expireTime": expires}

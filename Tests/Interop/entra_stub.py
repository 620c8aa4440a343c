"""A loopback HTTPS stand-in for Entra ID's v2.0 token endpoint (test code; the real service
cannot run here), signed by a private test CA. It checks what Entra checks for a
client-credentials grant with a federated client assertion: the grant fields, the tenant, the
application, a `/.default` scope, the assertion's RS256 signature against broker's JWKS, its
time window, and that its iss, sub and aud match one federated credential of the application
exactly. It answers AADSTS errors in Entra's shape. Faults can be scripted."""
import ssl
import threading
import time
import urllib.parse
import uuid
from http.server import ThreadingHTTPServer

import jwt

from stub_http import JSONHandler

from tls_certs import make_ca_and_server

TENANT = "72f988bf-86f1-41af-91ab-2d7cd011db47"
CLIENT = "0c1d2e3f-4a5b-6c7d-8e9f-a0b1c2d3e4f5"
SUBSCRIPTION = "11111111-2222-3333-4444-555555555555"
AUDIENCE = "api://AzureADTokenExchange"
MANAGEMENT = "https://management.azure.com/.default"
ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"


class EntraStub:
    """`credentials`: application -> list of federated credentials {issuer, subject, audiences};
    None for an application means any token of a known issuer key matches."""

    def __init__(self, jwks, directory, credentials=None, tenants=(TENANT,), faults=None, skew=300):
        self.keys = {key["kid"]: jwt.PyJWK(key) for key in jwks["keys"]}
        self.credentials = credentials if credentials is not None else {CLIENT: None}
        self.tenants = set(tenants)
        self.faults = list(faults or [])
        self.skew = skew
        self.token_requests = []
        self.issued = []
        self.paths = make_ca_and_server(directory)
        stub = self

        class Handler(JSONHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0))).decode()
                parts = urllib.parse.urlparse(self.path).path.strip("/").split("/")
                if len(parts) != 4 or parts[1:] != ["oauth2", "v2.0", "token"]:
                    return self.answer(404, {"error": "not_found"})
                form = {k: v[0] for k, v in urllib.parse.parse_qs(body).items()}
                stub.token_requests.append({"tenant": parts[0], "form": form, "headers": {k.lower(): v for k, v in self.headers.items()}})
                if stub.faults:
                    status, payload, headers = stub.faults.pop(0)
                    return self.answer(status, payload, headers)
                status, payload = stub.token(parts[0], form)
                self.answer(status, payload)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(self.paths["cert"], self.paths["key"])
        self.server.socket = context.wrap_socket(self.server.socket, server_side=True)
        self.url = f"https://127.0.0.1:{self.server.server_address[1]}"
        self.ca = str(self.paths["ca"])
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()

    @staticmethod
    def error(code, error, description, status=400):
        trace, correlation = str(uuid.uuid4()), str(uuid.uuid4())
        stamp = time.strftime("%Y-%m-%d %H:%M:%SZ", time.gmtime())
        return {"error": error,
                "error_description": f"AADSTS{code}: {description} Trace ID: {trace} Correlation ID: {correlation} Timestamp: {stamp}",
                "error_codes": [code], "timestamp": stamp, "trace_id": trace, "correlation_id": correlation,
                "error_uri": f"https://login.microsoftonline.com/error?code={code}"}

    def token(self, tenant, form):
        if tenant not in self.tenants:
            return 400, self.error(90002, "invalid_tenant", f"Tenant '{tenant}' not found. Check to make sure you have the correct tenant ID.")
        if form.get("grant_type") != "client_credentials":
            return 400, self.error(70003, "unsupported_grant_type", "The app requested an unsupported grant type.")
        client = form.get("client_id", "")
        if client not in self.credentials:
            return 400, self.error(700016, "unauthorized_client", f"Application with identifier '{client}' was not found in the directory '{tenant}'.")
        scope = form.get("scope", "")
        if not scope.endswith("/.default") or " " in scope:
            return 400, self.error(1002012, "invalid_scope", f"The provided value for scope {scope} is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier (application ID URI).")
        if form.get("client_assertion_type") != ASSERTION_TYPE or not form.get("client_assertion"):
            return 401, self.error(7000215, "invalid_client", "Invalid client secret provided.")
        assertion = form["client_assertion"]
        try:
            header = jwt.get_unverified_header(assertion)
            key = self.keys[header.get("kid")]
            claims = jwt.decode(assertion, key, algorithms=["RS256"], options={"verify_aud": False, "verify_exp": False, "verify_iat": False, "verify_nbf": False})
        except Exception as error:  # noqa: BLE001 - any failure to verify is Entra's 700027
            return 401, self.error(700027, "invalid_client", f"Client assertion failed signature validation. ({type(error).__name__})")
        now = time.time()
        if claims.get("exp", 0) + self.skew < now or claims.get("nbf", claims.get("iat", 0)) - self.skew > now:
            return 400, self.error(700024, "invalid_client", "Client assertion is not within its valid time range.")
        audiences = claims["aud"] if isinstance(claims.get("aud"), list) else [claims.get("aud")]
        allowed = self.credentials[client]
        if allowed is not None:
            if not any(c["issuer"] == claims.get("iss") for c in allowed):
                return 400, self.error(700211, "invalid_client", f"No matching federated identity record found for presented assertion issuer '{claims.get('iss')}'.")
            if not any(c["issuer"] == claims.get("iss") and set(c["audiences"]) & set(audiences) for c in allowed):
                return 400, self.error(700212, "invalid_client", f"No matching federated identity record found for presented assertion audience '{claims.get('aud')}'.")
            if not any(c["issuer"] == claims.get("iss") and c["subject"] == claims.get("sub") and set(c["audiences"]) & set(audiences) for c in allowed):
                return 400, self.error(700213, "invalid_client", f"No matching federated identity record found for presented assertion subject '{claims.get('sub')}'. Please check your federated identity credential Subject, Audience and Issuer against the presented assertion.")
        access = f"eyJ0eXAiOiJKV1QifQ.entra-{len(self.token_requests)}-{time.time_ns()}.sig"
        self.issued.append({"token": access, "assertion": assertion, "scope": scope})
        return 200, {"token_type": "Bearer", "expires_in": 3599, "ext_expires_in": 3599, "access_token": access}

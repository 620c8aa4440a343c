"""token-exchange (RFC 8693) against a local token endpoint stub (test code) that checks the
grant fields and the client authentication."""
import base64
import json
import os
import stat
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest


class ExchangeStub:
    def __init__(self, client_id="ci", client_secret="s3cret", answer=None, status=200, length=True):
        self.requests = []
        stub = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"])).decode()
                form = {k: v[0] for k, v in urllib.parse.parse_qs(body).items()}
                stub.requests.append({"form": form, "headers": dict(self.headers)})
                auth = self.headers.get("Authorization", "")
                basic_ok = auth == "Basic " + base64.b64encode(f"{client_id}:{client_secret}".encode()).decode()
                post_ok = form.get("client_id") == client_id and form.get("client_secret") == client_secret
                if form.get("grant_type") != "urn:ietf:params:oauth:grant-type:token-exchange" or "subject_token" not in form:
                    code, payload = 400, {"error": "invalid_request", "error_description": "not a token exchange"}
                elif not (basic_ok or post_ok):
                    code, payload = 401, {"error": "invalid_client", "error_description": "client authentication failed"}
                else:
                    code, payload = status, answer or {"access_token": "exchanged-token-123", "issued_token_type":
                                                       "urn:ietf:params:oauth:token-type:access_token",
                                                       "token_type": "Bearer", "expires_in": 900}
                data = json.dumps(payload).encode()
                self.send_response(code)
                self.send_header("Content-Type", "application/json")
                if length:
                    self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/token"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()


@pytest.fixture
def exchange():
    stubs = []

    def make(**kwargs):
        stub = ExchangeStub(**kwargs)
        stubs.append(stub)
        return stub

    yield make
    for stub in stubs:
        stub.close()


def configure(broker, **settings):
    entry = {"adapter": "token-exchange", "audience": "https://idp.example.com", **settings}
    broker.own_config({"version": 1, "source": {"type": "embedded"}, "providers": {"idp": entry}})


@pytest.mark.parametrize("client_auth", ["basic", "post"])
def test_exchange_with_client_authentication_writes_the_token(broker, exchange, client_auth):
    stub = exchange()
    out = broker.root / "out" / "token"
    configure(broker, tokenUrl=stub.url, clientId="ci", clientAuth=client_auth, clientSecretEnv="CLIENT_SECRET",
              outputFile=str(out), scope="read write", exchangeAudience="api", envVariable="IDP_TOKEN")
    result = broker.run("login", "idp", "--output", "env", env={"CLIENT_SECRET": "s3cret"})
    assert out.read_text() == "exchanged-token-123"
    assert stat.S_IMODE(os.stat(out).st_mode) == 0o600
    form = stub.requests[0]["form"]
    assert form["subject_token_type"] == "urn:ietf:params:oauth:token-type:jwt"
    assert form["requested_token_type"] == "urn:ietf:params:oauth:token-type:access_token"
    assert form["scope"] == "read write" and form["audience"] == "api"
    assert form["subject_token"].count(".") == 2
    assert ("client_secret" in form) == (client_auth == "post")
    assert "export IDP_TOKEN=exchanged-token-123" in result.stdout
    assert "s3cret" not in result.stderr
    status = json.loads(broker.run("status", "--output", "json").stdout)["results"]
    assert 800 < status[0]["secondsLeft"] <= 900


def test_oauth_errors_are_shown_as_such_and_nothing_is_written(broker, exchange):
    stub = exchange()
    out = broker.root / "token"
    configure(broker, tokenUrl=stub.url, clientId="ci", clientAuth="basic", clientSecretEnv="CLIENT_SECRET", outputFile=str(out))
    result = broker.run("login", "idp", env={"CLIENT_SECRET": "wrong"}, check=False)
    assert result.returncode == 1
    assert "invalid_client" in result.stderr and "client authentication failed" in result.stderr
    assert "wrong" not in result.stderr
    assert not out.exists()


def test_secret_is_never_taken_from_the_config(broker, exchange):
    stub = exchange()
    configure(broker, tokenUrl=stub.url, clientId="ci", clientAuth="post", clientSecret="inline")
    result = broker.run("config", "validate", check=False)
    assert result.returncode == 2 and "providers.idp.clientSecret: unknown setting" in result.stderr


def test_tls_token_endpoint_trusts_ssl_cert_file_and_refuses_unknown_cas(broker, exchange, tmp_path):
    """The CA rule for token-exchange (no CA setting or cloud variable of its own): SSL_CERT_FILE,
    else the system bundle, against a TLS token endpoint signed by a private CA."""
    import ssl
    from tls_certs import make_ca_and_server
    paths = make_ca_and_server(tmp_path)
    stub = exchange()
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(paths["cert"], paths["key"])
    stub.server.socket = context.wrap_socket(stub.server.socket, server_side=True)
    out = broker.root / "tls-token"
    configure(broker, tokenUrl=stub.url.replace("http://", "https://"), outputFile=str(out), clientId="ci", clientAuth="basic",
              clientSecretEnv="CLIENT_SECRET")
    broker.run("login", "idp", env={"SSL_CERT_FILE": str(paths["ca"]), "CLIENT_SECRET": "s3cret"})
    assert out.read_text() == "exchanged-token-123"
    broker.run("logout", "idp")
    refused = broker.run("login", "idp", check=False, env={"CLIENT_SECRET": "s3cret"})
    assert refused.returncode == 1 and "TLS" in refused.stderr
    assert not out.exists() and len(stub.requests) == 1


def test_a_tls_answer_cut_without_close_notify_is_named_as_such(broker, exchange, tmp_path):
    import ssl
    from tls_certs import make_ca_and_server
    paths = make_ca_and_server(tmp_path)
    stub = exchange(length=False)  # HTTP/1.0 without Content-Length: the close ends the body, unclean over TLS
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(paths["cert"], paths["key"])
    stub.server.socket = context.wrap_socket(stub.server.socket, server_side=True)
    configure(broker, tokenUrl=stub.url.replace("http://", "https://"), outputFile=str(broker.root / "t"), clientId="ci",
              clientAuth="basic", clientSecretEnv="CLIENT_SECRET")
    result = broker.run("login", "idp", check=False, env={"SSL_CERT_FILE": str(paths["ca"]), "CLIENT_SECRET": "s3cret"})
    assert result.returncode == 1
    assert "without close_notify" in result.stderr and "certificate not trusted" not in result.stderr


class FlakyFront:
    """Answers the first requests with the given statuses, then passes the rest to `target`."""

    def __init__(self, statuses, target):
        import urllib.request
        self.statuses = list(statuses)
        self.seen = []
        front = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                front.seen.append(self.path)
                if front.statuses:
                    status = front.statuses.pop(0)
                    data = b'{"error": "temporarily_unavailable"}'
                    self.send_response(status)
                    self.send_header("Retry-After", "0")
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                    return
                request = urllib.request.Request(target + self.path, data=body, method="POST",
                                                 headers={k: v for k, v in self.headers.items() if k.lower() != "host"})
                try:
                    with urllib.request.urlopen(request, timeout=10) as answer:
                        status, data = answer.status, answer.read()
                except urllib.error.HTTPError as error:
                    status, data = error.code, error.read()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()


def test_throttling_and_server_errors_are_retried_client_errors_never(broker, exchange):
    stub = exchange()
    target = stub.url.rsplit("/token", 1)[0]
    front = FlakyFront([429, 503], target)
    try:
        configure(broker, tokenUrl=front.url + "/token", outputFile=str(broker.root / "t"), clientId="ci",
                  clientAuth="basic", clientSecretEnv="CLIENT_SECRET")
        broker.run("login", "idp", env={"CLIENT_SECRET": "s3cret"})
        assert len(front.seen) == 3 and len(stub.requests) == 1
        # A 401 is the endpoint's last word: one request, no retry.
        result = broker.run("login", "idp", check=False, env={"CLIENT_SECRET": "wrong"})
        assert result.returncode == 1 and "invalid_client" in result.stderr
        assert len(front.seen) == 4 and len(stub.requests) == 2
    finally:
        front.close()


def test_an_unwritable_output_file_is_refused_before_the_exchange(broker, exchange):
    stub = exchange()
    (broker.root / "out-dir").mkdir()
    configure(broker, tokenUrl=stub.url, clientId="ci", clientAuth="none", outputFile=str(broker.root / "out-dir"))
    result = broker.run("login", "idp", check=False)
    assert result.returncode == 2 and "out-dir is a directory" in result.stderr and not stub.requests

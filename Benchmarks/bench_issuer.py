"""Issue 2 targets:
- `broker idp token` wall time within 1.5x of `broker --version` (process start is the floor);
- `broker idp serve` /token throughput >= 60% of the raw signing rate of the same key, same run;
- discovery >= 10,000 requests/s with p99 under 10 ms.
"""
import json
import subprocess
import sys

from benchlib import BROKER, broker_env, free_port, median_seconds, new_root, report, wait_for, wrk

root = new_root()
env = broker_env(root)
subprocess.run([BROKER, "idp", "token", "--audience", "warmup", "--issuer", "https://bench.example.com"],
               env=env, cwd=root, check=True, capture_output=True)
ok = True

medians = median_seconds({
    "version": [BROKER, "--version"],
    "token": [BROKER, "idp", "token", "--audience", "sts.amazonaws.com", "--issuer", "https://bench.example.com"],
}, runs=40, env=env, cwd=root)
ratio = medians["token"] / medians["version"]
print(f"      idp token {medians['token'] * 1000:.1f} ms, --version {medians['version'] * 1000:.1f} ms (medians of 40)")
ok &= report("idp token / --version wall time", f"{ratio:.2f}x", "<= 1.5x", ratio <= 1.5)

port = free_port()
url = f"http://127.0.0.1:{port}"
server = subprocess.Popen([BROKER, "idp", "serve", "--listen", f"127.0.0.1:{port}"], env=env, cwd=root,
                          stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
try:
    wait_for(url + "/.well-known/openid-configuration")
    request_token = subprocess.run([BROKER, "idp", "request-token", "create", "--subject", "bench"], env=env, cwd=root,
                                   capture_output=True, text=True, check=True).stdout.strip()
    raw = json.loads(subprocess.run([BROKER, "idp", "bench-sign", "--count", "3000", "--issuer", url], env=env, cwd=root,
                                    capture_output=True, text=True, check=True).stdout)["per_second"]
    token = wrk(url + "/token?audience=bench", seconds=5, connections=8,
                header=f"Authorization: Bearer {request_token}")
    share = token["rps"] / raw
    print(f"      raw signing {raw:.0f}/s in one process; /token {token['rps']:.0f}/s, p99 {token['p99_ms']:.2f} ms, "
          f"{token['errors']} errors")
    ok &= report("/token throughput / raw signing rate", f"{share:.2f}", ">= 0.60", share >= 0.6 and token["errors"] == 0)

    discovery = wrk(url + "/.well-known/openid-configuration", seconds=5, connections=16)
    ok &= report("discovery requests/s", f"{discovery['rps']:.0f}", ">= 10000",
                 discovery["rps"] >= 10000 and discovery["errors"] == 0)
    ok &= report("discovery p99 latency", f"{discovery['p99_ms']:.2f} ms", "< 10 ms", discovery["p99_ms"] < 10)
finally:
    server.terminate()
    server.wait(timeout=10)

sys.exit(0 if ok else 1)

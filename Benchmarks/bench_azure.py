"""Issue 13 target, against the loopback HTTPS Entra token endpoint stub (Tests/Interop/entra_stub.py)
in one run: `broker login azure` (client-credentials grant with the token as client assertion,
token file and environment file) within 2x of one bare `curl` of the same endpoint, over the same
TLS with the same test CA.
"""
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "Tests", "Interop"))
from benchlib import BROKER, broker_env, median_seconds, new_root, report  # noqa: E402
from entra_stub import ASSERTION_TYPE, AUDIENCE, CLIENT, MANAGEMENT, TENANT, EntraStub  # noqa: E402

root = new_root()
env = broker_env(root)
jwks = json.loads(subprocess.run([BROKER, "idp", "jwks"], env=env, capture_output=True, text=True, check=True).stdout)
stub = EntraStub(jwks, Path(tempfile.mkdtemp(dir=root)))
env["SSL_CERT_FILE"] = stub.ca
ok = True
try:
    token_file = os.path.join(root, "token")
    token = subprocess.run([BROKER, "idp", "token", "--audience", AUDIENCE], env=env, capture_output=True, text=True, check=True).stdout.strip()
    with open(token_file, "w") as f:
        f.write(token)
    login = [BROKER, "login", "azure", "--tenant-id", TENANT, "--client-id", CLIENT, "--authority-host", stub.url, "--token-file", token_file]
    subprocess.run(login, env=env, cwd=root, check=True, capture_output=True)
    curl = ["curl", "-sS", "-o", "/dev/null", "--fail", "--cacert", stub.ca, "-X", "POST", f"{stub.url}/{TENANT}/oauth2/v2.0/token",
            "--data-urlencode", "grant_type=client_credentials", "--data-urlencode", f"client_id={CLIENT}",
            "--data-urlencode", f"scope={MANAGEMENT}", "--data-urlencode", f"client_assertion_type={ASSERTION_TYPE}",
            "--data-urlencode", f"client_assertion@{token_file}"]
    times = median_seconds({"curl": curl, "broker": login}, runs=30, env=env, cwd=root)
    ratio = times["broker"] / times["curl"]
    print(f"      broker login azure {times['broker'] * 1000:.1f} ms, curl {times['curl'] * 1000:.1f} ms (medians of 30)")
    ok &= report("broker login azure / one curl call", f"{ratio:.2f}x", "<= 2x", ratio <= 2)
finally:
    stub.close()
sys.exit(0 if ok else 1)

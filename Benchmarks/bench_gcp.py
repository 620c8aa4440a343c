"""Issue 12 target, against the loopback Google STS + IAM Credentials stub (Tests/Interop/gcp_stub.py)
in one run: `broker login gcp` (STS exchange, impersonation, credential file and token file) within
2x of the two bare `curl` calls it makes (the baseline is the sum of their medians).
"""
import json
import os
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "Tests", "Interop"))
from benchlib import BROKER, broker_env, median_seconds, new_root, report  # noqa: E402
from gcp_stub import CLOUD_PLATFORM, PROVIDER, SERVICE_ACCOUNT, STS_AUDIENCE, GoogleStub  # noqa: E402

root = new_root()
env = broker_env(root)
jwks = json.loads(subprocess.run([BROKER, "idp", "jwks"], env=env, capture_output=True, text=True, check=True).stdout)
stub = GoogleStub(jwks)
ok = True
try:
    token_file = os.path.join(root, "token")
    token = subprocess.run([BROKER, "idp", "token", "--audience", STS_AUDIENCE], env=env, capture_output=True, text=True, check=True).stdout.strip()
    with open(token_file, "w") as f:
        f.write(token)
    login = [BROKER, "login", "gcp", "--workload-identity-provider", PROVIDER, "--service-account", SERVICE_ACCOUNT,
             "--sts-endpoint", stub.url, "--iam-endpoint", stub.url, "--token-file", token_file]
    subprocess.run(login, env=env, cwd=root, check=True, capture_output=True)
    bearer = next(iter(stub.issued))
    sts = ["curl", "-sS", "-o", "/dev/null", "-X", "POST", stub.url + "/v1/token",
           "--data-urlencode", "grant_type=urn:ietf:params:oauth:grant-type:token-exchange",
           "--data-urlencode", "requested_token_type=urn:ietf:params:oauth:token-type:access_token",
           "--data-urlencode", "subject_token_type=urn:ietf:params:oauth:token-type:jwt",
           "--data-urlencode", f"audience={STS_AUDIENCE}", "--data-urlencode", f"scope={CLOUD_PLATFORM}",
           "--data-urlencode", f"subject_token@{token_file}"]
    iam = ["curl", "-sS", "-o", "/dev/null", "-X", "POST",
           f"{stub.url}/v1/projects/-/serviceAccounts/{SERVICE_ACCOUNT}:generateAccessToken",
           "-H", f"Authorization: Bearer {bearer}", "-H", "Content-Type: application/json",
           "--data", json.dumps({"scope": [CLOUD_PLATFORM], "lifetime": "3600s"})]
    times = median_seconds({"curl-sts": sts, "curl-iam": iam, "broker": login}, runs=30, env=env, cwd=root)
    baseline = times["curl-sts"] + times["curl-iam"]
    ratio = times["broker"] / baseline
    print(f"      broker login gcp {times['broker'] * 1000:.1f} ms, curl STS {times['curl-sts'] * 1000:.1f} ms"
          f" + curl IAM {times['curl-iam'] * 1000:.1f} ms (medians of 30)")
    ok &= report("broker login gcp / two curl calls", f"{ratio:.2f}x", "<= 2x", ratio <= 2)
finally:
    stub.close()
sys.exit(0 if ok else 1)

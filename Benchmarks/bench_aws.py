"""Issue 3 targets, all against the same local STS server (moto) in one run:
- `broker login aws` at least 30x faster than the `gp idp login aws` path
  (`aws sts assume-role-with-web-identity` then three `aws configure set`);
- `broker login aws` within 2x of `curl` posting the same AssumeRoleWithWebIdentity request;
- a cached `broker credential-process aws` within 1.5x of `broker --version`, in the flag form
  and in the `--settings NAME` form `login aws --mode credential-process` writes.
"""
import os
import subprocess
import sys

from benchlib import BROKER, broker_env, median_seconds, new_root, report, start_moto

ROLE = "arn:aws:iam::123456789012:role/bench"
root = new_root()
env = broker_env(root)
env.update({"AWS_CONFIG_FILE": os.path.join(root, "aws-config"), "AWS_SHARED_CREDENTIALS_FILE": os.path.join(root, "aws-credentials"),
            "AWS_EC2_METADATA_DISABLED": "true", "AWS_DEFAULT_REGION": "us-east-1", "AWS_ACCESS_KEY_ID": "",
            "AWS_SECRET_ACCESS_KEY": ""})
for key in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
    env.pop(key)

moto, sts = start_moto()
ok = True
try:
    token_file = os.path.join(root, "token")
    token = subprocess.run([BROKER, "idp", "token", "--audience", "sts.amazonaws.com", "--issuer", "https://bench.example.com"],
                           env=env, capture_output=True, text=True, check=True).stdout.strip()
    with open(token_file, "w") as f:
        f.write(token)

    # What `gp idp login aws` runs: the AWS CLI call, then three `aws configure set`.
    gp_script = os.path.join(root, "gp-login.sh")
    with open(gp_script, "w") as f:
        f.write(f"""set -e
out=$(aws sts assume-role-with-web-identity --endpoint-url {sts} --role-arn {ROLE} --role-session-name gp \\
  --web-identity-token "$(cat {token_file})" --query Credentials --output text)
set -- $out
aws configure set aws_access_key_id "$1" --profile gp
aws configure set aws_secret_access_key "$3" --profile gp
aws configure set aws_session_token "$4" --profile gp
""")
    login = [BROKER, "login", "aws", "--role-arn", ROLE, "--sts-endpoint", sts, "--token-file", token_file, "--profile", "b"]
    curl = ["curl", "-sS", "-o", "/dev/null", "-X", "POST", sts + "/",
            "--data-urlencode", "Action=AssumeRoleWithWebIdentity", "--data-urlencode", "Version=2011-06-15",
            "--data-urlencode", f"RoleArn={ROLE}", "--data-urlencode", "RoleSessionName=curl",
            "--data-urlencode", f"WebIdentityToken@{token_file}"]

    slow = median_seconds({"gp": ["bash", gp_script], "broker": login}, runs=5, env=env, cwd=root)
    ratio = slow["gp"] / slow["broker"]
    print(f"      gp path {slow['gp'] * 1000:.0f} ms, broker login aws {slow['broker'] * 1000:.1f} ms (medians of 5)")
    ok &= report("gp idp login aws path / broker login aws", f"{ratio:.1f}x faster", ">= 30x", ratio >= 30)

    fast = median_seconds({"curl": curl, "broker": login}, runs=30, env=env, cwd=root)
    ratio = fast["broker"] / fast["curl"]
    print(f"      broker login aws {fast['broker'] * 1000:.1f} ms, curl {fast['curl'] * 1000:.1f} ms (medians of 30)")
    ok &= report("broker login aws / curl", f"{ratio:.2f}x", "<= 2x", ratio <= 2)

    process = [BROKER, "credential-process", "aws", "--role-arn", ROLE, "--sts-endpoint", sts, "--token-file", token_file,
               "--profile-cache", "bench"]
    subprocess.run(process, env=env, cwd=root, check=True, capture_output=True)
    cached = median_seconds({"version": [BROKER, "--version"], "cached": process}, runs=40, env=env, cwd=root)
    ratio = cached["cached"] / cached["version"]
    print(f"      cached credential-process {cached['cached'] * 1000:.1f} ms, --version {cached['version'] * 1000:.1f} ms (medians of 40)")
    ok &= report("cached credential-process / --version", f"{ratio:.2f}x", "<= 1.5x", ratio <= 1.5)

    # The line a login writes now: `--settings NAME` reads the saved settings record first.
    subprocess.run([BROKER, "login", "aws", "--role-arn", ROLE, "--sts-endpoint", sts, "--token-file", token_file,
                    "--profile", "benchcp", "--mode", "credential-process"], env=env, cwd=root, check=True, capture_output=True)
    saved = [BROKER, "credential-process", "aws", "--settings", "benchcp", "--token-file", token_file]
    cached = median_seconds({"version": [BROKER, "--version"], "saved": saved}, runs=40, env=env, cwd=root)
    ratio = cached["saved"] / cached["version"]
    print(f"      cached credential-process --settings {cached['saved'] * 1000:.1f} ms, --version {cached['version'] * 1000:.1f} ms (medians of 40)")
    ok &= report("cached credential-process --settings / --version", f"{ratio:.2f}x", "<= 1.5x", ratio <= 1.5)
finally:
    moto.terminate()
    moto.wait(timeout=10)

sys.exit(0 if ok else 1)

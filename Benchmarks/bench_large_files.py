"""Issue 9 target: `broker login aws` into a credentials file holding 10,000 profiles (about
10 MB, session tokens included) within 1.5x of the same login into an empty file, both against
the same local STS server (moto) in one run. The INI edit is linear and runs under the lock."""
import os
import random
import shutil
import string
import subprocess
import sys

from benchlib import BROKER, broker_env, median_seconds, new_root, report, start_moto

ROLE = "arn:aws:iam::123456789012:role/bench"
PROFILES = 10_000
COPY = """import os, sys
path = sys.argv[1]
data = open(path, "rb").read()
fd = os.open(path + ".copy", os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
os.write(fd, data)
os.fsync(fd)
os.close(fd)
os.rename(path + ".copy", path + ".copied")
"""


def big_credentials(path):
    rng = random.Random(1)
    alphabet = string.ascii_letters + string.digits + "+/"
    with open(path, "w") as f:
        f.write("# many accounts\n")
        for n in range(PROFILES):
            token = "".join(rng.choice(alphabet) for _ in range(900))
            f.write(f"[account-{n}]\naws_access_key_id = ASIA{n:016d}\naws_secret_access_key = {token[:40]}\n"
                    f"aws_session_token = {token}\nx_security_token_expires = 2099-01-01T00:00:00Z\n\n")


root = new_root()
moto, sts = start_moto()
ok = True
try:
    envs = {}
    for name in ("empty", "large"):
        home = os.path.join(root, name)
        os.makedirs(home)
        env = broker_env(home)
        env.update({"AWS_CONFIG_FILE": os.path.join(home, "config"), "AWS_SHARED_CREDENTIALS_FILE": os.path.join(home, "credentials")})
        envs[name] = env
    big_credentials(envs["large"]["AWS_SHARED_CREDENTIALS_FILE"])
    size = os.path.getsize(envs["large"]["AWS_SHARED_CREDENTIALS_FILE"])
    token = subprocess.run([BROKER, "idp", "token", "--audience", "sts.amazonaws.com"], env=envs["empty"],
                           capture_output=True, text=True, check=True).stdout.strip()
    token_file = os.path.join(root, "token")
    with open(token_file, "w") as f:
        f.write(token)
    login = [BROKER, "login", "aws", "--role-arn", ROLE, "--sts-endpoint", sts, "--token-file", token_file, "--profile", "account-5000",
             "--overwrite"]

    # Interleaved runs; each command has its own environment, and so its own files.
    medians = median_seconds({"empty": login, "large": login}, runs=15, env=envs, cwd=root)
    empty, large = medians["empty"], medians["large"]
    ratio = large / empty
    print(f"      login into {PROFILES} profiles ({size / 1e6:.1f} MB) {large * 1000:.1f} ms, into an empty file {empty * 1000:.1f} ms (medians of 15)")
    # The floor any atomic rewrite pays: read the file, write a temp copy, fsync, rename.
    copy = median_seconds({"copy": [sys.executable, "-c", COPY, envs["large"]["AWS_SHARED_CREDENTIALS_FILE"]]},
                          runs=15, env=envs["large"], cwd=root)["copy"]
    bare = median_seconds({"bare": [sys.executable, "-c", "pass"]}, runs=15, env=envs["large"], cwd=root)["bare"]
    floor = (empty + copy - bare) / empty
    print(f"      I/O floor: read + write + fsync + rename of the file {max(copy - bare, 0) * 1000:.1f} ms, "
          f"so no atomic login can beat {floor:.2f}x here; broker's own work over the floor: {(large - empty - copy + bare) * 1000:.1f} ms")
    ok &= report("login aws into 10,000 profiles / into an empty file", f"{ratio:.2f}x", "<= 1.5x", ratio <= 1.5)
finally:
    moto.terminate()
    moto.wait(timeout=10)
    shutil.rmtree(root, ignore_errors=True)

sys.exit(0 if ok else 1)

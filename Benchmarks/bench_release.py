"""Issue 16 targets, in one run: the shipped binary (stripped, from the release tarball `make
release` wrote) starts `broker --version` within 10% of the unstripped build it came from, and
stripping makes it smaller. Prints both sizes and the dynamic dependencies.
"""
import glob
import os
import subprocess
import sys
import tarfile
import tempfile

sys.path.insert(0, os.path.dirname(__file__))
from benchlib import BROKER, median_seconds, new_root, report  # noqa: E402

tarballs = sorted(glob.glob(os.path.join(os.path.dirname(__file__), "..", "dist", "broker-*-linux-*.tar.gz")), key=os.path.getmtime)
if not tarballs:
    print("FAIL  no dist/broker-*.tar.gz: run 'make release' first")
    sys.exit(1)
root = new_root()
with tarfile.open(tarballs[-1]) as archive:
    archive.extractall(root, filter="data")
shipped = glob.glob(os.path.join(root, "broker-*", "bin", "broker"))[0]
env = {"PATH": "/usr/bin:/bin", "HOME": root}
built, stripped = os.path.getsize(BROKER), os.path.getsize(shipped)
print(f"      binary {built / 2**20:.1f} MiB as built, {stripped / 2**20:.1f} MiB stripped ({os.path.basename(tarballs[-1])})")
print("      needs: " + ", ".join(line.split()[0] for line in subprocess.run(["ldd", shipped], capture_output=True, text=True).stdout.splitlines()))
times = median_seconds({"built": [BROKER, "--version"], "shipped": [shipped, "--version"]}, runs=200, env=env, cwd=tempfile.gettempdir())
ratio = times["shipped"] / times["built"]
print(f"      --version: shipped {times['shipped'] * 1000:.2f} ms, as built {times['built'] * 1000:.2f} ms (medians of 200)")
ok = report("shipped --version / as built", f"{ratio:.2f}x", "<= 1.10x", ratio <= 1.10)
ok &= report("stripped size / as built", f"{stripped / built:.2f}", "< 1", stripped < built)
sys.exit(0 if ok else 1)

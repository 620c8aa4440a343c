"""The release tarball as a user gets it (`make release`): its layout and checksum, a stripped
binary that needs nothing of the Swift toolchain, running outside the build tree; its man pages
pass `mandoc -T lint`; its completion scripts offer the config's providers, recorded logins and
AWS profiles. `make test` builds the tarball first and names it in BROKER_RELEASE."""
import hashlib
import json
import os
import re
import shutil
import subprocess
import tarfile
from pathlib import Path

import pytest

from conftest import BROKER, REPO, free_port, wait_for_http

RELEASE = os.environ.get("BROKER_RELEASE", "")
# Every Debian and Ubuntu install has these (libc6, libstdc++6, libgcc-s1, zlib1g: priority
# "required", apt itself needs them); nothing else may be needed.
SYSTEM_LIBRARIES = {"linux-vdso.so.1", "libc.so.6", "libm.so.6", "libstdc++.so.6", "libgcc_s.so.1", "libz.so.1",
                    "ld-linux-x86-64.so.2", "ld-linux-aarch64.so.1"}


@pytest.fixture(scope="module")
def release(tmp_path_factory):
    assert RELEASE and os.path.exists(RELEASE), "BROKER_RELEASE names no tarball: run 'make release' (make test does it first)"
    root = tmp_path_factory.mktemp("unpacked")
    with tarfile.open(RELEASE) as archive:
        archive.extractall(root, filter="data")
    (top,) = root.iterdir()
    return top


def clean_env(home, **extra):
    """No Swift toolchain: PATH without it, no LD_LIBRARY_PATH into it."""
    path = ":".join(p for p in os.environ["PATH"].split(":") if not p.startswith("/opt/swift"))
    return {"PATH": path, "HOME": str(home), "BROKER_HOME": str(home / "broker-home"), "USER": "tester",
            "LD_LIBRARY_PATH": "/nonexistent", **extra}


def test_the_tarball_holds_what_a_release_ships_and_its_checksum_is_recorded(release):
    name = Path(RELEASE).name
    assert re.fullmatch(r"broker-\d+\.\d+\.\d+-linux-(x86_64|aarch64)\.tar\.gz", name)
    assert release.name == name[: -len(".tar.gz")]
    for path in ["bin/broker", "README.md", "LICENSE", "THIRD_PARTY_LICENSES", "share/man/man1/broker.1", "share/man/man1/broker.exec.1",
                 "share/bash-completion/completions/broker", "share/zsh/site-functions/_broker", "share/fish/vendor_completions.d/broker.fish"]:
        assert (release / path).is_file(), path
    assert "Apache License" in (release / "LICENSE").read_text()
    assert "swift-nio" in (release / "THIRD_PARTY_LICENSES").read_text()
    sums = (Path(RELEASE).parent / "SHA256SUMS").read_text()
    digest = hashlib.sha256(Path(RELEASE).read_bytes()).hexdigest()
    assert f"{digest}  {name}\n" in sums


def test_the_binary_is_stripped_and_needs_no_swift_library(release):
    binary = release / "bin" / "broker"
    sections = subprocess.run(["readelf", "-S", "-W", str(binary)], capture_output=True, text=True, check=True).stdout
    assert ".symtab" not in sections and ".debug_info" not in sections
    needed = {Path(line.split()[0]).name for line in subprocess.run(["ldd", str(binary)], capture_output=True, text=True, check=True).stdout.splitlines()}
    assert needed <= SYSTEM_LIBRARIES, needed - SYSTEM_LIBRARIES
    assert not any("swift" in name for name in needed)


def test_it_runs_outside_the_build_tree_with_the_toolchain_out_of_reach(release, tmp_path, moto):
    binary = tmp_path / "bin" / "broker"
    binary.parent.mkdir()
    shutil.copy2(release / "bin" / "broker", binary)
    home = tmp_path / "home"
    home.mkdir()
    env = clean_env(home, LD_DEBUG="libs")
    decoded = subprocess.run([str(binary), "idp", "token", "--audience", "sts.amazonaws.com", "--decode"], env=env, cwd=tmp_path,
                             capture_output=True, text=True)
    assert decoded.returncode == 0, decoded.stderr
    assert json.loads(decoded.stdout)["payload"]["aud"] == "sts.amazonaws.com"
    loaded = re.findall(r"calling init: (\S+)", decoded.stderr)
    assert loaded and not any("/opt/swift" in path or "swift" in Path(path).name for path in loaded), loaded

    env = clean_env(home, AWS_CONFIG_FILE=str(home / ".aws" / "config"), AWS_SHARED_CREDENTIALS_FILE=str(home / ".aws" / "credentials"))
    login = subprocess.run([str(binary), "login", "aws", "--role-arn", "arn:aws:iam::123456789012:role/deploy", "--sts-endpoint", moto,
                            "--region", "us-east-1"], env=env, cwd=tmp_path, capture_output=True, text=True)
    assert login.returncode == 0, login.stderr
    assert "aws_session_token" in (home / ".aws" / "credentials").read_text()


def test_version_names_the_commit_it_was_built_from_without_asking_git(release, tmp_path):
    result = subprocess.run([str(release / "bin" / "broker"), "--version"], env={"PATH": "/nonexistent"}, capture_output=True, text=True)
    match = re.fullmatch(r"(\d+\.\d+\.\d+) \(commit ([0-9a-f]{12}|unknown)(-dirty)?, built (\d{4}-\d{2}-\d{2})\)\n", result.stdout)
    assert match, result.stdout
    assert f"broker-{match.group(1)}-linux-" in Path(RELEASE).name
    head = subprocess.run(["git", "-C", str(REPO), "rev-parse", "HEAD"], capture_output=True, text=True)
    if head.returncode == 0:  # built from a clone: the commit is this one
        assert head.stdout.startswith(match.group(2))
    debug = subprocess.run([BROKER, "--version"], capture_output=True, text=True).stdout
    assert debug.split(" (")[0] == match.group(1)


def test_every_man_page_passes_mandoc_lint_without_warnings(release):
    pages = sorted((release / "share" / "man" / "man1").glob("*.1"))
    names = {page.name for page in pages}
    for command in ["login", "logout", "exec", "status", "refresh", "policy", "config", "doctor", "idp"]:
        assert f"broker.{command}.1" in names
    lint = subprocess.run(["mandoc", "-T", "lint", "-W", "warning", *map(str, pages)], capture_output=True, text=True)
    assert lint.returncode == 0 and lint.stdout == lint.stderr == "", lint.stdout + lint.stderr
    rendered = subprocess.run(["mandoc", "-T", "ascii", str(release / "share" / "man" / "man1" / "broker.exec.1")],
                              capture_output=True, text=True, check=True).stdout
    assert "nothing is written" in rendered and "--all" in rendered


# --- completions ----------------------------------------------------------------------------

COMPLETE = """
source "$1"
shift
COMP_WORDS=("$@"); COMP_CWORD=$(( ${#COMP_WORDS[@]} - 1 ))
COMP_LINE="${COMP_WORDS[*]}"; COMP_POINT=${#COMP_LINE}
COMPREPLY=()
_broker broker "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD-1]}"
printf '%s\\n' "${COMPREPLY[@]}"
"""


@pytest.fixture
def completion(release, tmp_path):
    home = tmp_path / "home"
    (home / ".aws").mkdir(parents=True)
    (home / ".aws" / "config").write_text("[default]\nregion = us-east-1\n[profile ci]\nregion = eu-west-1\n")
    (home / ".aws" / "credentials").write_text("[prod]\naws_access_key_id = x\n")
    workspace = tmp_path / "workspace"
    workspace.mkdir()
    (workspace / "broker.json").write_text(json.dumps({"version": 1, "providers": {
        "aws-prod": {"adapter": "aws-sts", "roleArn": "arn:aws:iam::123456789012:role/deploy", "profile": "prod"},
        "vault": {"adapter": "vault-jwt", "address": "http://127.0.0.1:8200", "role": "deploy"}}}))
    env = clean_env(home, PATH=f"{release / 'bin'}:/usr/bin:/bin")
    script = release / "share" / "bash-completion" / "completions" / "broker"

    def candidates(*words, cwd=workspace):
        result = subprocess.run(["bash", "-c", COMPLETE, "complete", str(script), "broker", *words], env=env, cwd=cwd,
                                capture_output=True, text=True, timeout=30)
        assert result.returncode == 0, result.stderr
        return set(result.stdout.split())

    candidates.env = env
    candidates.workspace = workspace
    return candidates


def test_bash_completes_provider_names_from_the_config(completion):
    assert {"aws-prod", "vault", "aws", "gcp", "azure"} <= completion("login", "")
    assert completion("login", "aws-") == {"aws-prod"}
    assert completion("exec", "") == {"aws-prod", "vault"}
    assert completion("doctor", "v") == {"vault"}
    assert "--min-remaining" in completion("login", "aws-prod", "--m")  # after a name: login NAME's options
    assert "aws-prod" not in completion("login", "", cwd=completion.workspace.parent)  # no config there: none offered


def test_bash_completes_aws_profiles_and_recorded_logins(completion, moto):
    assert completion("login", "aws", "--profile", "") == {"default", "ci", "prod"}
    assert completion("logout", "") == set()
    env = {**completion.env, "AWS_CONFIG_FILE": completion.env["HOME"] + "/.aws/config",
           "AWS_SHARED_CREDENTIALS_FILE": completion.env["HOME"] + "/.aws/credentials"}
    login = subprocess.run(["broker", "login", "aws", "--role-arn", "arn:aws:iam::123456789012:role/deploy", "--sts-endpoint", moto,
                            "--profile", "ci"], env=env, cwd=completion.env["HOME"], capture_output=True, text=True)
    assert login.returncode == 0, login.stderr
    assert completion("logout", "") == completion("refresh", "") == {"aws:ci"}


def test_zsh_and_fish_scripts_parse(release):
    share = release / "share"
    zsh = subprocess.run(["zsh", "-n", str(share / "zsh" / "site-functions" / "_broker")], capture_output=True, text=True)
    assert zsh.returncode == 0, zsh.stderr
    fish = subprocess.run(["fish", "--no-execute", str(share / "fish" / "vendor_completions.d" / "broker.fish")], capture_output=True, text=True)
    assert fish.returncode == 0, fish.stderr
    assert "---completion login providers" in (share / "zsh" / "site-functions" / "_broker").read_text().split("_broker_login()")[1].split("\n}\n")[0]


def test_make_install_puts_everything_where_the_system_looks(tmp_path):
    prefix = tmp_path / "prefix"
    result = subprocess.run(["make", "-s", "-C", str(REPO), "install", f"PREFIX={prefix}"], capture_output=True, text=True, timeout=900)
    assert result.returncode == 0, result.stdout + result.stderr
    binary = prefix / "bin" / "broker"
    assert os.access(binary, os.X_OK)
    assert ".symtab" not in subprocess.run(["readelf", "-S", "-W", str(binary)], capture_output=True, text=True, check=True).stdout
    for path in ["share/man/man1/broker.1", "share/man/man1/broker.login.1", "share/bash-completion/completions/broker",
                 "share/zsh/site-functions/_broker", "share/fish/vendor_completions.d/broker.fish"]:
        assert (prefix / path).is_file(), path
    # man finds the page through the prefix's man directory, as it would under /usr/local.
    page = subprocess.run(["mandoc", "-T", "ascii", str(prefix / "share/man/man1/broker.1")], capture_output=True, text=True, check=True).stdout
    assert "broker" in page and "login" in page

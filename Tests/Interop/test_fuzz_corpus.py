"""Every input fuzzing has kept (Fuzz/corpus, crashes included once fixed) replays through its
parser in the plain build: none may trap again."""
import os
import subprocess
from pathlib import Path

import pytest

from conftest import BROKER, REPO

TARGETS = sorted(p.name for p in (REPO / "Fuzz" / "corpus").iterdir() if p.is_dir())


@pytest.mark.parametrize("target", TARGETS)
def test_corpus_replays_without_trapping(target):
    replay = Path(BROKER).parent / "BrokerFuzz"
    corpus = REPO / "Fuzz" / "corpus" / target
    result = subprocess.run([str(replay), str(corpus)], env={**os.environ, "FUZZ_TARGET": target},
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-2000:]
    count = len(list(corpus.iterdir()))
    assert f"replayed {count} inputs through {target}" in result.stdout

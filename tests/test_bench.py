"""Every bench runs in its quick mode, so a change that breaks one is caught here.

Only that each finishes and prints its table is checked: timings are never asserted.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parent.parent / "bench"
HELPERS = {"common.py", "minimal_app.py"}
# Need CoNLL-2003, which may not be redistributed: its article splitter is tested below.
NEEDS_DATA = {"train_conll.py", "uncertain_first.py"}
BENCHES = sorted(p.name for p in BENCH.glob("*.py") if p.name not in HELPERS | NEEDS_DATA)


def test_every_bench_is_listed() -> None:
    assert BENCHES == [
        "corpus.py",
        "dask_suggest.py",
        "keys.py",
        "long.py",
        "startup.py",
        "suggest.py",
        "team.py",
    ]


@pytest.mark.parametrize("script", BENCHES)
def test_bench_runs_quick(script: str, tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, str(BENCH / script), "--quick"],
        capture_output=True,
        text=True,
        timeout=600,
        cwd=tmp_path,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert "| what | newsmark | reference | result | target | met |" in done.stdout
    assert "nan" not in done.stdout


def test_conll_bench_splits_articles_at_docstart_or_datelines() -> None:
    sys.path.insert(0, str(BENCH))
    try:
        from train_conll import documents
    finally:
        sys.path.remove(str(BENCH))
    plain = (
        "SOCCER O\n- O\nWIN O\n\nROME B-LOC\n1996-12-06 O\n\nItaly B-LOC\nwon O\n\n"
        "RUGBY B-ORG\n\nPARIS B-LOC\n1996-12-07 O\n\nFrance B-LOC\nlost O\n"
    )
    docs = list(documents(plain))
    assert [[s[0].split()[0] for s in d] for d in docs] == [
        ["SOCCER", "ROME", "Italy"],
        ["RUGBY", "PARIS", "France"],
    ]
    marked = "-DOCSTART- -X- -X- O\n\nA O\n\nB O\n\n-DOCSTART- -X- -X- O\n\nC O\n"
    assert [len(d) for d in documents(marked)] == [2, 1]

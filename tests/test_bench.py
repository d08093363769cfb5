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
BENCHES = sorted(p.name for p in BENCH.glob("*.py") if p.name not in HELPERS)


def test_every_bench_is_listed() -> None:
    assert BENCHES == [
        "corpus.py",
        "dask_suggest.py",
        "keys.py",
        "long.py",
        "startup.py",
        "suggest.py",
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

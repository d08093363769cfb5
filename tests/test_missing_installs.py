"""A missing Chromium or Dask never passes unnoticed: a failure with what to install in CI, a
loud skip on a workstation, and the Makefile's chromium step fails in CI too.

Absence is real, not pretended: an empty PATH has no chromium, and a ``distributed`` package
that fails to import shadows the installed one.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT

CHROMIUM_LINE = (
    "Chromium is not installed, so the browser test of newsmark serve cannot run; "
    "install it with: apt-get install chromium (Debian)"
)
DASK_LINE = (
    "Dask distributed is not installed, so the cluster tests cannot run; "
    "install it with: pip install -e '.[dev]'"
)
TESTS = [
    "tests/test_serve.py::test_browser_shows_the_article",
    "tests/test_dask.py::test_a_killed_worker_loses_nothing_and_writes_each_file_once",
    "tests/test_dask.py::test_no_scheduler_at_the_address_is_one_sentence",
    "tests/test_dask.py::test_parse_scheduler",  # needs no cluster: it still runs
]


def without_installs(tmp_path: Path, ci: str | None) -> dict[str, str]:
    shadow = tmp_path / "shadow" / "distributed"
    shadow.mkdir(parents=True)
    (shadow / "__init__.py").write_text("raise ModuleNotFoundError('distributed')\n", "utf-8")
    (tmp_path / "empty").mkdir()
    env = {k: v for k, v in os.environ.items() if k not in {"CI", "PYTHONPATH"}}
    env["PATH"] = str(tmp_path / "empty")
    env["PYTHONPATH"] = str(tmp_path / "shadow")
    if ci is not None:
        env["CI"] = ci
    return env


def run_pytest(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    argv = [sys.executable, "-m", "pytest", "-p", "no:randomly", "-p", "no:cacheprovider"]
    return subprocess.run(
        [*argv, *TESTS], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
    )


def test_in_ci_missing_installs_fail_the_run_saying_what_to_install(tmp_path: Path) -> None:
    run = run_pytest(without_installs(tmp_path, ci="true"))
    out = run.stdout
    assert run.returncode == 1, out + run.stderr
    assert "3 errors" in out and "1 passed" in out and "skipped" not in out, out
    assert f"1 FAILED (CI is set): {CHROMIUM_LINE}" in out
    assert f"2 FAILED (CI is set): {DASK_LINE}" in out
    assert "Traceback" not in out


def test_locally_missing_installs_are_skips_said_loudly(tmp_path: Path) -> None:
    run = run_pytest(without_installs(tmp_path, ci=None))
    out = run.stdout
    assert run.returncode == 0, out + run.stderr
    assert "3 skipped" in out and "1 passed" in out, out
    assert "tests that did not run: missing installs" in out
    assert f"1 SKIPPED (with CI=true they fail): {CHROMIUM_LINE}" in out
    assert f"2 SKIPPED (with CI=true they fail): {DASK_LINE}" in out


def make_chromium(tmp_path: Path, ci: str | None) -> subprocess.CompletedProcess[str]:
    """``make chromium`` on a PATH without chromium, told not to install it."""
    make = shutil.which("make")
    assert make is not None, "make is needed to run the suite as documented (make test)"
    env = {k: v for k, v in os.environ.items() if k != "CI"}
    env["PATH"] = str(tmp_path)
    env["NO_CHROMIUM_INSTALL"] = "1"
    if ci is not None:
        env["CI"] = ci
    return subprocess.run(
        [make, "-s", "chromium"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )


def test_make_chromium_fails_in_ci_when_chromium_is_missing(tmp_path: Path) -> None:
    run = make_chromium(tmp_path, ci="true")
    assert run.returncode != 0
    assert run.stderr.splitlines()[0] == (
        "chromium is not installed and CI is set: install it (Debian: apt-get install "
        "chromium), or the browser test of newsmark serve fails."
    )


def test_make_chromium_only_warns_locally(tmp_path: Path) -> None:
    run = make_chromium(tmp_path, ci=None)
    assert run.returncode == 0, run.stderr
    assert "the browser test of newsmark serve will be skipped" in run.stdout


@pytest.mark.parametrize("ci", ["false", "0", ""])
def test_ci_switched_off_is_not_ci(tmp_path: Path, ci: str) -> None:
    assert make_chromium(tmp_path, ci=ci).returncode == 0

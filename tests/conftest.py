"""Shared fixtures: a copy of the seed corpus and spaCy pipelines loaded once per session;
what a test does when something it needs is not installed."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import NoReturn

import pytest
from hypothesis import HealthCheck, settings

from tui.core.ner import Pipeline

# Properties are about results, not speed (bench/ measures speed): on a busy machine a slow
# example must not fail a run, so no deadline and no health check on generation speed.
settings.register_profile("newsmark", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("newsmark")

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "articles"
SEED_IDS = sorted(p.name for p in SEEDS.glob("*.txt"))

# Fixed patterns so UI tests get deterministic, instant "model" suggestions.
RULER_PATTERNS = [
    {"label": "ORG", "pattern": "Shafaq News"},
    {"label": "GPE", "pattern": "China"},
    {"label": "GPE", "pattern": "Iran"},
    {"label": "NORP", "pattern": "Pezeshkian"},
    {"label": "PERSON", "pattern": "Wang Yi"},
    {"label": "PERSON", "pattern": "Xi Jinping"},
    {"label": "ORG", "pattern": "Xinhua"},
]


@pytest.fixture(scope="session")
def real_pipeline() -> Pipeline:
    """The real small English model, NER path only; loaded once for the whole run."""
    from tui.core import ner

    return ner.load()


def make_ruler_pipeline() -> Pipeline:
    import spacy

    nlp = spacy.blank("en")
    ruler = nlp.add_pipe("entity_ruler")
    ruler.add_patterns(RULER_PATTERNS)  # type: ignore[attr-defined]
    return Pipeline(nlp, "blank_en_ruler 0.0.0")


@pytest.fixture(scope="session")
def ruler_pipeline() -> Pipeline:
    """A blank English pipeline with an entity_ruler: fast, deterministic stand-in model."""
    return make_ruler_pipeline()


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A temp folder holding ``articles/`` (the seeds) and an empty ``annotations/``; cwd."""
    shutil.copytree(SEEDS, tmp_path / "articles")
    (tmp_path / "annotations").mkdir()
    monkeypatch.chdir(tmp_path)
    yield tmp_path


MISSING = "; install it with: "
"""Every missing-install message holds this, so the summary can find them."""


def in_ci() -> bool:
    """``CI`` set to anything but empty, 0, false or no, as CI services set it."""
    return os.environ.get("CI", "").strip().lower() not in {"", "0", "false", "no"}


def needs_install(what: str, needed_by: str, install: str) -> NoReturn:
    """A test that cannot run without ``what``: a skip on a workstation, a failure in CI,
    where a quiet skip would let a green run hide that those tests never ran."""
    line = f"{what} is not installed, so {needed_by} cannot run{MISSING}{install}"
    if in_ci():
        pytest.fail(line, pytrace=False)
    pytest.skip(line)


@pytest.fixture
def chromium() -> str:
    """The browser on PATH; looked up per test, so a test can take it away."""
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found is None:
        needs_install(
            "Chromium", "the browser test of newsmark serve", "apt-get install chromium (Debian)"
        )
    return found


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """Say loudly, once per missing install, how many tests it kept from running."""
    counts: dict[str, int] = {}
    for kind in ("skipped", "failed", "error"):
        for report in terminalreporter.stats.get(kind, []):
            longrepr = getattr(report, "longrepr", None)
            text = longrepr[2] if isinstance(longrepr, tuple) else str(longrepr or "")
            for line in text.splitlines():
                if MISSING in line:
                    reason = line.removeprefix("Skipped: ").removeprefix("Failed: ")
                    counts[reason] = counts.get(reason, 0) + 1
    if not counts:
        return
    outcome = "FAILED (CI is set)" if in_ci() else "SKIPPED (with CI=true they fail)"
    terminalreporter.section("tests that did not run: missing installs", sep="!", bold=True)
    for reason, count in counts.items():
        terminalreporter.line(f"{count} {outcome}: {reason}", red=True, bold=True)

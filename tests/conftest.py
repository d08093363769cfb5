"""Shared fixtures: a copy of the seed corpus and spaCy pipelines loaded once per session."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from tui.core.ner import Pipeline

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

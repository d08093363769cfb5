"""``newsmark stats``: counts that match the files on disk, shown as tables with bars."""

from __future__ import annotations

import tomllib
from collections import Counter
from pathlib import Path

import pytest

from tests.conftest import SEED_IDS
from tui.cli import main
from tui.core import store
from tui.core.article import read_article
from tui.core.edits import Status
from tui.core.spans import Entity
from tui.core.stats import NO_ANNOTATION, collect


@pytest.fixture
def corpus(workdir: Path) -> Path:
    """Seeds plus two articles: one accepted, one in progress, one unreviewed, one bare."""
    (workdir / "articles" / "world").mkdir()
    (workdir / "articles" / "world" / "bare.txt").write_text("Nothing yet.\n", "utf-8")
    (workdir / "articles" / "short.txt").write_text("Wang Yi met Xi Jinping.\n", "utf-8")
    plan: dict[str, tuple[Status, list[Entity]]] = {
        SEED_IDS[0]: ("accepted", [Entity(0, 11, "ORG"), Entity(13, 18, "GPE", "model")]),
        SEED_IDS[1]: ("in_progress", [Entity(1, 5, "GPE", "model")]),
        "short.txt": ("unreviewed", [Entity(0, 7, "PERSON", "model"), Entity(12, 22, "PERSON")]),
    }
    for aid, (status, entities) in plan.items():
        article = read_article(workdir / "articles", aid)
        annotation = store.Annotation(aid, article.sha256, status, tuple(entities))
        store.save(store.annotation_path(workdir / "annotations", aid), annotation, article.text)
    return workdir


def rows(out: str) -> dict[str, list[str]]:
    """Table rows by their first cell (``│ name │ count │ % │ bar │``)."""
    found = {}
    for line in out.splitlines():
        parts = line.split("│")
        if len(parts) == 6 and parts[1].strip():
            cells = [c.strip() for c in parts[1:5]]
            found[cells[0]] = cells
    return found


def test_counts_match_the_files(corpus: Path) -> None:
    stats = collect(Path("articles"), Path("annotations"))
    docs = [tomllib.loads(p.read_text("utf-8")) for p in Path("annotations").rglob("*.toml")]
    entities = [e for d in docs for e in d["entities"]]
    assert stats.articles == 4
    assert dict(stats.status_rows()) == {
        "unreviewed": 1,
        "in_progress": 1,
        "accepted": 1,
        "rejected": 0,
        "skipped": 0,
        NO_ANNOTATION: 1,
    }
    assert Counter(dict(stats.label_rows())) == Counter(e["label"] for e in entities)
    assert stats.source_rows() == [("model", 3), ("user", 2)]


def test_tables_with_bars(corpus: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["stats"]) == 0
    out = capsys.readouterr().out
    for title in ("Articles by status", "Entities by label", "Entities by source"):
        assert title in out
    table = rows(out)
    assert table["accepted"][1:3] == ["1", "25.0"]
    assert table[NO_ANNOTATION][1:3] == ["1", "25.0"]
    assert table["rejected"][1:] == ["0", "0.0", ""]
    assert table["GPE"][1] == "2" and table["ORG"][1] == "1"
    assert table["model"][1:3] == ["3", "60.0"] and table["user"][1:3] == ["2", "40.0"]
    # The biggest row has the full bar; the others are shorter, on the same scale.
    assert table["model"][3] == "█" * 30
    assert 0 < len(table["user"][3]) < 30


def test_labels_are_ordered_by_count(corpus: Path) -> None:
    labels = collect(Path("articles"), Path("annotations")).label_rows()
    assert labels == [("GPE", 2), ("PERSON", 2), ("ORG", 1)]


def test_no_annotations_yet(workdir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["stats"]) == 0
    table = rows(capsys.readouterr().out)
    assert table[NO_ANNOTATION][1:3] == [str(len(SEED_IDS)), "100.0"]
    assert table["model"][1] == "0" and table["user"][1] == "0"


def test_a_non_utf8_article_is_named_not_counted_as_waiting(
    workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (workdir / "articles" / "latin2.txt").write_bytes("dziesiątej\n".encode("iso-8859-2"))
    assert main(["stats"]) == 1
    out, err = capsys.readouterr()
    table = rows(out)
    assert table[NO_ANNOTATION][1] == str(len(SEED_IDS))
    assert table["unusable article"][1] == "1"
    assert "latin2.txt: is not UTF-8 text" in err and "counted as an unusable article" in err


def test_one_orphan_is_one_file(workdir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (workdir / "annotations" / "gone.toml").write_text("schema = 1\n", "utf-8")
    main(["stats"])
    assert "1 annotation file has no article any more and was not counted" in (
        capsys.readouterr().err
    )

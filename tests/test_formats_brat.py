"""``import --format brat``: a folder of .txt and .ann, and the round trip of our own export."""

from __future__ import annotations

from pathlib import Path

import pytest
from test_export_corpus import SPECS, make_corpus, run_export, selected
from test_formats_prodigy import loaded

from tui.cli import main
from tui.core import store
from tui.core.article import read_article

DATA = Path(__file__).parent / "data" / "formats" / "brat"


def run(root: Path, folder: Path, *args: str) -> int:
    return main(
        [
            "import",
            str(folder),
            "--articles",
            str(root / "articles"),
            "--annotations",
            str(root / "annotations"),
            "--format",
            "brat",
            *args,
        ]
    )


def test_text_bound_annotations_in_the_rest_reported(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(tmp_path, DATA, "--labels", "PER=PERSON,LOC=GPE") == 1
    err = capsys.readouterr().err
    ann1, ann2 = DATA / "news1.ann", DATA / "sub" / "news2.ann"
    for reason in ("relation", "event", "attribute", "normalisation", "note"):
        assert f"1 record(s) skipped: a brat {reason} (newsmark keeps entities only)" in err
    assert "1 record(s) skipped: a discontinuous brat span (0 5;6 11)" in err
    assert f"{ann2}:3: offsets 20 30 are outside the text (0..28)" in err
    assert f"{ann2}:4: 20..25 overlaps line 2 (20..26)" in err
    assert f"{DATA / 'news3.txt'}: no news3.ann beside it" in err
    assert str(ann1) + ":" not in err.replace("skipped", "")
    names = {
        p.relative_to(tmp_path / "articles").as_posix()
        for p in (tmp_path / "articles").rglob("*.txt")
    }
    assert names == {"news1.txt", "sub/news2.txt", "news3.txt"}
    found = loaded(tmp_path)
    text1 = (DATA / "news1.txt").read_text("utf-8")
    assert [(e.text(text1), e.label) for e in found[text1].entities] == [
        ("Maria Lopez", "PERSON"),
        ("Northwind Bank", "ORG"),
        ("Lisbon", "GPE"),
        ("Northwind\nBank", "ORG"),  # fragments split only at a line break are one entity
    ]
    text2 = (DATA / "sub" / "news2.txt").read_text("utf-8")
    assert [(e.text(text2), e.label) for e in found[text2].entities] == [
        ("Kofi Mensah", "PERSON"),
        ("Geneva", "GPE"),
    ]


def test_round_trip_through_toml(tmp_path: Path) -> None:
    """TOML -> brat -> TOML: the same article ids, texts, entities and labels."""
    make_corpus(tmp_path / "a")
    out = tmp_path / "brat"
    assert run_export(tmp_path / "a", "brat", out) == 0
    assert run(tmp_path / "b", out, "--status", "accepted") == 0
    for spec in selected(SPECS, {"accepted"}):
        a = store.load(
            store.annotation_path(tmp_path / "a" / "annotations", spec.article),
            read_article(tmp_path / "a" / "articles", spec.article),
        ).annotation
        b_article = read_article(tmp_path / "b" / "articles", spec.article)
        b = store.load(
            store.annotation_path(tmp_path / "b" / "annotations", spec.article), b_article
        ).annotation
        assert b_article.text == read_article(tmp_path / "a" / "articles", spec.article).text
        assert [(e.start, e.end, e.label) for e in b.entities] == [
            (e.start, e.end, e.label.replace(" ", "_")) for e in a.entities
        ]
        assert b.status == "accepted"

"""``import --format spacy``: DocBin files back into articles, and the round trip of our export."""

from __future__ import annotations

from pathlib import Path

import pytest
import spacy
from spacy.tokens import Doc, DocBin, Span
from test_export_corpus import make_corpus
from test_formats_prodigy import loaded

from tui.cli import main
from tui.core.formats import spacy as spacy_format
from tui.core.formats.select import collect, parse_statuses


def run(root: Path, path: Path, *args: str) -> int:
    return main(
        [
            "import",
            str(path),
            "--articles",
            str(root / "articles"),
            "--annotations",
            str(root / "annotations"),
            "--format",
            "spacy",
            *args,
        ]
    )


def test_round_trip_through_toml(tmp_path: Path) -> None:
    """TOML -> DocBin -> TOML: exact texts and entities; complete docs come back accepted."""
    make_corpus(tmp_path / "a")
    selection = collect(
        tmp_path / "a" / "articles",
        tmp_path / "a" / "annotations",
        parse_statuses("accepted,in_progress"),
    )
    written = spacy_format.Written()
    data = spacy_format.docbin_bytes(spacy.blank("en"), selection.items, written, "train")
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "train.spacy").write_bytes(data)
    assert run(tmp_path / "b", tmp_path / "out") == 0
    found = loaded(tmp_path / "b")
    assert len(found) == len(selection.items)
    for item in selection.items:
        annotation = found[item.text]
        assert [(e.start, e.end, e.label) for e in annotation.entities] == [
            (e.start, e.end, e.label) for e in item.entities
        ]
        assert annotation.status == item.status


def test_docs_made_elsewhere_and_a_broken_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    nlp = spacy.blank("en")
    doc = Doc(
        nlp.vocab,
        words=["Kofi", "Mensah", "visited", "Accra", "."],
        spaces=[True, True, True, False, False],
    )
    doc.ents = [Span(doc, 0, 2, "PER"), Span(doc, 3, 4, "LOC")]
    good = tmp_path / "good.spacy"
    DocBin(docs=[doc]).to_disk(good)
    broken = tmp_path / "broken.spacy"
    broken.write_bytes(b"not a docbin")
    assert run(tmp_path / "ws", good, "--labels", "PER=PERSON,LOC=GPE") == 0
    (annotation,) = loaded(tmp_path / "ws").values()
    assert [(e.text(doc.text), e.label) for e in annotation.entities] == [
        ("Kofi Mensah", "PERSON"),
        ("Accra", "GPE"),
    ]
    assert annotation.status == "accepted"  # doc.ents set: every other token is O
    assert run(tmp_path / "ws", broken) == 1
    err = capsys.readouterr().err
    assert err.startswith(f"newsmark: {broken}: is not a spaCy DocBin") and err.count("\n") == 1

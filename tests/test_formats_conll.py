"""``import --format conll``: CoNLL-2003 and two-column IOB1/IOB2/IOBES, and the round trip."""

from __future__ import annotations

from pathlib import Path

import pytest
from test_export_corpus import SPECS, make_corpus, run_export, selected
from test_formats_prodigy import loaded
from test_import import run_import

from tui.core.store import Annotation

DATA = Path(__file__).parent / "data" / "formats"


def run(root: Path, file: Path, *args: str) -> int:
    return run_import(root, file, "conll", *args)


def pairs(annotation: Annotation, text: str) -> list[tuple[str, str]]:
    return [(e.text(text), e.label) for e in annotation.entities]


def test_conll2003_four_columns_documents_and_a_label_map(tmp_path: Path) -> None:
    assert run(tmp_path, DATA / "conll2003.txt", "--labels", "PER=PERSON,LOC=GPE") == 0
    found = loaded(tmp_path)
    first = "Maria Lopez joined Northwind Bank in Lisbon .\nShe met Kofi Mensah ."
    second = "Shares of Contoso fell in Frankfurt ."
    assert set(found) == {first, second}
    assert pairs(found[first], first) == [
        ("Maria Lopez", "PERSON"),
        ("Northwind Bank", "ORG"),
        ("Lisbon", "GPE"),
        ("Kofi Mensah", "PERSON"),
    ]
    assert pairs(found[second], second) == [("Contoso", "ORG"), ("Frankfurt", "GPE")]
    assert {a.status for a in found.values()} == {"in_progress"}


def test_iobes_two_columns_without_docstart_is_one_document(tmp_path: Path) -> None:
    assert run(tmp_path, DATA / "iobes.conll", "--status", "accepted") == 0
    ((text, annotation),) = loaded(tmp_path).items()
    assert annotation.status == "accepted"
    assert pairs(annotation, text) == [
        ("Kofi Mensah", "PER"),
        ("Geneva", "LOC"),
        ("World Health Organization", "ORG"),
    ]


IOBES_WITHOUT_E = """\
Kofi\tB-PER
Mensah\tI-PER
met\tO
World\tB-ORG
Health\tI-ORG
Organization\tI-ORG
Ama\tB-PER
Owusu\tE-PER
and\tO
Ghana\tB-GPE
Kwame\tS-PER
in\tO
Accra\tB-GPE
City\tI-GPE
Hall\tI-FAC

Council\tI-ORG
sat\tO
in\tO
Kumasi\tB-GPE
"""


def test_an_iobes_entity_without_its_E_close_ends_at_its_last_tag(tmp_path: Path) -> None:
    """A missing E- is a slip of the tool that wrote the file, not a reason to lose the
    entity or let it run on: it ends at its last tag, before an O, a B- or S-, another
    label, a sentence break or the end of the document."""
    file = tmp_path / "slips.conll"
    file.write_text(IOBES_WITHOUT_E, "utf-8")
    assert run(tmp_path, file) == 0
    ((text, annotation),) = loaded(tmp_path).items()
    assert text.split("\n") == [
        "Kofi Mensah met World Health Organization Ama Owusu and Ghana Kwame in Accra City Hall",
        "Council sat in Kumasi",
    ]
    assert pairs(annotation, text) == [
        ("Kofi Mensah", "PER"),  # before an O
        ("World Health Organization", "ORG"),  # before the B- of the next
        ("Ama Owusu", "PER"),
        ("Ghana", "GPE"),  # a B- alone, before an S-
        ("Kwame", "PER"),
        ("Accra City", "GPE"),  # before an I- of another label
        ("Hall", "FAC"),
        ("Council", "ORG"),  # a sentence break ends the one before; an I- starts this one
        ("Kumasi", "GPE"),  # the end of the document
    ]


def test_iob1_and_a_bad_tag_refuses_only_its_document(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    file = DATA / "iob1.conll"
    assert run(tmp_path, file) == 1
    err = capsys.readouterr().err
    assert f"{file}:11: tag 'X-LOC' in the last column" in err
    found = loaded(tmp_path)
    assert set(found) == {"Accra and Lome Lagos .", "UN said"}
    text = "Accra and Lome Lagos ."
    assert pairs(found[text], text) == [("Accra", "LOC"), ("Lome", "LOC"), ("Lagos", "LOC")]


def test_bad_label_map_is_a_usage_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(tmp_path, DATA / "iobes.conll", "--labels", "PER") == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "should be OLD=NEW" in err


def test_round_trip_through_toml(tmp_path: Path) -> None:
    """TOML -> CoNLL -> TOML keeps every entity; a second export is the same file."""
    make_corpus(tmp_path / "a")
    first = tmp_path / "first.conll"
    assert run_export(tmp_path / "a", "conll", first) == 0
    assert run(tmp_path / "b", first, "--status", "accepted") == 0
    imported = loaded(tmp_path / "b")
    expected = sorted(
        [(" ".join(surface.split()), label) for surface, label in spec.entities]
        for spec in selected(SPECS, {"accepted"})
    )
    got = sorted(
        [(" ".join(e.text(text).split()), e.label) for e in ann.entities]
        for text, ann in imported.items()
    )
    assert got == expected
    second = tmp_path / "second.conll"
    assert run_export(tmp_path / "b", "conll", second) == 0
    documents = sorted(first.read_text("utf-8").split("-DOCSTART-"))
    assert sorted(second.read_text("utf-8").split("-DOCSTART-")) == documents

"""The TOML store: exact shape, validation with the field at fault, re-anchoring, atomicity."""

from __future__ import annotations

import tomllib
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tui.core import store
from tui.core.article import Article, sha256_bytes
from tui.core.spans import Entity
from tui.core.store import Annotation, StoreError

TEXT = "Shafaq News/ China expressed support for Iran.\r\n😀 中国 café\u0301 Iran"


def article(text: str = TEXT, aid: str = "000_a.txt") -> Article:
    return Article(aid, Path(aid), text, sha256_bytes(text.encode()))


def annotation(art: Article, *entities: Entity, **kw: object) -> Annotation:
    return Annotation(
        art.id,
        art.sha256,
        "in_progress",
        tuple(entities),
        model="m 1",
        updated=datetime(2026, 11, 22, 10, 15, tzinfo=UTC),
        **kw,  # type: ignore[arg-type]
    )


def span(text: str, needle: str, label: str, source: str = "user", nth: int = 0) -> Entity:
    i = -1
    for _ in range(nth + 1):
        i = text.index(needle, i + 1)
    return Entity(i, i + len(needle), label, source)  # type: ignore[arg-type]


def test_written_shape_matches_the_documented_schema(tmp_path: Path) -> None:
    art = article()
    path = tmp_path / "000_a.toml"
    store.save(
        path, annotation(art, span(TEXT, "China", "GPE"), span(TEXT, "Shafaq News", "ORG")), TEXT
    )
    doc = tomllib.loads(path.read_text("utf-8"))
    assert list(doc) == ["schema", "article", "sha256", "status", "model", "updated", "entities"]
    assert doc["schema"] == 1
    assert doc["updated"] == datetime(2026, 11, 22, 10, 15, tzinfo=UTC)
    assert doc["entities"][0] == {
        "start": 0,
        "end": 11,
        "label": "ORG",
        "text": "Shafaq News",
        "source": "user",
    }
    assert [e["start"] for e in doc["entities"]] == [0, 13]


def test_annotation_path_mirrors_subfolders(tmp_path: Path) -> None:
    assert store.annotation_path(tmp_path, "a/b/c.txt") == tmp_path / "a" / "b" / "c.toml"


def test_load_round_trip(tmp_path: Path) -> None:
    art = article()
    ann = annotation(art, span(TEXT, "😀", "X"), span(TEXT, "café\u0301", "LOC"), annotator="kim")
    path = tmp_path / "a.toml"
    store.save(path, ann, TEXT)
    assert store.load(path, art).annotation == ann


BAD = [
    ("schema = 2", "schema"),
    ('status = "done"', "status"),
    ('sha256 = "xyz"', "sha256"),
    ("start = 0.5", "entities[0].start"),
    ('label = ""', "entities[0].label"),
    ('text = "Shafaq"', "entities[0].text"),
    ('source = "robot"', "entities[0].source"),
    ("colour = 1", "colour"),
]


@pytest.mark.parametrize(("replacement", "field"), BAD)
def test_bad_fields_are_reported_with_path_and_field(
    tmp_path: Path, replacement: str, field: str
) -> None:
    art = article()
    path = tmp_path / "a.toml"
    store.save(path, annotation(art, span(TEXT, "Shafaq News", "ORG")), TEXT)
    key = replacement.split(" = ")[0]
    lines = path.read_text("utf-8").splitlines()
    replaced = [replacement if line.startswith(key + " =") else line for line in lines]
    if replaced == lines:
        replaced.insert(0, replacement)
    path.write_text("\n".join(replaced) + "\n", "utf-8")
    before = path.read_bytes()
    with pytest.raises(StoreError) as info:
        store.load(path, art)
    assert info.value.field == field
    assert str(path) in str(info.value)
    assert path.read_bytes() == before


def test_offsets_out_of_range_and_overlaps_are_rejected(tmp_path: Path) -> None:
    art = article()
    path = tmp_path / "a.toml"
    doc = store.dumps(annotation(art, span(TEXT, "Shafaq News", "ORG")), TEXT)
    path.write_text(doc.replace("end = 11", "end = 999"), "utf-8")
    with pytest.raises(StoreError, match="outside the article"):
        store.load(path, art)
    two = annotation(art, span(TEXT, "Shafaq News", "ORG"))
    text = store.dumps(two, TEXT)
    extra = (
        '[[entities]]\nstart = 7\nend = 18\nlabel = "GPE"\ntext = "News/ China"\nsource = "user"\n'
    )
    path.write_text(text + "\n" + extra, "utf-8")
    with pytest.raises(StoreError, match="overlaps"):
        store.load(path, art)


def test_not_toml_and_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "a.toml"
    path.write_text("schema = ", "utf-8")
    with pytest.raises(StoreError, match="not valid TOML"):
        store.load(path, article())
    path.write_bytes(b"\xff\xfe")
    with pytest.raises(StoreError, match="not UTF-8"):
        store.load(path, article())


def test_changed_article_reanchors_by_text_and_keeps_what_it_cannot_place(tmp_path: Path) -> None:
    old = article()
    iran2 = span(TEXT, "Iran", "GPE", nth=1)
    ann = annotation(old, span(TEXT, "Shafaq News", "ORG"), span(TEXT, "China", "GPE"), iran2)
    path = tmp_path / "a.toml"
    store.save(path, ann, TEXT)
    new_text = "Breaking: " + TEXT.replace("China", "Beijing")
    loaded = store.load(path, article(new_text))
    assert loaded.stale
    assert [(e.text(new_text), e.label) for e in loaded.annotation.entities] == [
        ("Shafaq News", "ORG"),
        ("Iran", "GPE"),
    ]
    # The second "Iran" stays the second one: nearest occurrence to its old offset.
    assert loaded.annotation.entities[1].start == new_text.rindex("Iran")
    assert [u.text for u in loaded.lost] == ["China"]
    assert loaded.annotation.sha256 == article(new_text).sha256
    # Saving keeps the unplaced span; restoring the text brings it back.
    store.save(path, loaded.annotation, new_text)
    again = store.load(path, article(TEXT))
    assert sorted(e.text(TEXT) for e in again.annotation.entities) == [
        "China",
        "Iran",
        "Shafaq News",
    ]
    assert again.annotation.unanchored == ()


def test_failed_save_leaves_previous_file_and_no_temp(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import errno
    import os

    art = article()
    path = tmp_path / "a.toml"
    store.save(path, annotation(art), TEXT)
    before = path.read_bytes()

    def full(fd: int, data: object) -> int:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "write", full)
    with pytest.raises(OSError):
        store.save(path, annotation(art, span(TEXT, "Iran", "GPE")), TEXT)
    monkeypatch.undo()
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["a.toml"]


def test_iter_files_ignores_temp_files(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "x.toml").write_text("")
    (tmp_path / ".x.toml.123.tmp").write_text("")
    assert [p.name for p in store.iter_files(tmp_path)] == ["x.toml"]
    assert store.article_id_for(tmp_path, tmp_path / "sub" / "x.toml") == "sub/x.txt"


# -- property: the round trip is exact ------------------------------------------------------

CHARS = st.sampled_from(list('ab "\\\n\r\t\x01\x1b[]😀中é\u0301\u202e'))


@st.composite
def annotated_texts(draw: st.DrawFn) -> tuple[str, Annotation]:
    text = draw(st.text(CHARS, min_size=1, max_size=60))
    cuts = sorted(set(draw(st.lists(st.integers(0, len(text)), max_size=10))))
    entities = []
    for a, b in zip(cuts[::2], cuts[1::2], strict=False):
        seg = text[a:b]
        if seg and not seg[0].isspace() and not seg[-1].isspace():
            label = draw(st.text(st.sampled_from(list('AZ_"\\é\n')), min_size=1, max_size=5))
            if label.strip() == label:
                entities.append(Entity(a, b, label, draw(st.sampled_from(["user", "model"]))))
    art = article(text)
    ann = Annotation(
        art.id,
        art.sha256,
        draw(st.sampled_from(["unreviewed", "in_progress", "accepted", "rejected", "skipped"])),
        tuple(entities),
        model=draw(st.none() | st.text(max_size=10)),
        annotator=draw(st.none() | st.text(max_size=10)),
        updated=datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC),
    )
    return text, ann


@settings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(annotated_texts())
def test_toml_round_trip_is_exact(tmp_path: Path, case: tuple[str, Annotation]) -> None:
    text, ann = case
    path = tmp_path / "r.toml"
    store.save(path, ann, text)
    assert store.load(path, article(text)).annotation == ann


@settings(max_examples=200, deadline=None)
@given(annotated_texts())
def test_direct_writer_agrees_with_the_toml_parser(case: tuple[str, Annotation]) -> None:
    text, ann = case
    expected = store.to_document(ann, text)
    assert tomllib.loads(store.dumps(ann, text)) == expected

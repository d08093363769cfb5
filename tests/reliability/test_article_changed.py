"""An article edited on disk while annotated: spans follow their text or are kept, never dropped."""

from __future__ import annotations

import tomllib
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tui.core import store
from tui.core.article import sha256_bytes
from tui.core.workspace import Annotated, Workspace

TEXT = (
    "Shafaq News reported that China and Iran met in Beijing.\r\n"
    "Wang Yi said China would help. 😀👍🏽 中国 café\u0301 Iran."
)


def setup(workdir: Path, text: str = TEXT) -> tuple[Workspace, Annotated]:
    (workdir / "articles" / "zz_changed.txt").write_bytes(text.encode("utf-8"))
    ws = Workspace(workdir / "articles", workdir / "annotations", annotator="kim")
    annotated = ws.open("zz_changed.txt")
    return ws, annotated


def label(annotated: Annotated, needle: str, tag: str, nth: int = 0) -> None:
    text = annotated.article.text
    i = -1
    for _ in range(nth + 1):
        i = text.index(needle, i + 1)
    assert annotated.document.add(i, i + len(needle), tag) is not None


def rewrite(ws: Workspace, text: str) -> None:
    (ws.corpus.root / "zz_changed.txt").write_bytes(text.encode("utf-8"))


def spans(annotated: Annotated) -> list[tuple[str, str]]:
    text = annotated.article.text
    return [(e.text(text), e.label) for e in annotated.document.entities]


def test_edited_article_reanchors_keeps_the_rest_and_says_so(workdir: Path) -> None:
    ws, annotated = setup(workdir)
    for needle, tag in [("Shafaq News", "ORG"), ("Beijing", "GPE"), ("Wang Yi", "PERSON")]:
        label(annotated, needle, tag)
    label(annotated, "China", "GPE", nth=1)
    label(annotated, "café\u0301", "LOC")
    label(annotated, "👍🏽", "EMOJI")
    ws.save(annotated)
    old_sha = annotated.article.sha256

    # A paragraph inserted at the top, "Beijing" rewritten, the rest unchanged.
    new_text = "UPDATE: corrected.\n\n" + TEXT.replace("Beijing", "Tehran")
    rewrite(ws, new_text)
    again = ws.open("zz_changed.txt")
    assert again.note is not None
    assert "zz_changed.txt changed on disk" in again.note
    assert "5 entities re-anchored" in again.note and "1 could not be placed" in again.note
    assert sorted(spans(again)) == sorted(
        [
            ("Shafaq News", "ORG"),
            ("Wang Yi", "PERSON"),
            ("China", "GPE"),
            ("café\u0301", "LOC"),
            ("👍🏽", "EMOJI"),
        ]
    )
    # The second "China" stays the second one (nearest occurrence), not the first.
    china = next(e for e in again.document.entities if e.label == "GPE")
    assert china.start == new_text.index("China", new_text.index("China") + 1)
    assert [(u.text, u.label) for u in again.unanchored] == [("Beijing", "GPE")]

    # Saving writes the new sha and keeps the unplaced span; nothing is dropped.
    again.document.add(0, 6, "MISC")
    ws.save(again)
    doc = tomllib.loads(again.path.read_text("utf-8"))
    assert doc["sha256"] == sha256_bytes(new_text.encode()) != old_sha
    assert [(u["text"], u["label"]) for u in doc["unanchored"]] == [("Beijing", "GPE")]
    assert all(new_text[e["start"] : e["end"]] == e["text"] for e in doc["entities"])
    reopened = ws.open("zz_changed.txt")
    assert reopened.note is None
    assert reopened.unanchored == again.unanchored
    assert reopened.document.entities == again.document.entities

    # The text comes back in a later edit: the kept span is placed again.
    rewrite(ws, new_text + "\nBeijing")
    back = ws.open("zz_changed.txt")
    assert ("Beijing", "GPE") in spans(back) and back.unanchored == ()


def test_article_emptied_of_every_entity_text_keeps_them_all(workdir: Path) -> None:
    ws, annotated = setup(workdir)
    for needle, tag in [("Shafaq News", "ORG"), ("Iran", "GPE"), ("中国", "GPE")]:
        label(annotated, needle, tag)
    ws.save(annotated)
    rewrite(ws, "Completely different text.")
    again = ws.open("zz_changed.txt")
    assert again.document.entities == ()
    assert sorted(u.text for u in again.unanchored) == ["Iran", "Shafaq News", "中国"]
    ws.save(again)
    assert len(tomllib.loads(again.path.read_text("utf-8"))["unanchored"]) == 3


EDITS = st.lists(
    st.tuples(
        st.integers(0, 10_000),
        st.integers(0, 12),
        st.sampled_from(["", "X ", "China ", "\r\n", "😀"]),
    ),
    max_size=6,
)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(edits=EDITS, picks=st.lists(st.integers(0, 30), min_size=1, max_size=8))
def test_any_change_on_disk_never_drops_a_span(
    workdir: Path, edits: list[tuple[int, int, str]], picks: list[int]
) -> None:
    from tui.core.tokens import regex_tokens

    store.annotation_path(workdir / "annotations", "zz_changed.txt").unlink(missing_ok=True)
    ws, annotated = setup(workdir)
    assert not annotated.has_file
    tokens = regex_tokens(TEXT)
    for p in picks:
        annotated.document.add(*tokens.span(p % len(tokens)), "T")
    ws.save(annotated)
    before = len(annotated.document.entities)
    text = TEXT
    for at, length, insert in edits:
        at %= len(text) + 1
        text = text[:at] + insert + text[at + length :]
    rewrite(ws, text or "x")
    again = ws.open("zz_changed.txt")
    new = again.article.text
    assert len(again.document.entities) + len(again.unanchored) == before
    assert all(
        new[e.start : e.end].strip() == new[e.start : e.end] for e in again.document.entities
    )
    ws.save(again)
    loaded = store.load(again.path, again.article)
    assert not loaded.stale
    assert loaded.annotation.entities == again.document.entities
    assert loaded.annotation.unanchored == again.unanchored

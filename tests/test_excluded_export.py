"""Excluded text is left out of every export, and pieces of an article import back whole."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import SEED_IDS
from tui.cli import main
from tui.core import ner
from tui.core.article import Article, sha256_bytes
from tui.core.edits import Document
from tui.core.formats.excluded import Piece, merge_parts, parts
from tui.core.formats.select import Item
from tui.core.ner import Pipeline
from tui.core.spans import Entity, blank, paragraph_at, trim
from tui.core.workspace import Annotated, Workspace, with_suggestions

AID = SEED_IDS[1]  # "Open Menu" before the headline, "Related Topics" and more after it
TAIL_WORDS = ("Aurangzeb", "Recent", "Related")


@pytest.fixture
def marked(workdir: Path, ruler_pipeline: Pipeline, monkeypatch: pytest.MonkeyPatch) -> Annotated:
    """The second seed article, accepted, with its menu line and its tail excluded."""
    monkeypatch.setattr(ner, "load", lambda name=None, *_: ruler_pipeline)
    ws = Workspace(Path("articles"), Path("annotations"))
    opened = ws.open(AID)
    text = opened.article.text
    with_suggestions(opened, ner.entities(ruler_pipeline.nlp(text), text), ruler_pipeline.name)
    tail = text.index("Related Topics")
    assert any(e.start > tail for e in opened.document.entities)
    menu = paragraph_at(text, text.index("Open Menu"))
    assert menu is not None
    opened.document.exclude(*menu)
    opened.document.exclude(tail, len(text))
    opened.document.set_status("accepted")
    ws.save(opened)
    assert opened.document.excluded == (menu, (tail, len(text)))
    return opened


def export(fmt: str, out: str) -> int:
    return main(["export", "--format", fmt, "--out", out])


def inside(entity: Entity, ranges: tuple[tuple[int, int], ...]) -> bool:
    return any(entity.start < b and a < entity.end for a, b in ranges)


def test_spacy_marks_excluded_tokens_missing_not_outside(marked: Annotated) -> None:
    import spacy
    from spacy.tokens import DocBin

    assert export("spacy", "out") == 0
    (doc,) = DocBin().from_disk("out/train.spacy").get_docs(spacy.blank("en").vocab)
    text, ranges = marked.article.text, marked.document.excluded
    assert doc.text == text
    assert [(e.start_char, e.end_char, e.label_) for e in doc.ents] == [
        (e.start, e.end, e.label) for e in marked.document.entities
    ]
    for token in doc:
        excluded = any(a <= token.idx and token.idx + len(token) <= b for a, b in ranges)
        crosses = any(token.idx < b < token.idx + len(token) for _, b in ranges)
        assert not crosses  # tokens are cut at the edges of excluded text
        if excluded:
            assert token.ent_iob_ == ""  # missing: teaches the model nothing
        elif not token.ent_type_:
            assert token.ent_iob_ == "O"  # accepted: the rest is known not to be an entity


def test_conll_skips_excluded_tokens_with_a_sentence_break(marked: Annotated) -> None:
    assert export("conll", "out.conll") == 0
    blocks = Path("out.conll").read_text("utf-8").split("\n\n")
    words = [line.split("\t")[0] for block in blocks for line in block.splitlines() if line]
    for word in (*TAIL_WORDS, "Menu"):
        assert word not in words
    tags = [line.split("\t")[1] for block in blocks for line in block.splitlines() if line]
    assert sum(t.startswith("B-") for t in tags) == len(marked.document.entities)
    text, (_, (tail, _)) = marked.article.text, marked.document.excluded
    last_sentence = [line.split("\t")[0] for line in blocks[-2].splitlines()]
    assert text[:tail].rstrip().endswith(last_sentence[-1])


def test_brat_blanks_excluded_text_and_keeps_offsets(marked: Annotated) -> None:
    assert export("brat", "out") == 0
    stem = AID.removesuffix(".txt")
    written = Path(f"out/{stem}.txt").read_text("utf-8")
    text = marked.article.text
    assert len(written) == len(text)
    for a, b in marked.document.excluded:
        assert not written[a:b].strip()
        assert written[a:b].count("\n") == text[a:b].count("\n")
    kept = [i for i in range(len(text)) if not any(a <= i < b for a, b in marked.document.excluded)]
    assert all(written[i] == text[i] for i in kept)
    ann = Path(f"out/{stem}.ann").read_text("utf-8").splitlines()
    assert len(ann) == len(marked.document.entities)
    for line, entity in zip(ann, marked.document.entities, strict=True):
        _, offsets, covered = line.split("\t")
        assert offsets == f"{entity.label} {entity.start} {entity.end}"
        assert written[entity.start : entity.end] == covered


def tasks(path: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in Path(path).read_text("utf-8").splitlines()]


@pytest.mark.parametrize(("fmt", "spans_key"), [("jsonl", "spans"), ("doccano", "label")])
def test_task_formats_write_one_task_per_piece_and_import_it_back_whole(
    marked: Annotated, workdir: Path, fmt: str, spans_key: str
) -> None:
    assert export(fmt, "out.jsonl") == 0
    records = [r for r in tasks("out.jsonl") if r["meta"]["article"] == AID]
    text = marked.article.text
    assert [r["meta"]["offset"] for r in records] == [marked.document.excluded[0][1]]
    (record,) = records
    offset = record["meta"]["offset"]
    assert record["text"] == text[offset : marked.document.excluded[1][0]]
    for word in TAIL_WORDS:
        assert word not in record["text"]
    assert len(record[spans_key]) == len(marked.document.entities)
    other = [r for r in tasks("out.jsonl") if r["meta"]["article"] != AID]
    assert all("offset" not in r["meta"] for r in other)  # nothing excluded: as before

    shutil.rmtree("annotations")
    Path("annotations").mkdir()
    assert main(["import", "--format", fmt, "out.jsonl"]) == 0
    back = Workspace(Path("articles"), Path("annotations")).open(AID)
    assert back.document.excluded == marked.document.excluded
    assert [(e.start, e.end, e.label) for e in back.document.entities] == [
        (e.start, e.end, e.label) for e in marked.document.entities
    ]
    assert back.document.status == "accepted"


def test_pieces_whose_article_is_missing_are_reported(
    marked: Annotated, workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert export("jsonl", "out.jsonl") == 0
    other = workdir / "elsewhere"
    assert main(["--articles", str(other), "import", "--format", "jsonl", "out.jsonl"]) == 1
    err = capsys.readouterr().err
    assert "its excluded text was left out" in err and "Traceback" not in err


def test_merge_parts_refuses_pieces_of_another_text() -> None:
    text = "menu\n\nChina and Iran.\n\nrelated"
    piece = Piece(6, "China and Iran.", (Entity(0, 5, "GPE"),))
    entities, excluded = merge_parts(text, [piece])
    assert entities == (Entity(6, 11, "GPE"),)
    assert excluded == ((0, 4), (23, 30))
    with pytest.raises(ValueError, match="offset 7"):
        merge_parts(text, [Piece(7, "China", ())])


def test_label_studio_writes_one_task_per_piece_and_imports_it_back_whole(
    marked: Annotated, workdir: Path
) -> None:
    assert export("labelstudio", "tasks.json") == 0
    tasks = json.loads(Path("tasks.json").read_text("utf-8"))
    (task,) = [t for t in tasks if t["data"]["meta"]["article"] == AID]
    text, ((_, menu_end), (tail, _)) = marked.article.text, marked.document.excluded
    assert task["data"]["meta"]["offset"] == menu_end
    assert task["data"]["text"] == text[menu_end:tail]
    groups = task["annotations"] + task["predictions"]  # people's, and the model's
    regions = [r for group in groups for r in group["result"]]
    assert len(regions) == len(marked.document.entities)
    shutil.rmtree("annotations")
    Path("annotations").mkdir()
    assert main(["import", "tasks.json", "--format", "labelstudio"]) == 0
    back = Workspace(Path("articles"), Path("annotations")).open(AID)
    assert back.document.excluded == marked.document.excluded
    assert [(e.start, e.end, e.label) for e in back.document.entities] == [
        (e.start, e.end, e.label) for e in marked.document.entities
    ]


# -- properties: any ranges, any entities outside them ----------------------------------------

WORDS = st.sampled_from(
    ["Iran", "China", "met", "in", "Kazan.", "Xi's", "U.S.-led", "\n", "\n\n", " "]
)


@st.composite
def marked_items(draw: st.DrawFn) -> Item:
    text = "".join(draw(st.lists(WORDS, min_size=3, max_size=40)))
    if not text.strip():
        text = "Iran " + text
    raw = draw(st.lists(st.tuples(st.integers(0, len(text)), st.integers(1, 12)), max_size=3))
    ranges = tuple(r for r in (trim(text, a, a + n) for a, n in raw) if r is not None)
    doc = Document(text)
    for a, b in ranges:
        doc.exclude(a, b)
    for word in ("Iran", "China", "Kazan"):
        for found in re.finditer(word, text):
            if doc.excluded_at(found.start(), found.end()) is None:
                doc.add(found.start(), found.end(), "GPE")
    article = Article("a.txt", Path("a.txt"), text, sha256_bytes(text.encode()))
    return Item(article, "accepted", doc.entities, excluded=doc.excluded)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(marked_items())
def test_every_format_shape_leaves_out_exactly_the_excluded_text(item: Item) -> None:
    from tui.core.formats import conll
    from tui.core.formats import spacy as spacy_format

    nlp = conll.pipeline()
    doc, _ = spacy_format.to_doc(nlp, item)
    assert doc.text == item.text
    assert [(e.start_char, e.end_char) for e in doc.ents] == [
        (e.start, e.end) for e in item.entities
    ]
    for token in doc:
        inside = [r for r in item.excluded if r[0] < token.idx + len(token) and token.idx < r[1]]
        if inside:
            ((a, b),) = inside
            assert a <= token.idx and token.idx + len(token) <= b  # cut at the range's edges
            assert token.ent_iob_ == ""
        elif not token.ent_type_:
            assert token.ent_iob_ == "O"
    kept = [t for sentence in conll.sentences(nlp, item) for t, _ in sentence]
    outside = blank(item.text, item.excluded)
    assert "".join(kept) == "".join(outside.split())  # every kept token, nothing excluded
    pieces = [Piece(p.offset, p.item.text, p.item.entities) for p in parts(item)]
    entities, excluded = merge_parts(item.text, pieces)
    assert entities == item.entities

    def visible(ranges: tuple[tuple[int, int], ...]) -> set[int]:
        return {i for a, b in ranges for i in range(a, b) if not item.text[i].isspace()}

    assert visible(excluded) == visible(item.excluded)  # the same text left out, back in

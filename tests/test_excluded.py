"""Text marked as not article text: ranges, store, edits with undo, suggestions, stats."""

from __future__ import annotations

import tomllib
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.conftest import SEED_IDS
from tui.cli import main
from tui.core import ner, store
from tui.core.article import Article, read_article, sha256_bytes
from tui.core.batch import pending, suggest_all
from tui.core.edits import Document
from tui.core.ner import Pipeline
from tui.core.spans import (
    Entity,
    SpanError,
    check_ranges,
    merge,
    outside,
    paragraph_at,
    range_at,
    segments,
    subtract,
    tail_from,
)
from tui.core.store import Annotation, StoreError
from tui.core.workspace import Workspace

TEXT = "Menu Home World\n\nChina met Iran in Kazan.\nXi spoke.\n\nRelated Topics\nIran China"
TAIL = TEXT.index("Related")


def at(needle: str, label: str = "GPE", nth: int = 0, source: str = "model") -> Entity:
    start = -1
    for _ in range(nth + 1):
        start = TEXT.index(needle, start + 1)
    return Entity(start, start + len(needle), label, source)  # type: ignore[arg-type]


# -- range helpers ------------------------------------------------------------------------


def test_paragraph_at_spans_neighbouring_lines_up_to_blank_ones() -> None:
    para = paragraph_at(TEXT, TEXT.index("Iran"))
    assert para is not None
    assert TEXT[para[0] : para[1]] == "China met Iran in Kazan.\nXi spoke."
    assert paragraph_at(TEXT, TEXT.index("\n\n") + 1) is None
    assert paragraph_at(TEXT, len(TEXT)) is None


def test_tail_from_starts_at_the_line_of_the_cursor() -> None:
    assert tail_from(TEXT, TAIL + 3) == (TAIL, len(TEXT))


def test_segments_merge_subtract() -> None:
    assert segments(10, [(2, 4), (6, 10)]) == [(0, 2), (4, 6)]
    assert segments(10, []) == [(0, 10)]
    assert merge([(5, 7), (1, 3), (3, 4)]) == ((1, 4), (5, 7))
    assert subtract([(0, 10)], 3, 5) == ((0, 3), (5, 10))
    assert range_at([(2, 4)], 3) == (2, 4)
    assert range_at([(2, 4)], 4) is None


def test_check_ranges_refuses_overlaps_outside_and_entities_inside() -> None:
    with pytest.raises(SpanError, match="overlaps"):
        check_ranges(TEXT, [(0, 5), (4, 8)])
    with pytest.raises(SpanError, match="outside"):
        check_ranges(TEXT, [(0, len(TEXT) + 1)])
    with pytest.raises(SpanError, match="excluded range"):
        check_ranges(TEXT, [(TAIL, len(TEXT))], [at("Iran", nth=1)])
    check_ranges(TEXT, [(TAIL, len(TEXT))], [at("Iran")])


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.tuples(st.integers(0, 60), st.integers(1, 20)), max_size=6),
    st.integers(0, 60),
    st.integers(0, 60),
)
def test_segments_and_ranges_tile_the_text(
    raw: list[tuple[int, int]], cut_a: int, cut_b: int
) -> None:
    ranges = merge((a, min(60, a + n)) for a, n in raw)
    ranges = subtract(ranges, min(cut_a, cut_b), max(cut_a, cut_b))
    pieces = sorted([*segments(60, ranges), *ranges])
    covered = [i for a, b in pieces for i in range(a, b)]
    assert covered == list(range(60))  # disjoint, and together the whole text


# -- edits --------------------------------------------------------------------------------


def test_exclude_removes_the_entities_inside_and_undo_restores_them() -> None:
    keep, gone = at("Iran"), at("Iran", nth=1)
    doc = Document(TEXT, [keep, gone, at("China", nth=1)], "accepted")
    edit = doc.exclude(TAIL, len(TEXT))
    assert edit is not None
    assert doc.excluded == ((TAIL, len(TEXT)),)
    assert doc.entities == (keep,)
    assert edit.extent == (TAIL, len(TEXT))
    doc.undo()
    assert doc.excluded == ()
    assert len(doc.entities) == 3
    assert doc.status == "accepted"
    doc.redo()
    assert doc.entities == (keep,)
    assert doc.excluded == ((TAIL, len(TEXT)),)


def test_exclude_trims_joins_and_include_splits() -> None:
    doc = Document(TEXT)
    doc.exclude(0, 5)  # "Menu "
    assert doc.excluded == ((0, 4),)
    doc.exclude(3, 15)
    assert doc.excluded == ((0, 15),)
    doc.include(5, 9)
    assert doc.excluded == ((0, 5), (9, 15))
    assert doc.exclude(0, 3) is None  # already excluded: nothing to undo
    assert doc.include(20, 30) is None
    doc.undo()
    assert doc.excluded == ((0, 15),)


def test_no_entity_can_be_added_in_excluded_text() -> None:
    doc = Document(TEXT, excluded=[(TAIL, len(TEXT))])
    with pytest.raises(SpanError, match="not article text"):
        doc.add(at("Iran", nth=1).start, at("Iran", nth=1).end, "GPE")
    china = at("China")
    doc.add(china.start, china.end, "GPE")
    (entity,) = doc.entities
    with pytest.raises(SpanError):
        doc.resize(entity, china.start, len(TEXT))


def test_suggestions_inside_excluded_text_are_dropped() -> None:
    doc = Document(TEXT, excluded=[(TAIL, len(TEXT))])
    doc.replace_suggestions([at("China"), at("Iran"), at("Iran", nth=1), at("China", nth=1)])
    assert doc.entities == (at("China"), at("Iran"))


def test_document_refuses_an_entity_in_excluded_text() -> None:
    with pytest.raises(SpanError):
        Document(TEXT, [at("Iran", nth=1)], excluded=[(TAIL, len(TEXT))])


# -- store --------------------------------------------------------------------------------


def article(text: str = TEXT) -> Article:
    return Article("000_a.txt", Path("000_a.txt"), text, sha256_bytes(text.encode()))


def annotation(art: Article, **kw: object) -> Annotation:
    return Annotation(
        art.id,
        art.sha256,
        "in_progress",
        (at("China"),),
        updated=datetime(2026, 11, 22, tzinfo=UTC),
        **kw,  # type: ignore[arg-type]
    )


def test_excluded_and_meta_round_trip_in_the_documented_shape(tmp_path: Path) -> None:
    art = article()
    path = tmp_path / "a.toml"
    meta = {"title": 'Xi "pledges"', "site": "urdupoint.com", "url": "http://x/y"}
    ann = annotation(art, excluded=((TAIL, len(TEXT)), (0, 4)), meta=meta)
    store.save(path, ann, TEXT)
    raw = path.read_text("utf-8")
    doc = tomllib.loads(raw)
    assert doc["excluded"] == [{"start": 0, "end": 4}, {"start": TAIL, "end": len(TEXT)}]
    assert doc["meta"] == meta
    assert raw.index("[meta]") < raw.index("[[excluded]]") < raw.index("[[entities]]")
    loaded = store.load(path, art).annotation
    assert loaded.excluded == ((0, 4), (TAIL, len(TEXT)))
    assert loaded.meta == meta


def test_a_file_without_excluded_or_meta_has_neither_table(tmp_path: Path) -> None:
    art = article()
    path = tmp_path / "a.toml"
    store.save(path, annotation(art), TEXT)
    raw = path.read_text("utf-8")
    assert "excluded" not in raw and "[meta]" not in raw
    assert store.load(path, art).annotation.excluded == ()


@pytest.mark.parametrize(
    ("table", "field", "message"),
    [
        ("[[excluded]]\nstart = 5\nend = 3\n", "excluded[0].end", "not a range"),
        ("[[excluded]]\nstart = 0\nend = 900\n", "excluded", "outside the article"),
        (
            "[[excluded]]\nstart = 0\nend = 9\n[[excluded]]\nstart = 5\nend = 12\n",
            "excluded",
            "overlaps",
        ),
        ("[[excluded]]\nstart = 15\nend = 30\n", "excluded", "excluded range"),
        ("[[excluded]]\nstart = 1\nend = 2\ntext = 'x'\n", "excluded[0].text", "not a known"),
        ("[[excluded]]\nstart = '1'\nend = 2\n", "excluded[0].start", "should be int"),
        ("excluded = 3\n", "excluded", "array of tables"),
        ("[meta]\ntitle = 3\n", "meta.title", "should be str"),
    ],
)
def test_bad_excluded_or_meta_names_the_field(
    tmp_path: Path, table: str, field: str, message: str
) -> None:
    art = article()
    path = tmp_path / "a.toml"
    head = f'schema = 1\narticle = "000_a.txt"\nsha256 = "{art.sha256}"\nstatus = "in_progress"\n'
    china = at("China")
    entity = (
        f'[[entities]]\nstart = {china.start}\nend = {china.end}\nlabel = "GPE"\n'
        'text = "China"\nsource = "user"\n'
    )
    path.write_text(head + table + entity, "utf-8")
    with pytest.raises(StoreError) as info:
        store.load(path, art)
    assert info.value.field == field
    assert message in info.value.message


def test_excluded_ranges_are_dropped_and_counted_when_the_article_changed(
    tmp_path: Path,
) -> None:
    art = article()
    path = tmp_path / "a.toml"
    store.save(path, annotation(art, excluded=((TAIL, len(TEXT)),)), TEXT)
    changed = article("New line.\n" + TEXT)
    loaded = store.load(path, changed)
    assert loaded.stale and loaded.dropped_excluded == 1
    assert loaded.annotation.excluded == ()
    assert [e.text(changed.text) for e in loaded.annotation.entities] == ["China"]


def test_workspace_round_trips_excluded_meta_and_undo(workdir: Path) -> None:
    ws = Workspace(Path("articles"), Path("annotations"))
    aid = SEED_IDS[1]
    opened = ws.open(aid)
    opened.meta = {"site": "urdupoint.com"}
    tail = opened.article.text.index("Related Topics")
    opened.document.exclude(tail, len(opened.article.text))
    ws.save(opened)
    again = ws.open(aid)
    assert again.document.excluded == opened.document.excluded
    assert again.meta == {"site": "urdupoint.com"}


# -- suggest and stats ----------------------------------------------------------------------


def test_suggest_fills_a_toml_holding_only_meta_and_drops_excluded_entities(
    workdir: Path, ruler_pipeline: Pipeline
) -> None:
    ws = Workspace(Path("articles"), Path("annotations"))
    aid = SEED_IDS[1]
    art = read_article(Path("articles"), aid)
    tail = art.text.index("Related Topics")
    first_iran = art.text.index("Iran")
    ann = Annotation(
        aid, art.sha256, excluded=((tail, len(art.text)),), meta={"title": "Xi pledges"}
    )
    store.save(ws.path_for(aid), ann, art.text)
    assert ws.awaits_suggestions(aid)
    assert pending(ws, force=False) == list(SEED_IDS)
    events = list(suggest_all(ws, ruler_pipeline, [aid]))
    assert [e.outcome for e in events] == ["suggested"]
    loaded = ws.open(aid)
    assert loaded.meta == {"title": "Xi pledges"}
    assert loaded.document.excluded == ((tail, len(art.text)),)
    starts = [e.start for e in loaded.document.entities]
    assert first_iran in starts
    assert starts and max(e.end for e in loaded.document.entities) <= tail
    assert "Iran" in art.text[tail:]  # the ruler would have found entities in the tail
    assert not ws.awaits_suggestions(aid)
    assert pending(ws, force=False) == [SEED_IDS[0]]


def test_real_model_suggestions_skip_excluded_text(real_pipeline: Pipeline) -> None:
    text = read_article(Path(__file__).parent.parent / "articles", SEED_IDS[1]).text
    tail = text.index("Related Topics")
    (found,) = ner.suggest(real_pipeline, [text])
    assert any(e.start >= tail for e in found)  # the model does label the tail
    doc = Document(text, excluded=[(tail, len(text))])
    doc.replace_suggestions(found)
    assert doc.entities and all(e.end <= tail for e in doc.entities)


def test_stats_counts_excluded_characters(
    workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    ws = Workspace(Path("articles"), Path("annotations"))
    for aid, size in zip(SEED_IDS, (10, 25), strict=True):
        opened = ws.open(aid)
        opened.document.exclude(0, size)
        ws.save(opened)
    from tui.core.stats import collect

    assert collect(Path("articles"), Path("annotations")).excluded_chars == sum(
        e - s for aid in SEED_IDS for s, e in ws.open(aid).document.excluded
    )
    assert main(["stats"]) == 0
    assert "excluded" in capsys.readouterr().out


def test_outside_keeps_only_entities_clear_of_every_range() -> None:
    ents = [at("China"), at("Iran", nth=1)]
    assert outside(ents, [(TAIL, len(TEXT))]) == [at("China")]


def test_evaluate_ignores_predictions_in_excluded_text(ruler_pipeline: Pipeline) -> None:
    from tui.core.evaluate import evaluate
    from tui.core.formats.select import Item

    gold = (at("China", source="user"), at("Iran", source="user"))
    item = Item(article(), "accepted", gold, excluded=((TAIL, len(TEXT)),))
    report = evaluate(ruler_pipeline, [item])
    assert (report.overall.tp, report.overall.fp, report.overall.fn) == (2, 0, 0)


# -- properties -----------------------------------------------------------------------------

OPS = st.lists(
    st.tuples(
        st.sampled_from(["add", "exclude", "include", "toggle", "tail", "undo", "redo"]),
        st.integers(0, len(TEXT)),
        st.integers(0, 12),
    ),
    max_size=25,
)


@settings(max_examples=150, deadline=None)
@given(OPS)
def test_edits_keep_entities_out_of_excluded_text_and_undo_all_restores(
    ops: list[tuple[str, int, int]],
) -> None:
    start_entities = (at("China"), at("Iran"), at("Iran", nth=1))
    doc = Document(TEXT, start_entities)
    for op, offset, width in ops:
        end = min(len(TEXT), offset + width)
        try:
            if op == "add":
                doc.add(offset, end, "GPE")
            elif op == "exclude":
                doc.exclude(offset, end)
            elif op == "include":
                doc.include(offset, end)
            elif op == "toggle":
                doc.toggle_excluded(offset, (offset, end) if width % 2 and end > offset else None)
            elif op == "tail":
                doc.exclude_tail(offset)
            elif op == "undo":
                doc.undo()
            else:
                doc.redo()
        except SpanError:
            pass  # a label on excluded text is refused, and nothing changes
        check_ranges(TEXT, doc.excluded, doc.entities)
        assert list(doc.excluded) == sorted(doc.excluded)
    while doc.undo() is not None:
        pass
    assert doc.entities == start_entities
    assert doc.excluded == ()
    assert doc.status == "unreviewed"


@settings(max_examples=100, deadline=None)
@given(
    st.dictionaries(st.sampled_from(store.META_KEYS), st.text(min_size=0, max_size=30), max_size=4),
    st.lists(st.tuples(st.integers(0, len(TEXT) - 1), st.integers(1, 10)), max_size=4),
)
def test_meta_and_excluded_round_trip_through_the_store(
    meta: dict[str, str], raw: list[tuple[int, int]]
) -> None:
    import tempfile

    ranges = merge((a, min(len(TEXT), a + n)) for a, n in raw)
    art = article()
    keep = tuple(e for e in (at("China"),) if not any(a < e.end and e.start < b for a, b in ranges))
    ann = Annotation(art.id, art.sha256, "in_progress", keep, excluded=ranges, meta=meta)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "a.toml"
        store.save(path, ann, TEXT)
        loaded = store.load(path, art).annotation
    assert loaded.excluded == ranges
    assert loaded.meta == meta
    assert loaded.entities == keep


def test_validate_names_an_excluded_range_over_an_entity(
    workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    ws = Workspace(Path("articles"), Path("annotations"))
    aid = SEED_IDS[1]
    opened = ws.open(aid)
    text = opened.article.text
    iran = text.index("Iran", text.index("Related Topics"))
    opened.document.add(iran, iran + 4, "GPE")
    ws.save(opened)
    path = ws.path_for(aid)
    tail = text.index("Related Topics")
    with path.open("a", encoding="utf-8") as f:
        f.write(f"\n[[excluded]]\nstart = {tail}\nend = {len(text)}\n")
    assert main(["validate"]) == 1
    out = capsys.readouterr().out
    assert f"{path}: excluded: span {iran}..{iran + 4} lies in the excluded range" in out

"""The reading view's layout and moves as plain modules: built from a string and a width, no
app. Rows re-wrapped after any edit equal a fresh layout; the cursor's moves, the selection,
``w`` and search are decided here, where a property test can reach them.
"""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from tui.core.edits import Document
from tui.core.spans import Entity
from tui.core.tokens import regex_tokens
from tui.widgets import navigation
from tui.widgets.rows import Counts, RowLayout, Tags

TEXT = (
    "Shafaq News/ China expressed support for Iran.\n\n"
    "Chinese Foreign Minister Wang Yi met Masoud Pezeshkian in New York.\r\n"
    "東京都知事選挙で小池百合子氏が当選した。\n"
    "Family 👨\u200d👩\u200d👧 and Cafe\u0301 owners.\n"
)


def tags_of(entities: list[Entity]) -> Tags:
    def tags(start: int, end: int) -> list[tuple[int, int]]:
        return sorted((e.end - 1, 1 + len(e.label)) for e in entities if start < e.end <= end)

    return tags


def test_rows_are_lines_wrapped_at_the_width_with_tags_on_their_row() -> None:
    layout = RowLayout("aaa bbb ccc\nddd", 8)
    assert [layout.text[s:e] for s, e in layout.rows()] == ["aaa bbb ", "ccc", "ddd"]
    iran = Entity(4, 7, "GPE")
    tagged = RowLayout("aaa bbb ccc\nddd", 8, tags_of([iran]))
    assert [tagged.text[s:e] for s, e in tagged.rows()] == ["aaa ", "bbb ", "ccc", "ddd"]
    assert tagged.col_of(8) == 0 and tagged.row_of(8) == 2
    assert tagged.line_of(13) == (12, 15)


def test_col_of_and_offset_at_agree_on_wide_characters() -> None:
    layout = RowLayout(TEXT, 20)
    for offset in range(len(TEXT)):
        if TEXT[offset] in "\r\n":
            continue
        row = layout.row_of(offset)
        found = layout.offset_at(row, layout.col_of(offset))
        assert layout.col_of(found) == layout.col_of(offset)


@st.composite
def edits(draw: st.DrawFn) -> tuple[int, list[tuple[int, int]]]:
    width = draw(st.integers(4, 40))
    spans = draw(st.lists(st.tuples(st.integers(0, len(TEXT)), st.integers(1, 12)), max_size=8))
    return width, spans


@settings(max_examples=150, deadline=None)
@given(edits())
def test_rewrap_after_any_change_of_tags_equals_a_fresh_layout(
    case: tuple[int, list[tuple[int, int]]],
) -> None:
    """The defect behind rows drawn over other rows: a re-wrap over several lines (B's edit
    spans the article) where a line other than the first changed its number of rows."""
    width, spans = case
    entities: list[Entity] = []
    layout = RowLayout(TEXT, width, tags_of(entities))
    for start, length in spans:
        end = min(len(TEXT), start + length)
        if start >= end:
            continue
        removed = [e for e in entities if e.overlaps(start, end)]
        entities[:] = [e for e in entities if e not in removed]
        entities.append(Entity(start, end, "ORG"))
        extent = min([start, *(e.start for e in removed)]), max([end, *(e.end for e in removed)])
        changed = layout.rewrap(0 if length > 6 else extent[0], extent[1])  # as Edit.extent
        fresh = RowLayout(TEXT, width, tags_of(entities))
        assert layout.rows() == fresh.rows()
        assert changed.shifted == (changed.old != changed.new)


def test_row_moves_keep_the_column_and_pass_blank_lines() -> None:
    text = "one two three\n\nfour five six"
    layout, tokens = RowLayout(text, 40), regex_tokens(text)
    two = tokens.index_at(text.index("two"))
    below = navigation.row_move(layout, tokens, two, 1)  # the blank line is passed over
    assert text[slice(*tokens.span(below))] == "four"  # the word drawn at that column
    assert navigation.row_move(layout, tokens, below, -1) == 0
    last = navigation.row_move(layout, tokens, two, 99)
    assert layout.row_of(tokens.starts[last]) == len(layout) - 1


def test_a_selection_stops_at_the_line_break() -> None:
    text = "Wang Yi met\nXi Jinping"
    layout, tokens = RowLayout(text, 40), regex_tokens(text)
    selection, cursor, clipped = navigation.extend(layout, tokens, None, 0, len(tokens) - 1)
    assert text[slice(*selection.span)] == "Wang Yi met" and clipped
    assert cursor == tokens.index_at(text.index("met"))


def test_follow_puts_the_cursor_on_the_nearest_visible_row() -> None:
    text = " ".join(f"w{i}" for i in range(60))
    layout, tokens = RowLayout(text, 10), regex_tokens(text)
    assert navigation.follow(layout, tokens, 0, 0, 3) is None
    found = navigation.follow(layout, tokens, 0, 5, 3)
    assert found is not None and layout.row_of(tokens.starts[found]) == 5


def test_w_counts_the_entity_under_the_cursor_and_wraps_once() -> None:
    text = "Shafaq News/ China met iran and Wang Yi"
    split = Entity(0, 18, "ORG")  # a separator inside
    lower = Entity(23, 27, "GPE")  # no capital letter
    hit, wrapped = navigation.next_suspect(text, [split, lower], 0, split, 1)
    assert hit is not None and hit.entity == split and not wrapped
    hit, wrapped = navigation.next_suspect(text, [split, lower], 0, None, 1)
    assert hit is not None and hit.entity == lower and not wrapped
    hit, wrapped = navigation.next_suspect(text, [split, lower], 23, None, 1)
    assert hit is not None and hit.entity == split and wrapped
    hit, wrapped = navigation.next_suspect(text, [split, lower], 0, None, -1)
    assert hit is not None and hit.entity == lower and wrapped
    assert navigation.next_suspect(text, [], 0, None, 1) == (None, False)


def test_search_skips_text_marked_not_article_unless_only_there() -> None:
    text = "Iran met China. Related: Iran, Gaza"
    doc = Document(text, excluded=[(16, len(text))])
    assert navigation.find(doc, "iran") == ([(0, 4)], False)
    assert navigation.find(doc, "gaza") == ([(31, 35)], True)
    assert navigation.next_match([(0, 4), (10, 12)], 5) == 10
    assert navigation.next_match([(0, 4), (10, 12)], 10) == 0  # round to the first
    assert navigation.next_match([], 0) is None


def test_the_cursor_leaves_text_marked_not_article_for_the_nearest_token() -> None:
    text = "Menu Home\n\nThe talks went well.\n\nShare"
    tokens = regex_tokens(text)
    doc = Document(text, excluded=[(0, 9)])
    found = navigation.nearest_article_token(tokens, doc, 0)
    assert found is not None and text[slice(*tokens.span(found))] == "The"
    assert navigation.nearest_article_token(tokens, doc, found) is None


# -- the lazy layout: lines wrapped when first reached --------------------------------------

PIECES = [
    "Wang Yi",
    "met",
    "習近平",
    "東京都知事選挙で小池百合子氏が当選した。",
    "👨\u200d👩\u200d👧",
    "👍🏽",
    "Cafe\u0301",
    "\u0301",
    "a-very-long-hyphenated-word-that-needs-cutting",
    "\t",
]
BREAKS = [" ", " ", " ", "  ", "\n", "\r\n", "\n\n", "\r\n\r\n", "\r"]


@st.composite
def texts(draw: st.DrawFn) -> str:
    parts = draw(st.lists(st.tuples(st.sampled_from(PIECES), st.sampled_from(BREAKS))))
    return "".join(p + b for p, b in parts)


def assert_wrapped_lines_are_fresh(layout: RowLayout, eager: RowLayout) -> None:
    """Every line wrapped so far holds the rows a fresh wrap gives it; the rows count up."""
    for index, starts in layout.wrapped().items():
        assert starts == [s for s, _ in eager.line_rows(index)], f"line {index} is stale"
    assert len(layout) == layout._counts.before(len(layout.lines))


@settings(max_examples=150, deadline=None)
@given(texts(), st.integers(4, 40), st.lists(st.integers(0, 10_000), max_size=12))
def test_a_lazy_layout_maps_rows_and_offsets_as_an_eager_one(
    text: str, width: int, probes: list[int]
) -> None:
    """Rows asked for in any order wrap only their lines; once every line above an offset is
    wrapped its row is the eager layout's, and all wrapped, the two are the same rows."""
    lazy, eager = RowLayout(text, width, eager=False), RowLayout(text, width, eager=True)
    assert eager.exact() and eager.corrections() == []
    for probe in probes:
        row = probe % len(lazy)
        start, end = lazy.row(row)
        assert lazy.row(lazy.row_of(start)) == (start, end)
        offset = probe % (len(text) + 1)
        lazy.wrap_near(offset, probe % 7, probe % 5)
        assert_wrapped_lines_are_fresh(lazy, eager)
        index = lazy._line_index(offset)
        if all(lazy.is_wrapped(i) for i in range(index + 1)):
            assert lazy.row_of(offset) == eager.row_of(offset)
            assert lazy.col_of(offset) == eager.col_of(offset)
    assert lazy.rows() == eager.rows() and lazy.exact()
    for offset in range(len(text) + 1):
        assert lazy.row_of(offset) == eager.row_of(offset)


@settings(max_examples=100, deadline=None)
@given(texts(), st.integers(4, 30), st.lists(st.tuples(st.integers(0, 500), st.integers(1, 9))))
def test_a_lazy_layout_rewraps_only_what_was_wrapped_and_stays_fresh(
    text: str, width: int, spans: list[tuple[int, int]]
) -> None:
    """An edit re-wraps its lines if they were wrapped, and leaves the others to be wrapped
    with their new tags when reached."""
    entities: list[Entity] = []
    lazy = RowLayout(text, width, tags_of(entities), eager=False)
    lazy.row(len(lazy) // 2)
    for start, length in spans:
        start %= len(text) + 1
        end = min(len(text), start + length)
        if start >= end:
            continue
        removed = [e for e in entities if e.overlaps(start, end)]
        entities[:] = [e for e in entities if e not in removed]
        entities.append(Entity(start, end, "ORG"))
        before = len(lazy)
        extent = min([start, *(e.start for e in removed)]), max([end, *(e.end for e in removed)])
        changed = lazy.rewrap(*extent)  # as Edit.extent
        assert len(lazy) - before == changed.new - changed.old
        lazy.row_of(start)
        assert_wrapped_lines_are_fresh(lazy, RowLayout(text, width, tags_of(entities)))
    assert lazy.rows() == RowLayout(text, width, tags_of(entities)).rows()


def test_corrections_say_how_far_the_rows_below_a_wrapped_line_moved() -> None:
    text = "\n".join(["w " * 40, "short", "w " * 40])
    layout = RowLayout(text, 10, eager=False)
    estimated = len(layout)
    layout.row(len(layout) - 1)  # the last line, then the one it turns out to be
    fixes = layout.corrections()
    assert fixes and layout.corrections() == []
    assert len(layout) - estimated == sum(f.new - f.old for f in fixes)
    assert not layout.is_wrapped(0)  # the first line was never reached


def test_counts_find_the_line_holding_a_row() -> None:
    counts = Counts([3, 1, 4, 1, 5])
    assert [counts.holding(r) for r in range(14)] == [0] * 3 + [1] + [2] * 4 + [3] + [4] * 5
    assert counts.holding(99) == 4 and counts.before(3) == 8
    counts.set(2, 1)
    assert counts.total == 11 and counts.holding(4) == 2 and counts.holding(5) == 3

"""The reading view keeps the cursor in sight and draws what a fresh render would draw.

After every action the cursor's row is on screen and the view's lines equal those of a view
mounted afresh on the same state (:func:`assert_settled`), so a stale or doubled line cannot
hide behind the line cache. Cursor stops, selections and character moves are tested on
classes of text: emoji with joiners and skin tones, CJK, combining marks, CRLF.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from rich.segment import Segment
from textual.app import ComposeResult
from textual.geometry import Region
from textual.screen import Screen
from textual.strip import Strip

from tests.ui.conftest import (
    FIRST,
    SECOND,
    MakeApp,
    burst,
    cursor_text,
    ents,
    labelled,
    ready,
    toml,
    view,
)
from tui.app import NewsmarkApp
from tui.core.spans import Entity
from tui.core.workspace import Workspace
from tui.screens.labels import LabelPicker
from tui.widgets.article_view import ArticleView

SIZE = (80, 24)


class _Fresh(Screen[None]):
    """A screen holding one new view the size of ``like``, for comparing renders."""

    def __init__(self, like: ArticleView) -> None:
        super().__init__()
        self.like = like

    def compose(self) -> ComposeResult:
        fresh = ArticleView(id="fresh")
        fresh.set_classes(self.like.classes)
        fresh.styles.width = self.like.outer_size.width
        fresh.styles.height = self.like.outer_size.height
        yield fresh


def _content(v: ArticleView) -> list[list[Segment]]:
    """The view's content rows as the compositor gets them (through the line caches)."""
    gutter = v.gutter
    crop = Region(gutter.left, gutter.top, v.content_size.width, v.content_size.height)
    return [list(strip) for strip in v.render_lines(crop)]


def _simplified(lines: list[list[Segment]]) -> list[list[tuple[str, Any]]]:
    out = []
    for line in lines:
        cells: list[tuple[str, Any]] = []
        for segment in Strip(line).simplify():
            cells.extend((ch, segment.style) for ch in segment.text)
        out.append(cells)
    return out


async def assert_settled(app: NewsmarkApp, pilot: Any, v: ArticleView) -> None:
    """The cursor's row is on screen, and the view draws what a fresh view would."""
    await pilot.pause()
    row = v.row_of(v.tokens.starts[v.cursor]) if len(v.tokens) else 0
    top, height = round(v.scroll_y), v.scrollable_content_region.height
    assert top <= row < top + height, f"cursor row {row} is outside rows {top}..{top + height}"
    shown = _content(v)
    screen = _Fresh(v)
    await app.push_screen(screen)
    await pilot.pause()
    fresh = screen.query_one("#fresh", ArticleView)
    fresh.labels = v.labels
    fresh.plain = v.plain
    fresh.show(v.document, v.tokens)
    fresh.cursor = v.cursor
    fresh.sel_anchor, fresh.selection = v.sel_anchor, v.selection
    fresh.marks, fresh.matches = list(v.marks), list(v.matches)
    # The same text at the top: lines far off screen may still count estimated rows.
    top_offset = v.row_layout.row(round(v.scroll_y))[0]
    fresh.row_layout.wrap_near(top_offset, 0, height)
    fresh.scroll_to(y=fresh.row_of(top_offset), animate=False, immediate=True)
    fresh.refresh()
    await pilot.pause()
    expected = _content(fresh)
    app.pop_screen()
    await pilot.pause()
    a, b = _simplified(shown), _simplified(expected)
    for y, (x, z) in enumerate(zip(a, b, strict=True)):
        shown_text, fresh_text = "".join(c for c, _ in x), "".join(c for c, _ in z)
        assert x == z, f"row {y} on screen: {shown_text!r}, fresh: {fresh_text!r}"


def _cell_styles(v: ArticleView, offset: int) -> Any:
    """The style the view draws the character at ``offset`` with (ASCII rows)."""
    row = v.row_of(offset)
    strip = v.render_line(row - round(v.scroll_y))
    col = v.col_of(offset)
    x = 0
    for segment in strip:
        if x <= col < x + len(segment.text):
            return segment.style
        x += len(segment.text)
    raise AssertionError(f"offset {offset} is not drawn")


def _notes(app: NewsmarkApp) -> list[str]:
    """Every notification the app shows from now on, as text."""
    notes: list[str] = []
    app.notify = lambda message, **kw: notes.append(str(message))  # type: ignore[method-assign]
    return notes


def _write(workdir: Path, name: str, text: str) -> None:
    (workdir / "articles" / name).write_bytes(text.encode("utf-8"))


HOSTILE = (
    "Family 👨\u200d👩\u200d👧 and thumbs 👍🏽 up.\r\n\r\n"
    "東京都知事選挙で小池百合子氏が当選した。\r\n"
    "Cafe\u0301 owner Zoe\u0308 said \u0301 so.\n\n"
    "Tail \ufe0f end."
)


# -- defect 1: a label name must never freeze the app ------------------------------------


async def test_a_new_label_like_misc_draws_and_the_app_answers(
    make_app: MakeApp, workdir: Path
) -> None:
    app = make_app(first=(f"{FIRST}.txt",))
    async with app.run_test(size=SIZE) as pilot:
        await ready(app, pilot)
        await pilot.press("t")
        assert isinstance(app.screen, LabelPicker)
        await pilot.press(*"misc", "enter")
        v = view(app)
        await assert_settled(app, pilot, v)
        assert "MISC" in "".join(s.text for s in v.render_line(0))
        await pilot.press("q")
        await pilot.pause()
        assert not app.is_running
    assert ents(workdir, FIRST)[0] == ("Shafaq", "MISC", "user")


async def test_a_toml_with_a_hundred_new_labels_opens(
    make_app: MakeApp, workdir: Path, ruler_pipeline: Any
) -> None:
    workspace = Workspace(workdir / "articles", workdir / "annotations")
    annotated = workspace.open(f"{FIRST}.txt")
    words = re.finditer(r"\S+", annotated.article.text)
    for n, word in enumerate(list(words)[:100]):
        annotated.document.add(word.start(), word.end(), f"misc-{n}")
    workspace.save(annotated)
    app = make_app(first=(f"{FIRST}.txt",))
    async with app.run_test(size=SIZE) as pilot:
        await ready(app, pilot)
        await assert_settled(app, pilot, view(app))
        await pilot.press("pagedown", "q")
        await pilot.pause()
        assert not app.is_running
    assert labelled(workdir, FIRST, "Shafaq")[0] == "misc-0"


# -- defect 4: the view never loses the cursor -------------------------------------------


async def test_an_edit_that_rewraps_below_the_screen_scrolls_to_the_cursor(
    make_app: MakeApp, workdir: Path
) -> None:
    app = make_app(first=(f"{FIRST}.txt",))
    async with app.run_test(size=SIZE) as pilot:
        await ready(app, pilot)
        v = view(app)
        height = v.scrollable_content_region.height
        while v.row_of(v.tokens.starts[v.cursor]) < height - 1:
            await pilot.press("j")
        row = v.row_of(v.tokens.starts[v.cursor])
        while v.cursor + 1 < len(v.tokens) and v.row_of(v.tokens.starts[v.cursor + 1]) == row:
            await pilot.press("l")
        # a long label beside the last word of the bottom row: the word wraps below it
        await pilot.press("t", *"a_very_long_label_name", "enter")
        assert v.row_of(v.tokens.starts[v.cursor]) == row + 1
        await assert_settled(app, pilot, v)


async def test_p_keeps_the_cursor_on_screen_in_a_long_article(
    make_app: MakeApp, workdir: Path
) -> None:
    app = make_app(first=(f"{SECOND}.txt",))
    async with app.run_test(size=SIZE) as pilot:
        await ready(app, pilot)
        v = view(app)
        await pilot.press("pagedown", "pagedown", "pagedown", "pagedown")
        before = v.row_of(v.tokens.starts[v.cursor]) - round(v.scroll_y)
        await pilot.press("p")
        await assert_settled(app, pilot, v)
        assert v.row_of(v.tokens.starts[v.cursor]) - round(v.scroll_y) == before
        await pilot.press("p")
        await assert_settled(app, pilot, v)
        await pilot.press("end", "p")
        await assert_settled(app, pilot, v)


async def test_shrinking_a_span_across_a_line_break_draws_each_row_once(
    make_app: MakeApp, workdir: Path
) -> None:
    """The issue's case: the DATE at the top of the second seed, ``n`` then ``[`` three
    times; at two widths, so the tag lands on both sides of a wrap."""
    for width in (60, 104):
        for old in (workdir / "annotations").glob("*.toml"):
            old.unlink()
        workspace = Workspace(workdir / "articles", workdir / "annotations")
        annotated = workspace.open(f"{SECOND}.txt")
        text = annotated.article.text
        start, end = text.index("2024"), text.index("Pledges") + len("Pledges")
        # As an import may bring it: the reader's keys never make one across a line.
        annotated.document.spans.add(Entity(start, end, "DATE", "user"))
        workspace.save(annotated)
        app = make_app(first=(f"{SECOND}.txt",))
        async with app.run_test(size=(width, 24)) as pilot:
            await ready(app, pilot)
            v = view(app)
            await pilot.press("n")
            await assert_settled(app, pilot, v)
            for _ in range(3):
                await pilot.press("left_square_bracket")
                await assert_settled(app, pilot, v)
        assert ents(workdir, SECOND)[0][:2] == ("2024-10-24 Open", "DATE")


async def test_every_action_leaves_the_screen_as_a_fresh_render(
    make_app: MakeApp, workdir: Path
) -> None:
    """Moves, edits, plain reading and undo, on emoji, CJK, combining marks and CRLF."""
    _write(workdir, "hostile.txt", HOSTILE * 6)
    app = make_app(first=("hostile.txt",))
    async with app.run_test(size=(50, 16)) as pilot:
        await ready(app, pilot)
        v = view(app)
        script = [
            ("l",), ("L", "L", "1"), ("j", "j"), ("2",), ("right_square_bracket",),
            ("p",), ("pagedown",), ("3",), ("p",), ("left_curly_bracket",), ("x",),
            ("u",), ("u",), ("end",), ("4",), ("ctrl+shift+right",), ("home",),
            ("ctrl+r",), ("pagedown", "pagedown"), ("k",), ("A",),
        ]  # fmt: skip
        for keys in script:
            await pilot.press(*keys)
            await assert_settled(app, pilot, v)


# -- defect 5: the cursor only rests where something is drawn ----------------------------


async def test_h_from_a_line_start_lands_on_the_previous_word(
    make_app: MakeApp, workdir: Path
) -> None:
    app = make_app(first=(f"{SECOND}.txt",))
    async with app.run_test(size=SIZE) as pilot:
        await ready(app, pilot)
        v = view(app)
        assert cursor_text(v) == "date"  # not the space the article starts with
        while cursor_text(v) != "Xi":
            await pilot.press("l")
        await pilot.press("h")
        assert cursor_text(v) == "Menu"
        await pilot.press("1")
    assert ("Menu", "PERSON", "user") in ents(workdir, SECOND)


async def test_the_cursor_never_rests_on_whitespace_joiners_or_modifiers(
    make_app: MakeApp, workdir: Path
) -> None:
    _write(workdir, "hostile.txt", HOSTILE)
    app = make_app(first=("hostile.txt",))
    async with app.run_test(size=SIZE) as pilot:
        await ready(app, pilot)
        v = view(app)
        seen = []
        while True:
            shown = cursor_text(v)
            seen.append(shown)
            assert shown.strip() == shown and shown
            assert shown[0] not in "\u200d\ufe0f\u0301" and shown[0] not in "🏽"
            if v.cursor == len(v.tokens) - 1:
                break
            await pilot.press("l")
        assert "👍🏽" in seen  # the modifier travels with its emoji
        while v.cursor > 0:
            await pilot.press("h")
            assert cursor_text(v).strip()
        await pilot.press("l", "1")  # "👨" plus its joiner, a one-token entity
    assert ents(workdir, "hostile")[0][1] == "PERSON"


# -- defect 6: selections stay in a line; replaced entities are announced ----------


async def test_a_selection_stops_at_the_line_break(make_app: MakeApp, workdir: Path) -> None:
    """The issue's case: ``L`` 25 times across a blank line, then ``7``."""
    app = make_app(first=(f"{FIRST}.txt",))
    notes = _notes(app)
    async with app.run_test(size=SIZE) as pilot:
        await ready(app, pilot)
        v = view(app)
        before = ents(workdir, FIRST)
        line_end = v.text.index("\n")
        while v.tokens.ends[v.cursor] < line_end - 30:
            await pilot.press("l")
        await pilot.press(*["L"] * 25)
        assert v.selection is not None and v.selection[1] <= line_end
        told = [n for n in notes if "one line" in n]
        assert len(told) == 1  # said once, not once per key
        await pilot.press("7")
        await assert_settled(app, pilot, v)
    after = ents(workdir, FIRST)
    event = [e for e in after if e[1] == "EVENT"]
    assert len(event) == 1 and "\n" not in event[0][0]
    assert len(after) == len(before) + 1  # nothing on the next line was swallowed


async def test_an_edit_that_replaces_entities_says_how_many_and_u_restores_them(
    make_app: MakeApp, workdir: Path
) -> None:
    app = make_app(first=(f"{FIRST}.txt",))
    notes = _notes(app)
    async with app.run_test(size=SIZE) as pilot:
        await ready(app, pilot)
        before = ents(workdir, FIRST)
        await pilot.press("n", "L", "L", "L", "L", "2")  # over "China" and "Iran", both GPE
        assert ents(workdir, FIRST)[0] == ("China expressed support for Iran", "ORG", "user")
        assert any("2 other entities" in n for n in notes), notes
        await pilot.press("u")
    assert ents(workdir, FIRST) == before


# -- defect 7: the start of a span moves by character too --------------------------------


async def test_ctrl_shift_arrows_move_the_start_by_a_character(
    make_app: MakeApp, workdir: Path
) -> None:
    app = make_app(first=(f"{FIRST}.txt",))
    async with app.run_test(size=SIZE) as pilot:
        await ready(app, pilot)
        await pilot.press("n", "ctrl+shift+right")  # on "China" GPE
        assert ents(workdir, FIRST)[0] == ("hina", "GPE", "user")
        await pilot.press("ctrl+shift+left")
        assert ents(workdir, FIRST)[0] == ("China", "GPE", "user")


async def test_a_cjk_run_is_cut_by_character_at_both_ends(make_app: MakeApp, workdir: Path) -> None:
    _write(workdir, "cjk.txt", "東京都知事選挙で小池百合子氏が当選した。\r\n")
    app = make_app(first=("cjk.txt",))
    async with app.run_test(size=SIZE) as pilot:
        await ready(app, pilot)
        v = view(app)
        await pilot.press("L", "H")  # a selection of the whole first token
        assert v.selection is not None
        start, end = v.selection
        await pilot.press("ctrl+shift+right", "ctrl+shift+right")
        await pilot.press(*["ctrl+left"] * (end - start - 5))
        assert v.selection == (start + 2, start + 5)
        await assert_settled(app, pilot, v)
        await pilot.press("3")
    assert ents(workdir, "cjk")[0] == ("都知事", "GPE", "user")


async def test_ctrl_left_on_a_selection_shows_its_true_end(
    make_app: MakeApp, workdir: Path
) -> None:
    app = make_app(first=(f"{FIRST}.txt",))
    async with app.run_test(size=SIZE) as pilot:
        await ready(app, pilot)
        v = view(app)
        await pilot.press("L", "L")  # "Shafaq News/ China", the cursor on "China"
        assert v.selection is not None
        end = v.selection[1]
        inside = _cell_styles(v, end - 1)
        await pilot.press("ctrl+left")
        assert _cell_styles(v, end - 1) != inside  # "a" of China is no longer selected
        assert _cell_styles(v, end - 1).reverse is not True
        await pilot.press("ctrl+shift+right")
        start = v.selection[0] if v.selection else 0
        assert _cell_styles(v, start - 1).reverse is not True
        await assert_settled(app, pilot, v)
        await pilot.press("2")
    assert ents(workdir, FIRST)[0] == ("hafaq News/ Chin", "ORG", "user")
    assert toml(workdir, FIRST)["status"] == "in_progress"


async def test_character_moves_keep_a_selection_in_its_line(
    make_app: MakeApp, workdir: Path
) -> None:
    """CRLF breaks too: ctrl+right at a line's end stops there, ctrl+shift+left at
    the start of the next one stops there."""
    _write(workdir, "crlf.txt", "First para ends\r\n\r\nSecond one\r\n")
    app = make_app(first=("crlf.txt",))
    async with app.run_test(size=SIZE) as pilot:
        await ready(app, pilot)
        v = view(app)
        await pilot.press("l", "l", "H", "L")  # a selection of "ends"
        await pilot.press(*["ctrl+right"] * 6)
        assert v.selection == (11, 15)
        await pilot.press("escape", "j", "H", *["ctrl+shift+left"] * 6)  # "Second one"
        assert v.selection == (19, 29)
        await pilot.press("1")
        await assert_settled(app, pilot, v)
    assert ents(workdir, "crlf") == [("Second one", "PERSON", "user")]


async def test_brackets_never_grow_an_entity_over_a_line_break(
    make_app: MakeApp, workdir: Path
) -> None:
    """The cursor skips breaks, so the token after a line's last is in the next one:
    ``]`` and ``{`` still stop at the break (CRLF too), and say so."""
    _write(workdir, "crlf.txt", "First para ends.\r\n\r\nSecond one\r\n")
    app = make_app(first=("crlf.txt",))
    notes = _notes(app)
    async with app.run_test(size=SIZE) as pilot:
        await ready(app, pilot)
        await pilot.press("l", "l", "1", "right_square_bracket")  # "ends."
        await pilot.press("right_square_bracket")
        assert notes[-1] == "An entity cannot cross a line break."
        assert ents(workdir, "crlf") == [("ends.", "PERSON", "user")]
        await pilot.press("j", "h", "2", "left_curly_bracket")  # "Second" cannot take "."
        assert notes[-1] == "An entity cannot cross a line break."
    assert ents(workdir, "crlf") == [("ends.", "PERSON", "user"), ("Second", "ORG", "user")]


# -- the reader's trust: no key raises, type-ahead, the screen is the file --------------


async def test_tab_B_then_1_is_refused_with_a_notice_and_the_cursor_leaves_the_chrome(
    make_app: MakeApp, workdir: Path
) -> None:
    """The issue's crash: ``1`` on text ``B`` just marked raised out of the action."""
    app = make_app()
    notes = _notes(app)
    async with app.run_test(size=(140, 45)) as pilot:
        await ready(app, pilot)
        await pilot.press("tab", "B")
        right = view(app, "right")
        assert right.document is not None and right.document.excluded
        # B moved the cursor out of the chrome it marked, to the nearest article text
        assert right.document.excluded_at(*right.tokens.span(right.cursor)) is None
        right.move_to(0)  # back into the chrome by hand: a label key is refused, not raised
        await pilot.press("1")
        assert app.is_running and app._exception is None
        assert notes[-1].startswith("That is in text marked as not article text")
        await assert_settled(app, pilot, right)
    assert all(e[2] != "user" for e in ents(workdir, SECOND))


async def test_tab_B_in_one_burst_goes_to_the_pane_switched_to(
    make_app: MakeApp, workdir: Path
) -> None:
    app = make_app()
    notes = _notes(app)
    async with app.run_test(size=(140, 45)) as pilot:
        await ready(app, pilot)
        await burst(app, pilot, "tab", "B", "slash", *"Raisi", "enter", "1")
        left, right = view(app, "left"), view(app, "right")
        assert right.has_focus
        assert left.document is not None and not left.document.excluded
        assert right.document is not None and right.document.excluded
        assert not any(n.startswith("No page chrome") for n in notes)
        assert cursor_text(right) == "Raisi"
    assert labelled(workdir, SECOND, "Raisi")[0] == "PERSON"
    assert "excluded" in toml(workdir, SECOND) and "excluded" not in toml(workdir, FIRST)


async def test_keys_typed_ahead_are_applied_on_a_machine_too_busy_for_timers(
    make_app: MakeApp, workdir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """On a loaded machine a timer can start after its moment; Textual then skips its tick.
    Here every timer starts late: keys held for the app to settle must still be applied."""
    import textual.timer

    late = iter(range(10**9))
    real = textual.timer._time.get_time
    monkeypatch.setattr(textual.timer._time, "get_time", lambda: real() + next(late) * 0.01)
    app = make_app()
    async with app.run_test(size=(140, 45)) as pilot:
        await ready(app, pilot)
        waits, settled = iter([False] * 5), app._settled
        monkeypatch.setattr(app, "_settled", lambda: next(waits, None) is None and settled())
        await burst(app, pilot, "tab", "slash", *"Raisi", "enter", "1")
        assert cursor_text(view(app, "right")) == "Raisi"
    assert labelled(workdir, SECOND, "Raisi")[0] == "PERSON"


async def test_after_B_every_edit_is_drawn_on_its_own_rows(
    make_app: MakeApp, workdir: Path
) -> None:
    """The issue's case: B in 004, then ``/Western⏎ 5`` and ``/Raisi⏎ 1``, typed fast. B's
    edit spans the whole article: wrapping it again once mis-placed the rows after it."""
    for size in ((140, 45), (80, 24)):
        for old in (workdir / "annotations").glob("*.toml"):
            old.unlink()
        app = make_app()
        async with app.run_test(size=size) as pilot:
            await ready(app, pilot)
            right = view(app, "right")
            await burst(app, pilot, "tab", "B")
            await assert_settled(app, pilot, right)
            await burst(app, pilot, "slash", *"Western", "enter", "5")
            await assert_settled(app, pilot, right)
            await burst(app, pilot, "slash", *"Raisi", "enter", "2", "1")
            await assert_settled(app, pilot, right)
            await burst(app, pilot, "pagedown", "pageup", "pagedown")
            await assert_settled(app, pilot, right)
        assert labelled(workdir, SECOND, "Western") == ["NORP"]
        assert labelled(workdir, SECOND, "Raisi")[0] == "PERSON"


CHROME = (
    "Home | World | News | Sport\n\n"
    + ("The leaders met in Beijing on Monday and talked about trade. " * 3 + "\n\n") * 4
    + "Related: "
    + "China Iran " * 12
    + "\n\nShare this story\n"
)


async def test_after_B_the_rows_below_an_edit_are_where_they_were(
    make_app: MakeApp, workdir: Path
) -> None:
    """B's edit spans the article; wrapping it again, a line near the end lost rows (its
    tags went), and every line between had its rows misplaced, so the next edit was drawn
    over another paragraph until a restart."""
    _write(workdir, "chrome.txt", CHROME)
    app = make_app(first=("chrome.txt",))
    async with app.run_test(size=(60, 30)) as pilot:
        await ready(app, pilot)
        v = view(app)
        await pilot.press("B")
        await assert_settled(app, pilot, v)
        await pilot.press("n", "x", "j", "j", "j", "3", "pagedown", "pageup")
        await assert_settled(app, pilot, v)
        await pilot.press("u", "u", "u")
        await assert_settled(app, pilot, v)


async def test_w_S_and_brackets_show_the_new_spans_at_once(
    make_app: MakeApp, workdir: Path
) -> None:
    """Old spans stayed on screen after ``w S`` and ``] ]`` until the cursor moved."""
    app = make_app(first=(f"{FIRST}.txt",))
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(app, pilot)
        v = view(app)
        await burst(app, pilot, "L", "L", "2")  # "Shafaq News/ China": a separator inside
        await burst(app, pilot, "home", "w", "S")
        await assert_settled(app, pilot, v)
        await burst(app, pilot, "right_square_bracket", "right_square_bracket")
        await assert_settled(app, pilot, v)
    assert ents(workdir, FIRST)[0][:2] == ("Shafaq News/ China expressed", "ORG")

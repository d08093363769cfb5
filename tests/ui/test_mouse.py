"""The mouse: a click moves the cursor, a drag selects, a double click selects an entity,
and after the wheel the cursor follows the view (the choice stated in the README)."""

from __future__ import annotations

from pathlib import Path

from textual import events
from textual.scrollbar import ScrollTo

from tests.ui.conftest import FIRST, SECOND, MakeApp, cursor_text, ents, ready, view
from tests.ui.test_view import assert_settled
from tui.widgets.article_view import ArticleView

SIZE = (80, 24)


def _at(v: ArticleView, offset: int) -> tuple[int, int]:
    """Where the character at ``offset`` is drawn, relative to the view (border included)."""
    row = v.row_of(offset) - round(v.scroll_y)
    return v.gutter.left + v.col_of(offset), v.gutter.top + row


def _word(v: ArticleView, word: str, nth: int = 0) -> int:
    offset = -1
    for _ in range(nth + 1):
        offset = v.text.index(word, offset + 1)
    return offset


async def test_a_click_puts_the_cursor_on_the_word(make_app: MakeApp, workdir: Path) -> None:
    app = make_app(first=(f"{FIRST}.txt",))
    async with app.run_test(size=SIZE) as pilot:
        await ready(app, pilot)
        v = view(app)
        x, y = _at(v, _word(v, "expressed") + 3)  # the middle of the word
        await pilot.click(v, offset=(x, y))
        assert cursor_text(v) == "expressed"
        await assert_settled(app, pilot, v)
        await pilot.press("4")
    assert ("expressed", "LOC", "user") in ents(workdir, FIRST)


async def test_a_click_on_cjk_and_emoji_lands_on_that_token(
    make_app: MakeApp, workdir: Path
) -> None:
    text = "Family 👨\u200d👩\u200d👧 met 東京 Cafe\u0301 staff.\r\nNext line.\n"
    (workdir / "articles" / "wide.txt").write_text(text, "utf-8", newline="")
    app = make_app(first=("wide.txt",))
    async with app.run_test(size=SIZE) as pilot:
        await ready(app, pilot)
        v = view(app)
        for target in ("東京", "Cafe\u0301", "staff", "Next", "👩"):
            offset = text.index(target)
            x, y = _at(v, offset)
            await pilot.click(v, offset=(x + 1 if target == "東京" else x, y))
            assert cursor_text(v).startswith(target), target


async def test_a_drag_selects_whole_tokens(make_app: MakeApp, workdir: Path) -> None:
    app = make_app(first=(f"{FIRST}.txt",))
    async with app.run_test(size=SIZE) as pilot:
        await ready(app, pilot)
        v = view(app)
        await pilot.mouse_down(v, offset=_at(v, _word(v, "China") + 2))
        await pilot.hover(v, offset=_at(v, _word(v, "support") + 1))
        await pilot.mouse_up(v, offset=_at(v, _word(v, "support") + 1))
        assert v.selection is not None
        assert v.text[v.selection[0] : v.selection[1]] == "China expressed support"
        await assert_settled(app, pilot, v)
        await pilot.press("2")
    assert ents(workdir, FIRST)[0] == ("China expressed support", "ORG", "user")


async def test_a_drag_stops_at_the_paragraph_break(make_app: MakeApp, workdir: Path) -> None:
    app = make_app(first=(f"{FIRST}.txt",))
    async with app.run_test(size=SIZE) as pilot:
        await ready(app, pilot)
        v = view(app)
        await pilot.mouse_down(v, offset=_at(v, _word(v, "between")))
        await pilot.hover(v, offset=_at(v, _word(v, "meeting")))
        await pilot.mouse_up(v, offset=_at(v, _word(v, "meeting")))
        assert v.selection is not None
        assert "\n" not in v.text[v.selection[0] : v.selection[1]]


async def test_a_double_click_on_an_entity_selects_it(make_app: MakeApp, workdir: Path) -> None:
    app = make_app(first=(f"{FIRST}.txt",))
    async with app.run_test(size=SIZE) as pilot:
        await ready(app, pilot)
        v = view(app)
        await pilot.double_click(v, offset=_at(v, _word(v, "Yi")))  # "Wang Yi" PERSON
        assert v.selection is not None
        assert v.text[v.selection[0] : v.selection[1]] == "Wang Yi"
        await assert_settled(app, pilot, v)
        await pilot.press("2")
    assert ("Wang Yi", "ORG", "user") in ents(workdir, FIRST)


async def _wheel(v: ArticleView, pilot: object, down: bool, times: int) -> None:
    kind = events.MouseScrollDown if down else events.MouseScrollUp
    for _ in range(times):
        v.post_message(kind(v, 5, 5, 0, 1 if down else -1, 0, False, False, False, 5, 5))
        await pilot.pause()  # type: ignore[attr-defined]


async def test_after_the_wheel_the_cursor_follows_the_view(
    make_app: MakeApp, workdir: Path
) -> None:
    app = make_app(first=(f"{FIRST}.txt",))
    async with app.run_test(size=SIZE) as pilot:
        await ready(app, pilot)
        v = view(app)
        await _wheel(v, pilot, down=True, times=8)
        top = round(v.scroll_y)
        assert top > 0
        assert v.row_of(v.tokens.starts[v.cursor]) == top  # on the first row shown
        await pilot.press("l")
        assert round(v.scroll_y) == top  # the next key acts here: no jump back
        await assert_settled(app, pilot, v)
        shown = cursor_text(v)
        await pilot.press("1")
        await _wheel(v, pilot, down=True, times=8)
        assert v.row_of(v.tokens.starts[v.cursor]) == round(v.scroll_y)
        await _wheel(v, pilot, down=False, times=20)
        assert round(v.scroll_y) == 0
        bottom = v.scrollable_content_region.height - 1
        row = v.row_of(v.tokens.starts[v.cursor])
        assert row <= bottom  # on the last row shown that holds a word
        assert all(v.row_of(start) <= row for start in v.tokens.starts if v.row_of(start) <= bottom)
        await assert_settled(app, pilot, v)
    assert (shown, "PERSON", "user") in ents(workdir, FIRST)


async def test_a_click_in_the_other_pane_moves_the_focus_there(
    make_app: MakeApp, workdir: Path
) -> None:
    app = make_app()
    async with app.run_test(size=(120, 30)) as pilot:
        await ready(app, pilot)
        right = view(app, "right")
        await pilot.click(right, offset=_at(right, _word(right, "Pledges")))
        assert app.screen.focused is right
        assert cursor_text(right) == "Pledges"
        await pilot.press("2")
    assert ("Pledges", "ORG", "user") in ents(workdir, SECOND)


async def test_after_the_scrollbar_the_cursor_follows_the_view(
    make_app: MakeApp, workdir: Path
) -> None:
    app = make_app(first=(f"{FIRST}.txt",))
    async with app.run_test(size=SIZE) as pilot:
        await ready(app, pilot)
        v = view(app)
        v.post_message(ScrollTo(y=12, animate=True))  # what a drag of the thumb sends
        await pilot.wait_for_scheduled_animations()
        await pilot.pause()
        top = round(v.scroll_y)
        assert top == 12
        assert v.row_of(v.tokens.starts[v.cursor]) == top
        await assert_settled(app, pilot, v)
        bar = v.vertical_scrollbar.region
        await pilot.click(offset=(bar.x, bar.bottom - 1))  # on the track below the thumb
        await pilot.wait_for_scheduled_animations()
        await pilot.pause()
        assert round(v.scroll_y) > top
        assert v.row_of(v.tokens.starts[v.cursor]) == round(v.scroll_y)
        await assert_settled(app, pilot, v)

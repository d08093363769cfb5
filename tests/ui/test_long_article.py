"""A long article opens without wrapping or tokenizing all of it: the lines on screen and
around the cursor are wrapped, the rest when reached; the end, search and edits far down still
land where they should, on rows a fresh wrap would give.
"""

from __future__ import annotations

from pathlib import Path

from tests.ui.conftest import FIRST, HeldModel, MakeApp, burst, ready, view
from tests.ui.test_view import assert_settled
from tui.core.tokens import for_cursor, regex_tokens
from tui.widgets.article_view import drawable
from tui.widgets.rows import EAGER_CHARS

SIZE = (100, 30)
TAIL = "In the end Zanzibar signed the accord.\n"


def _long(workdir: Path) -> str:
    seed = (workdir / "articles" / f"{FIRST}.txt").read_text("utf-8")
    paragraphs = [p.strip() for p in seed.split("\n\n") if p.strip()]
    body = "\n\n".join(paragraphs * (3 * EAGER_CHARS // len(seed) + 1))
    text = body + "\n\n" + TAIL
    (workdir / "articles" / "long.txt").write_text(text, "utf-8")
    return text


async def test_a_long_article_wraps_only_what_is_shown_and_reached(
    make_app: MakeApp, workdir: Path, ruler_pipeline: object
) -> None:
    text = _long(workdir)
    model = HeldModel(ruler_pipeline)  # type: ignore[arg-type]
    app = make_app(first=("long.txt",), factory=model)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        v = view(app)
        layout = v.row_layout
        height = v.scrollable_content_region.height
        assert v.text == text and len(layout.lines) > 2000
        shown = "".join(s.text for s in v.render_line(0))
        assert shown.startswith(text[:20])
        wrapped = layout.wrapped()
        assert 0 < len(wrapped) < 3 * height  # the screen and a screen around the cursor
        assert max(wrapped) < 3 * height
        tokenizing = [w for w in app.workers if w.group == "view-tokens"]
        if tokenizing:  # (an empty list waits for every worker, the held model's too)
            await app.workers.wait_for_complete(tokenizing)
        await pilot.pause()
        assert v.tokens == for_cursor(regex_tokens(text), text, drawable)  # all, by now
        model.release()
        await ready(app, pilot)

        await burst(app, pilot, "end")  # its lines are wrapped, not those between
        assert text[slice(*v.tokens.span(v.cursor))] == "."
        assert len(v.row_layout.wrapped()) < 6 * height
        assert any("Zanzibar" in "".join(s.text for s in v.render_line(y)) for y in range(height))
        await assert_settled(app, pilot, v)

        await burst(app, pilot, "home", "slash", *"Zanzibar", "enter")
        assert v.tokens.span(v.cursor) == (text.index("Zanzibar"), text.index("Zanzibar") + 8)
        await burst(app, pilot, "2")  # labelled far down: its line re-wrapped with the tag
        assert any(e.start == text.index("Zanzibar") for e in v.document.entities)
        await burst(app, pilot, "u")
        assert not any(e.start == text.index("Zanzibar") for e in v.document.entities)
        await assert_settled(app, pilot, v)
        assert len(v.row_layout.wrapped()) < 10 * height  # still far from all


async def test_keys_past_the_first_tokens_find_the_rest_at_once(
    make_app: MakeApp, workdir: Path, ruler_pipeline: object
) -> None:
    """Before the thread has found a long article's other tokens, the end key and a search
    hit far down go where they should: the rest are found there and then."""
    text = _long(workdir)
    model = HeldModel(ruler_pipeline)  # type: ignore[arg-type]
    app = make_app(first=("long.txt",), factory=model)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        v = view(app)
        document = v.document
        v.show(document)  # no frame since: only the first tokens are known
        assert v.tokens.ends[-1] < len(text) // 2
        v.action_edge(1)
        assert v.tokens.span(v.cursor) == (len(text) - 2, len(text) - 1)  # the final "."
        v.show(document)
        v.move_to_offset(text.index("Zanzibar"))
        assert text[slice(*v.tokens.span(v.cursor))] == "Zanzibar"
        await pilot.pause()
        await assert_settled(app, pilot, v)
        model.release()

"""A seeded random key test over the real app: the reader's trust, checked after every step.

Random steps of reader keys (moves, selections, labels, ``x``, ``[``/``]``, ``S``, ``B``, ``X``,
``T``, ``A``, ``ctrl+a`` previews, ``u``/``ctrl+r``, ``/`` searches, ``o``, ``tab``, both panes
on one article) go to the app in bursts, without waiting for a refresh between the keys of a
step, as a fast typist or a paste sends them. After every step: nothing raised, each pane draws
what a fresh layout and render of its state would, the side panel describes the entity under
the focused cursor, and once the writer has flushed, every TOML holds its document.

A failure names the seed and prints the steps so far, to replay with
``NEWSMARK_MONKEY_SEED=<seed>``. ``NEWSMARK_MONKEY_KEYS=100000`` runs a long one.
"""

from __future__ import annotations

import os
import random
from pathlib import Path
from typing import Any

import pytest
from textual.strip import Strip

from tests.ui.conftest import FIRST, MakeApp, burst, ready, toml
from tests.ui.test_view import HOSTILE, _simplified, assert_settled
from tui.app import NewsmarkApp
from tui.screens.main import MainScreen
from tui.widgets import rows
from tui.widgets.article_view import ArticleView
from tui.widgets.rows import RowLayout

KEYS = int(os.environ.get("NEWSMARK_MONKEY_KEYS", "0"))
SEED = os.environ.get("NEWSMARK_MONKEY_SEED")

CRLF = (
    "Seoul\r\n\r\nMoon Jae-in met 習近平 in Beijing on Monday.\r\n"
    "The talks — 会談 — lasted 3 hours 🕒 and ended with a toast 🥂.\r\n\r\n"
    "Related Topics\r\nChina Iran\r\n"
)

# Keys of one step, by weight: a step is typed as one burst.
MOVES = ["l", "h", "j", "k", "right", "left", "down", "up", "pagedown", "pageup", "home", "end"]
JUMPS = ["n", "N", "w", "W", "enter"]
SELECT = ["L", "H", "shift+right", "shift+left", "escape"]
EDITS = [
    *"123456789",
    "x",
    "left_square_bracket",
    "right_square_bracket",
    "left_curly_bracket",
    "right_curly_bracket",
    "ctrl+left",
    "ctrl+right",
    "ctrl+shift+left",
    "ctrl+shift+right",
    "S",
    "A",
    "u",
    "u",
    "ctrl+r",
]
EXCLUDE = ["B", "X", "T"]


def _words(text: str) -> list[str]:
    return [w for w in text.split() if w.isalpha() and len(w) > 2] or ["zzz"]


def step(rng: random.Random, v: ArticleView | None) -> list[str]:
    """One step: a key or a short burst, sometimes through a modal screen."""
    roll = rng.random()
    if roll < 0.30:
        return [rng.choice(MOVES) for _ in range(rng.randint(1, 3))]
    if roll < 0.38:
        return [rng.choice(JUMPS)]
    if roll < 0.48:
        return [rng.choice(SELECT) for _ in range(rng.randint(1, 3))]
    if roll < 0.70:
        return [rng.choice(EDITS) for _ in range(rng.randint(1, 2))]
    if roll < 0.76:
        return [rng.choice(EXCLUDE), *([rng.choice(EDITS)] if rng.random() < 0.5 else [])]
    if roll < 0.82:
        first = ["tab"] if rng.random() < 0.5 else []
        return [*first, rng.choice([*EXCLUDE, *EDITS, *MOVES])]
    if roll < 0.88:
        word = rng.choice(_words(v.text if v is not None else "")) if rng.random() < 0.9 else "qq"
        after = [rng.choice(EDITS)] if rng.random() < 0.5 else []
        return ["slash", *word[: rng.randint(3, 8)], "enter", *after]
    if roll < 0.91:
        return ["ctrl+a", "wait", rng.choice(["enter", "escape", "plus", "enter"])]
    if roll < 0.94:
        return ["o", *["down"] * rng.randint(0, 3), "enter"]
    if roll < 0.96:
        return ["t", *rng.choice(["PER", "GPE", "org", "NEW_LABEL", ""]), "enter"]
    if roll < 0.98:
        return ["p"]
    return ["e", "down", "enter", "escape"]


def lines(v: ArticleView, *, fresh: bool = False) -> list[list[tuple[str, Any]]]:
    """The lines on screen: through the caches, or rendered afresh from the view's state."""
    height, width = v.scrollable_content_region.height, v.scrollable_content_region.width
    if not fresh:
        return _simplified([list(v.render_line(y)) for y in range(height)])
    top, rows = v.scroll_offset.y, len(v.row_layout)
    blank = Strip.blank(width, v.rich_style)
    out = [
        v.render_row(row, width, cached=False) if row < rows else blank
        for row in range(top, top + height)
    ]
    return _simplified([list(strip) for strip in out])


def check_view(v: ArticleView) -> None:
    """The rows and the lines on screen are what a fresh layout and render give."""
    if v.document is None or not v.display:
        return
    layout = v.row_layout
    fresh_layout = RowLayout(v.text, layout.width, v._tags, eager=False)
    assert layout.width == v._width(), "rows are laid out at another width"
    for index, starts in layout.wrapped().items():  # a long article's others are not yet
        fresh = [s for s, _ in fresh_layout.line_rows(index)]
        assert starts == fresh, f"line {index} has other rows than a fresh wrap"
    assert len(layout) == layout._counts.before(len(layout.lines)), "rows miscounted"
    shown, fresh = lines(v), lines(v, fresh=True)
    for y, (a, b) in enumerate(zip(shown, fresh, strict=True)):
        if a != b:
            text = "".join(ch for ch, _ in a)
            cells = [x for x, (p, q) in enumerate(zip(a, b, strict=False)) if p != q]
            raise AssertionError(
                f"line {y} of {v.id} differs from a fresh render at {cells}: {text!r}\n"
                f"drawn {a[cells[0]][1]}\nfresh {b[cells[0]][1]}\n"
                f"cursor {v.cursor} selection {v.selection} anchor {v.sel_anchor} "
                f"focus {v.has_focus} scroll {v.scroll_offset} tokens {len(v.tokens)}"
            )


def check_panel(screen: MainScreen) -> None:
    pane = screen.focused_pane
    shown = screen.panel.described
    assert shown is not None
    assert shown.entity == pane.view.entity_at_cursor(), "side panel describes another entity"


def check_files(app: NewsmarkApp, workdir: Path) -> None:
    """Every opened article's TOML, once written, holds its document."""
    session = app.session
    for article_id, annotated in session.opened.items():
        stem = article_id.removesuffix(".txt")
        document = annotated.document
        path = workdir / "annotations" / f"{stem}.toml"
        if not path.exists():
            assert not document.undo_stack and not document.redo_stack, f"{stem} never saved"
            continue
        data = toml(workdir, stem)
        # A person's entities exactly; the memory's new suggestions for an article nobody
        # edited since are shown at once and saved with the next edit (Session.resuggest).
        on_disk = [
            (e["start"], e["end"], e["label"]) for e in data["entities"] if e["source"] == "user"
        ]
        held = [(e.start, e.end, e.label) for e in document.entities if e.source == "user"]
        assert on_disk == held, f"{stem}: the TOML's entities differ from the screen's"
        excluded = [(r["start"], r["end"]) for r in data.get("excluded", [])]
        assert excluded == list(document.excluded), f"{stem}: excluded ranges differ"
        assert data["status"] == document.status, f"{stem}: status differs"


async def monkey(
    app: NewsmarkApp, workdir: Path, seed: int, keys: int, size: tuple[int, int], salt: int = 0
) -> None:
    rng = random.Random(seed + salt)
    script: list[list[str]] = []
    async with app.run_test(size=size) as pilot:
        screen = await ready(app, pilot)
        sent = 0
        try:
            while sent < keys:
                if not isinstance(app.screen, MainScreen):
                    await burst(app, pilot, "escape")
                    script.append(["escape"])
                    continue
                keys_now = step(rng, screen.focused_pane.view)
                script.append(keys_now)
                sent += len(keys_now)
                await burst(app, pilot, *keys_now)
                assert app._exception is None, f"raised: {app._exception!r}"
                if not isinstance(app.screen, MainScreen):
                    continue
                for pane in screen.panes:
                    check_view(pane.view)
                check_panel(screen)
                check_files(app, workdir)
            while not isinstance(app.screen, MainScreen):
                await burst(app, pilot, "escape")
            for pane in screen.panes:
                if pane.view.display:
                    await assert_settled(app, pilot, pane.view)
        except BaseException:
            replay = "\n".join(" ".join(keys) for keys in script[-40:])
            print(
                f"NEWSMARK_MONKEY_SEED={seed} at {size}, the last of {len(script)} steps "
                f"(one a line, each typed as one burst):\n{replay}"
            )
            raise


def _seeds(n: int) -> list[int]:
    return [int(SEED)] if SEED else list(range(n))


@pytest.mark.parametrize("seed", _seeds(3))
async def test_monkey_on_the_seeds(make_app: MakeApp, workdir: Path, seed: int) -> None:
    app = make_app()
    size = [(140, 45), (80, 24), (58, 20)][seed % 3]
    await monkey(app, workdir, seed, KEYS or 400, size)


@pytest.mark.parametrize("seed", _seeds(1))
async def test_monkey_with_lines_wrapped_when_reached(
    make_app: MakeApp, workdir: Path, seed: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The layout of a long article (lines wrapped as the screen or the cursor reaches them),
    on the seeds and on emoji, CJK and CRLF."""
    monkeypatch.setattr(rows, "EAGER_CHARS", 0)
    (workdir / "articles" / "hostile.txt").write_bytes((HOSTILE * 8).encode())
    (workdir / "articles" / "crlf.txt").write_bytes((CRLF * 6).encode())
    app = make_app(first=("hostile.txt", FIRST + ".txt"))
    await monkey(app, workdir, seed, KEYS or 300, (64, 18), salt=200)


@pytest.mark.parametrize("seed", _seeds(2))
async def test_monkey_on_emoji_cjk_and_crlf(make_app: MakeApp, workdir: Path, seed: int) -> None:
    (workdir / "articles" / "hostile.txt").write_bytes((HOSTILE * 4).encode())
    (workdir / "articles" / "crlf.txt").write_bytes((CRLF * 3).encode())
    app = make_app(first=("hostile.txt", "crlf.txt"))
    await monkey(app, workdir, seed, KEYS or 300, [(50, 16), (104, 30)][seed % 2], salt=100)

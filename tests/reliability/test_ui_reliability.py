"""The reader under hostile text, a held lock, an unwritable folder and a full disk.

Screen content is read from the article views' rendered strips (what Textual sends to the
terminal, cell by cell) and the app's exported screenshot; disk content byte for byte.
"""

from __future__ import annotations

import errno
import subprocess
import unicodedata
from pathlib import Path
from typing import Any

import pytest
from rich.cells import cell_len
from textual.strip import Strip

from tests.ui.conftest import notes_of
from tui.app import NewsmarkApp
from tui.core import store
from tui.core.lock import LOCK_NAME
from tui.core.ner import Pipeline
from tui.core.workspace import Workspace
from tui.screens.main import MainScreen
from tui.widgets import display
from tui.widgets.article_view import ArticleView
from tui.widgets.palette import label_style
from tui.widgets.status_bar import StatusBar

from .conftest import PYTHON, child_env
from .test_disk_failures import Faults
from .test_hostile_text import BLNS, FRAGMENTS

SIZE = (120, 30)
FIRST = "000_335ade4f03747110"


def make_app(workdir: Path, pipeline: Pipeline, *first: str) -> NewsmarkApp:
    ws = Workspace(workdir / "articles", workdir / "annotations")
    return NewsmarkApp(ws, first, pipeline_factory=lambda name: pipeline)


async def ready(app: NewsmarkApp, pilot: Any) -> MainScreen:
    for _ in range(2):
        await pilot.pause()
        await app.workers.wait_for_complete()
    await pilot.pause()
    return next(s for s in app.screen_stack if isinstance(s, MainScreen))


async def saved(app: NewsmarkApp, pilot: Any) -> None:
    """Wait for the session's writer, then for the screen to show what it reported."""
    app.session.flush()
    await pilot.pause()


def views(app: NewsmarkApp) -> list[ArticleView]:
    return [v for v in app.screen.query(ArticleView) if v.display]


def all_rows(view: ArticleView) -> list[Strip]:
    """Every row of the article as rendered, scrolling the view page by page."""
    rows: list[Strip] = []
    height = view.scrollable_content_region.height
    total = view.virtual_size.height
    for top in range(0, total, height):
        view.scroll_to(y=top, animate=False, immediate=True)
        offset = view.scroll_offset.y
        rows += [view.render_line(y) for y in range(top - offset, min(height, total - offset))]
    view.scroll_to(y=0, animate=False, immediate=True)
    assert len(rows) == total
    return rows


def acted_on(ch: str) -> bool:
    """A character a terminal would act on rather than print."""
    o = ord(ch)
    if o < 0x20 or 0x7F <= o < 0xA0:
        return True
    return unicodedata.category(ch) in ("Zl", "Zp") or unicodedata.bidirectional(ch) in (
        "LRE",
        "RLE",
        "LRO",
        "RLO",
        "PDF",
        "LRI",
        "RLI",
        "FSI",
        "PDI",
    )


def hostile_article() -> str:
    """Every fragment on its own line after a plain opening, then all of them in one line."""
    lines = ["A plain first line about nothing in particular."]
    lines += [f"line {i}: {frag} end" for i, frag in enumerate(FRAGMENTS)]
    lines.append("all: " + " ".join(FRAGMENTS) + " Iran and China.")
    return "\n".join(lines)


async def test_hostile_articles_reach_the_screen_only_as_text(
    workdir: Path, ruler_pipeline: Pipeline
) -> None:
    (workdir / "articles" / "zz_hostile.txt").write_text(hostile_article(), "utf-8", newline="")
    (workdir / "articles" / "zz_blns.txt").write_bytes(BLNS.read_bytes())
    app = make_app(workdir, ruler_pipeline, "zz_hostile.txt", "zz_blns.txt")
    async with app.run_test(size=SIZE) as pilot:
        await ready(app, pilot)
        shown = views(app)
        assert [v.document is not None for v in shown] == [True, True]
        for view in shown:
            base = view.rich_style
            width = view.scrollable_content_region.width
            for n, strip in enumerate(all_rows(view)):
                text = "".join(seg.text for seg in strip)
                bad = [hex(ord(ch)) for ch in text if acted_on(ch)]
                assert bad == [], f"{view.id} row {n}: {bad}"
                assert sum(cell_len(seg.text) for seg in strip) == width, f"row {n}: {text!r}"
                if "[bold red]x[/]" in text and n > 0:  # markup is not interpreted
                    seg = next(s for s in strip if "[bold red]x[/]" in s.text)
                    assert seg.style == base
        hostile = "\n".join("".join(s.text for s in r) for r in all_rows(shown[0]))
        assert "␛[2J" in hostile and "␛]52;c;" in hostile and "[link=https://evil" in hostile
        svg = app.export_screenshot()
        assert not [ch for ch in svg if acted_on(ch) and ch not in "\n\t"]


ARTICLE = (
    "Plain start. 👍🏽 Iran 中国 China café\u0301 Iran\tChina "
    "👨\u200d👩\u200d👧 Wang Yi e\u0301\u0323 China\r\n"
    "ｆｕｌｌ Iran \u200d China 🇺🇳 Xi Jinping and Iran."
)


async def test_highlights_stay_on_their_characters_in_wide_and_combining_text(
    workdir: Path, ruler_pipeline: Pipeline
) -> None:
    (workdir / "articles" / "zz_wide.txt").write_text(ARTICLE, "utf-8", newline="")
    app = make_app(workdir, ruler_pipeline, "zz_wide.txt")
    async with app.run_test(size=(60, 20)) as pilot:  # narrow: rows wrap inside the text
        await ready(app, pilot)
        view = views(app)[0]
        assert view.document is not None
        entities = view.document.entities
        assert len(entities) >= 8
        width = view.scrollable_content_region.width
        highlighted: list[str] = []
        for strip in all_rows(view):
            assert sum(cell_len(seg.text) for seg in strip) == width
            for seg in strip:
                if any(
                    seg.style and seg.style.bgcolor == label_style(e.label).bgcolor
                    for e in entities
                ):
                    highlighted.append(seg.text)
        # Each entity's characters, and nothing else, carry its colour (the label tag beside
        # it is a separate, darker segment).
        expected = [display.safe(view.text[e.start : e.end]) for e in entities]
        assert "".join(highlighted) == "".join(expected)


async def test_wide_and_odd_labels_keep_every_row_aligned(
    workdir: Path, ruler_pipeline: Pipeline
) -> None:
    """Labels come from hand-edited TOML or the label picker: CJK, emoji, controls."""
    (workdir / "articles" / "zz_wide.txt").write_text(ARTICLE, "utf-8", newline="")
    ws = Workspace(workdir / "articles", workdir / "annotations")
    annotated = ws.open("zz_wide.txt")
    text = annotated.article.text
    for needle, label in [("Iran", "地名"), ("China", "🌍 place"), ("Wang Yi", "per\x1b[2Json")]:
        i = text.index(needle)
        annotated.document.add(i, i + len(needle), label)
    ws.save(annotated)
    app = make_app(workdir, ruler_pipeline, "zz_wide.txt")
    async with app.run_test(size=(60, 20)) as pilot:
        await ready(app, pilot)
        view = views(app)[0]
        width = view.scrollable_content_region.width
        rows = all_rows(view)
        assert any("地名" in "".join(s.text for s in strip) for strip in rows)
        for n, strip in enumerate(rows):
            text_row = "".join(s.text for s in strip)
            assert not [ch for ch in text_row if acted_on(ch)]
            assert sum(cell_len(s.text) for s in strip) == width, f"row {n}: {text_row!r}"


def files_in(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


async def test_lock_held_by_another_process_opens_read_only_and_leaves_its_lock(
    workdir: Path, ruler_pipeline: Pipeline, monkeypatch: pytest.MonkeyPatch
) -> None:
    holder = subprocess.Popen(
        [PYTHON, str(Path(__file__).with_name("lock_holder.py")), str(workdir / "annotations")],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        env=child_env(),
    )
    assert holder.stdout is not None and holder.stdin is not None
    assert holder.stdout.readline().split() == ["locked", str(holder.pid)]
    lock_bytes = (workdir / "annotations" / LOCK_NAME).read_bytes()
    try:
        app = make_app(workdir, ruler_pipeline)
        notes = notes_of(app, monkeypatch)
        async with app.run_test(size=SIZE) as pilot:
            await ready(app, pilot)
            assert app.screen.query_one(StatusBar).state.read_only
            said = [n for n in notes if n.startswith("Read-only:")]
            assert len(said) == 1 and f"pid {holder.pid} on host" in said[0]
            await pilot.press("n", "1", "n", "x")
            view = views(app)[0]
            assert view.document is not None and view.document.undo_stack == []
            refused = [n for n in notes if n.startswith("Read-only, edits are refused")]
            assert len(refused) == 2 and f"pid {holder.pid}" in refused[0]
            assert not [n for n in notes if "Could not save" in n]
        assert files_in(workdir / "annotations") == [LOCK_NAME]
        assert (workdir / "annotations" / LOCK_NAME).read_bytes() == lock_bytes
    finally:
        holder.stdin.close()
        holder.wait()
    assert files_in(workdir / "annotations") == []


async def test_unwritable_annotations_folder_opens_read_only_and_says_why(
    workdir: Path, ruler_pipeline: Pipeline, monkeypatch: pytest.MonkeyPatch
) -> None:
    Faults(monkeypatch, workdir / "annotations").inject("open", errno.EROFS)
    app = make_app(workdir, ruler_pipeline)
    notes = notes_of(app, monkeypatch)
    async with app.run_test(size=SIZE) as pilot:
        await ready(app, pilot)
        assert app.screen.query_one(StatusBar).state.read_only
        said = [n for n in notes if n.startswith("Read-only:")]
        assert len(said) == 1 and "annotations cannot be written" in said[0]
        await pilot.press("n", "1")
        assert views(app)[0].entity_at_cursor() is not None
    assert files_in(workdir / "annotations") == []


async def test_disk_full_mid_session_keeps_edits_says_so_once_and_saves_later(
    workdir: Path, ruler_pipeline: Pipeline, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = make_app(workdir, ruler_pipeline)
    notes = notes_of(app, monkeypatch)
    toml = workdir / "annotations" / f"{FIRST}.toml"
    async with app.run_test(size=SIZE) as pilot:
        await ready(app, pilot)
        before = toml.read_bytes()  # the model's suggestions, saved at start
        listing = files_in(workdir / "annotations")
        faults = Faults(monkeypatch, workdir / "annotations")
        faults.inject("write", errno.ENOSPC, after=1)
        await pilot.press("n", "1", "n", "2", "n", "x")
        await saved(app, pilot)
        view = views(app)[0]
        assert view.document is not None
        kept = view.document.entities
        failed = [n for n in notes if "Could not save" in n]
        assert len(failed) == 1 and f"{FIRST}.toml" in failed[0] and "No space left" in failed[0]
        assert "NOT SAVED" in str(view.border_subtitle)
        assert toml.read_bytes() == before
        assert files_in(workdir / "annotations") == listing  # no temp file left
        faults.heal()
        await pilot.press("n", "3")
        await saved(app, pilot)
        assert len([n for n in notes if "nothing was lost" in n]) == 1
        final = view.document.entities
        # The saved file has every edit made while the disk was full, plus the last relabel.
        assert [(e.start, e.end) for e in final] == [(e.start, e.end) for e in kept]
        assert sum(a != b for a, b in zip(kept, final, strict=True)) == 1
    ws = Workspace(workdir / "articles", workdir / "annotations")
    assert store.load(toml, ws.corpus.read(f"{FIRST}.txt")).annotation.entities == final

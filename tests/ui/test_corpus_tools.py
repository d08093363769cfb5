"""The corpus index's own tools: what the memory holds and forgetting it, the two readings of
a hint, keeping its place, and suggesting the articles it does not know yet."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from textual.widgets import OptionList, SelectionList

from tests.ui.conftest import (
    FIRST,
    SECOND,
    MakeApp,
    cursor_text,
    ents,
    notes_of,
    ready,
    toml,
    view,
)
from tests.ui.test_corpus_index import write
from tui.core.article import read_article
from tui.core.memory import Memory, context
from tui.screens.corpus_index import CorpusIndexScreen, PreviewScreen

SIZE = (120, 32)


def index_of(app: object) -> CorpusIndexScreen:
    screen = getattr(app, "screen", None)
    assert isinstance(screen, CorpusIndexScreen) and screen.index is not None
    return screen


def highlight(screen: CorpusIndexScreen, text: str) -> None:
    assert screen.index is not None
    rows = [e.text for e in screen.index.entries]
    screen.query_one("#texts", OptionList).highlighted = rows.index(text)


async def test_a_remembered_deletion_is_said_where_it_applies_and_f_forgets_it(
    make_app: MakeApp, workdir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    text = read_article(workdir / "articles", f"{FIRST}.txt").text
    at = text.index("between China and") + len("between ")
    annotations = workdir / "annotations"
    memory = Memory(path=Memory.path_in(annotations))
    memory.reject("China", "GPE", *context(text, at, at + 5))
    memory.save()
    app = make_app(first=(f"{FIRST}.txt",))
    notes = notes_of(app, monkeypatch)
    async with app.run_test(size=SIZE) as pilot:
        await ready(app, pilot)
        v = view(app)
        assert v.document is not None
        china = [e.start for e in v.document.entities if e.text(text) == "China"]
        assert at not in china and len(china) == text.count("China") - 1
        said = [n for n in notes if n.startswith("The memory left out 'China' GPE")]
        assert len(said) == 1 and FIRST in said[0]
        await pilot.press("I")
        screen = index_of(app)
        entry = screen.index.find("China") if screen.index else None
        assert entry is not None and entry.remembered == ["deleted as GPE at 'between' ◂ ▸ 'and'"]
        assert "◆ memory: deleted as GPE" in str(screen._row(entry))
        highlight(screen, "China")
        await pilot.press("f")
        await app.workers.wait_for_complete()
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert any(n.startswith("Forgotten: 'China'") for n in notes)
        assert not Memory.load(annotations)
        entry = index_of(app).index.find("China")  # type: ignore[union-attr]
        assert entry is not None and not entry.remembered
        await pilot.press("escape", "a")
    assert ("China", "GPE", "model") in ents(workdir, FIRST)
    china = [e for e in ents(workdir, FIRST) if e[0] == "China"]
    assert len(china) == text.count("China")


async def test_o_goes_from_a_hint_to_the_other_reading_and_back(
    make_app: MakeApp, workdir: Path
) -> None:
    write(workdir, FIRST, "in_progress", [("Masoud Pezeshkian", "PERSON", "user")])
    write(workdir, SECOND, "in_progress", [("Pezeshkian", "NORP", "model")])
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await ready(app, pilot)
        await pilot.press("I")
        screen = index_of(app)
        entry = screen.highlighted()
        assert entry is not None and entry.text == "Pezeshkian"
        assert entry.hint == "part of 'Masoud Pezeshkian', a PERSON 1×"
        await pilot.press("o")
        assert (e := screen.highlighted()) is not None and e.text == "Masoud Pezeshkian"
        await pilot.press("o")
        assert (e := screen.highlighted()) is not None and e.text == "Pezeshkian"


async def test_the_index_keeps_its_place_and_enter_walks_the_occurrences(
    make_app: MakeApp, workdir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for stem in (FIRST, SECOND):
        write(workdir, stem, "unreviewed", [("China", "GPE", "model"), ("Iran", "GPE", "model")])
    app = make_app(first=(f"{FIRST}.txt",))
    notes = notes_of(app, monkeypatch)
    async with app.run_test(size=SIZE) as pilot:
        await ready(app, pilot)
        await pilot.press("I")
        screen = index_of(app)
        highlight(screen, "Iran")
        row = screen.query_one("#texts", OptionList).highlighted
        assert row is not None and row > 0
        await pilot.press("enter")
        await pilot.pause()
        assert cursor_text(view(app)) == "Iran" and notes[-1].startswith("'Iran': 1 of 2")
        await pilot.press("I")
        screen = index_of(app)
        assert screen.query_one("#texts", OptionList).highlighted == row
        await pilot.press("enter")
        await pilot.pause()
        v = view(app)
        assert v.document is not None and v.document.text.lstrip().startswith("date 2024")
        assert cursor_text(v) == "Iran" and notes[-1].startswith("'Iran': 2 of 2")
        await pilot.press("I", "escape", "I")
        assert index_of(app).query_one("#texts", OptionList).highlighted == row


async def test_s_suggests_the_articles_the_index_does_not_know(
    make_app: MakeApp, workdir: Path
) -> None:
    app = make_app(first=(f"{FIRST}.txt",))
    async with app.run_test(size=SIZE) as pilot:
        await ready(app, pilot)
        await pilot.press("I")
        screen = index_of(app)
        assert screen.index is not None and screen.index.find("Xinhua") is None  # only in SECOND
        assert "1 article has no suggestions yet, so the index does not know it" in str(
            screen.query_one("#title").render()
        )
        await pilot.press("s")
        await app.workers.wait_for_complete()
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        screen = index_of(app)
        assert screen.index is not None and screen.index.find("Xinhua") is not None
        assert "no suggestions yet" not in str(screen.query_one("#title").render())
    assert ("Xinhua", "ORG", "model") in ents(workdir, SECOND)


async def test_escape_stops_suggesting_and_keeps_what_was_written(
    make_app: MakeApp, workdir: Path
) -> None:
    for n in range(3):
        shutil.copy(workdir / "articles" / f"{SECOND}.txt", workdir / "articles" / f"9{n}.txt")
    app = make_app(first=(f"{FIRST}.txt",))
    async with app.run_test(size=SIZE) as pilot:
        screen = await ready(app, pilot)
        await pilot.press("I")
        index = index_of(app)
        with screen._nlp_lock:  # the model is busy: the run waits for its first article
            await pilot.press("s")
            assert "Suggesting 0 of 4 articles" in str(index.query_one("#title").render())
            await pilot.press("escape")
            assert "Stopping after 0 of 4" in str(index.query_one("#title").render())
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert app.screen is index and index.suggesting is None
        written = [p for p in (workdir / "annotations").glob("*.toml") if p.stem != FIRST]
        assert len(written) <= 1
        await pilot.press("escape")
        assert not isinstance(app.screen, CorpusIndexScreen)


async def test_the_preview_shows_each_change_in_its_line_and_space_unticks_one(
    make_app: MakeApp, workdir: Path
) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await ready(app, pilot)
        await pilot.press("I")
        highlight(index_of(app), "Iran")
        await pilot.press("4")  # LOC
        preview = app.screen
        assert isinstance(preview, PreviewScreen)
        first = read_article(workdir / "articles", f"{FIRST}.txt").text
        second = read_article(workdir / "articles", f"{SECOND}.txt").text
        places = len(re.findall(r"\bIran\b", first)) + len(re.findall(r"\bIran\b", second))
        assert len(preview.items) == places
        rows = preview.query_one("#changes", SelectionList)
        shown = str(rows.get_option_at_index(0).prompt)
        item = preview.items[0]
        before, changed, after = item.line(first)
        assert shown.startswith(FIRST) and f"{before}{changed} GPE→LOC{after}" in shown
        assert changed == "Iran" and before and "\n" not in before + after
        await pilot.press("space")
        assert f"{places - 1} of {places} places ticked" in str(
            preview.query_one("#title").render()
        )
        await pilot.press("enter")
        await pilot.pause()
    first_ents = toml(workdir, FIRST)["entities"]
    iran = [(e["start"], e["label"], e["source"]) for e in first_ents if e["text"] == "Iran"]
    # The place left unticked is the person's now: the memory (Iran LOC) never changes it.
    assert iran[0] == (item.start, "GPE", "user")
    assert {label for _, label, _ in iran[1:]} == {"LOC"}
    assert Memory.load(workdir / "annotations").labels == {"Iran": "LOC"}
    assert {label for t, label, _ in ents(workdir, SECOND) if t == "Iran"} == {"LOC"}

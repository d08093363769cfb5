"""Suggestions the model is unsure of: drawn apart, described, walked by w, v takes the other
reading."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from textual.widgets import Static

from tests.ui.conftest import FIRST, MakeApp, cursor_text, ents, notes_of, ready, saved, view
from tui.core import store
from tui.core.article import read_article
from tui.core.spans import Alternative, Entity
from tui.widgets.palette import unsure_tag_style
from tui.widgets.row_render import unsure as unsure_at

SIZE = (140, 34)


def write_scored(workdir: Path) -> tuple[int, int]:
    """FIRST with two scored suggestions: "Iran" sure, the lone "Pezeshkian" not."""
    article = read_article(workdir / "articles", f"{FIRST}.txt")
    text = article.text
    iran = text.index("Iran")
    pez = text.index("\nPezeshkian") + 1
    entities = (
        Entity(iran, iran + 4, "GPE", "model", None, 1.0),
        Entity(pez, pez + 10, "NORP", "model", None, 0.43, Alternative(pez, pez + 10, "ORG", 0.19)),
    )
    annotation = store.Annotation(article.id, article.sha256, entities=entities, model="m 1")
    store.save(workdir / "annotations" / f"{FIRST}.toml", annotation, text)
    return iran, pez


async def test_w_stops_at_an_unsure_suggestion_and_v_takes_the_other_reading(
    make_app: MakeApp, workdir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _, pez = write_scored(workdir)
    app = make_app(first=(f"{FIRST}.txt",))
    notes = notes_of(app, monkeypatch)
    async with app.run_test(size=SIZE) as pilot:
        await ready(app, pilot)
        v = view(app)
        sure, unsure = sorted(v.document.entities)[:2] if v.document else ((), ())
        assert not unsure_at(sure, v.low_confidence) and unsure_at(unsure, v.low_confidence)
        await pilot.press("home", "w")
        assert cursor_text(v) == "Pezeshkian" and v._cursor_offset() == pez
        assert notes[-1] == (
            "Likely error, the model is 43% sure; the other reading was ORG 19%: v takes it."
        )
        panel = str(app.screen.query_one("#under", Static).render())
        assert "The model is 43% sure; other reading ORG 19% (v)" in panel
        row = v.render_row(v.row_of(pez), 140, cached=False)
        assert any(seg.style == v.rich_style + unsure_tag_style("NORP") for seg in row)
        await pilot.press("v")
        await saved(app, pilot)
        assert ("Pezeshkian", "ORG", "user") in ents(workdir, FIRST)
        await pilot.press("v")
        assert notes[-1].startswith("The model had no other reading here")


async def test_a_threshold_of_zero_draws_nothing_apart(
    make_app: MakeApp, workdir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_scored(workdir)
    app = make_app(first=(f"{FIRST}.txt",))
    app.low_confidence = 0.0
    notes = notes_of(app, monkeypatch)
    async with app.run_test(size=SIZE) as pilot:
        await ready(app, pilot)
        v = view(app)
        assert v.document is not None
        assert not any(unsure_at(e, v.low_confidence) for e in v.document.entities)
        await pilot.press("home", "w")
        assert not any("sure" in note for note in notes)


async def test_the_reader_follows_the_uncertain_queue(tmp_path: Path, ruler_pipeline: Any) -> None:
    from tests.test_queue import corpus
    from tui.app import NewsmarkApp
    from tui.core import queue
    from tui.screens.articles import ArticlePicker

    workspace = corpus(tmp_path)
    expected, _ = queue.listing(workspace, "uncertain")
    app = NewsmarkApp(workspace, pipeline_factory=lambda name: ruler_pipeline, order="uncertain")
    assert app.first == expected[:2] == ["b.txt", "c.txt"]
    async with app.run_test(size=SIZE) as pilot:
        screen = await ready(app, pilot)
        assert [p.id for p in screen.panes] == ["b.txt", "c.txt"]
        await pilot.press("a")  # accept b: the next left to review, c being on the right
        assert screen.panes[0].id == "a.txt" == expected[2]
        await pilot.press("o")
        await pilot.pause()
        picker = app.screen
        assert isinstance(picker, ArticlePicker)
        assert picker.ids[:4] == ["f.txt", "b.txt", "c.txt", "a.txt"]

"""Marking text as not article text in the reader: the TOML, undo, search and the export."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.ui.conftest import SECOND, MakeApp, cursor_text, notes_of, ready, toml, view
from tui.cli import main
from tui.core import ner
from tui.core.ner import Pipeline

SIZE = (104, 30)


def tail_start(workdir: Path) -> int:
    return (workdir / "articles" / f"{SECOND}.txt").read_text("utf-8").index("Related Topics")


async def test_T_marks_the_tail_and_its_entities_leave_the_spacy_export(
    make_app: MakeApp,
    workdir: Path,
    ruler_pipeline: Pipeline,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    tail = tail_start(workdir)
    app = make_app(first=(f"{SECOND}.txt",))
    async with app.run_test(size=SIZE) as pilot:
        await ready(app, pilot)
        before = toml(workdir, SECOND)["entities"]
        assert {"China", "Iran", "Xi Jinping"} <= {e["text"] for e in before if e["start"] > tail}
        await pilot.press("slash", *"related topics", "enter")
        assert cursor_text(view(app)) == "Related"
        await pilot.press("T")
        v = view(app)
        line = "".join(s.text for s in v.render_line(v.row_of(tail) - round(v.scroll_y)))
        assert line.startswith("Related Topics")
        row = v.row_of(tail) - round(v.scroll_y) + 2  # "Assembly Attack Militants..."
        styles = [s.style for s in v.render_line(row) if s.text.strip()]
        assert styles and all(style is not None and style.italic for style in styles)  # dimmed
        await pilot.press("s")  # skipped: exported with --status all, unlabelled = unknown
    doc = toml(workdir, SECOND)
    text_length = len((workdir / "articles" / f"{SECOND}.txt").read_text("utf-8"))
    assert doc["excluded"] == [{"start": tail, "end": text_length}]
    assert doc["entities"] and all(e["end"] <= tail for e in doc["entities"])
    assert len(doc["entities"]) == len([e for e in before if e["end"] <= tail])

    import spacy
    from spacy.tokens import DocBin

    monkeypatch.setattr(ner, "load", lambda name=None, *_: ruler_pipeline)
    assert main(["export", "--format", "spacy", "--status", "all", "--out", "out"]) == 0
    vocab = spacy.blank("en").vocab
    docs = [
        d
        for part in ("train", "dev")
        for d in DocBin().from_disk(f"out/{part}.spacy").get_docs(vocab)
    ]
    (exported,) = [d for d in docs if "Related Topics" in d.text]
    assert [e.text for e in exported.ents] == [e["text"] for e in doc["entities"]]
    assert all(e.end_char <= tail for e in exported.ents)
    assert {t.ent_iob_ for t in exported if t.idx >= tail} == {""}  # missing, not O


async def test_X_excludes_a_paragraph_undo_brings_its_entities_back_and_search_skips_it(
    make_app: MakeApp, workdir: Path
) -> None:
    app = make_app(first=(f"{SECOND}.txt",))
    async with app.run_test(size=SIZE) as pilot:
        await ready(app, pilot)
        v = view(app)
        v.move_to_offset(tail_start(workdir) + len("Related Topics\n\n"))
        assert cursor_text(v) == "Assembly"
        await pilot.press("X")
        assert v.document is not None
        ((start, end),) = v.document.excluded
        assert v.text[start:end].startswith("Assembly") and v.text[start:end].endswith("Raisi")
        marked = toml(workdir, SECOND)
        assert not any(start <= e["start"] < end for e in marked["entities"])
        await pilot.press("home", "slash", *"raisi", "enter")
        assert cursor_text(v) == "Raisi"  # the one in the article, not the excluded list
        assert len(v.matches) == 1
        await pilot.press("u")
        assert v.document.excluded == ()
        undone = toml(workdir, SECOND)
        assert "excluded" not in undone
        assert any(start <= e["start"] < end for e in undone["entities"])
        await pilot.press("ctrl+r")
        assert v.document.excluded == ((start, end),)
        v.move_to_offset(start)
        await pilot.press("X")  # on excluded text: give it back
        assert v.document.excluded == ()
    assert "excluded" not in toml(workdir, SECOND)


async def test_B_marks_the_page_chrome_and_u_gives_it_back(
    make_app: MakeApp, workdir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    text = (workdir / "articles" / f"{SECOND}.txt").read_text("utf-8")
    kazan = text.index("Kazan, (APP")
    app = make_app(first=(f"{SECOND}.txt",))
    notes = notes_of(app, monkeypatch)
    async with app.run_test(size=SIZE) as pilot:
        await ready(app, pilot)
        before = toml(workdir, SECOND)["entities"]
        assert any(e["end"] <= kazan for e in before)  # the stand-in finds Xi in the title
        await pilot.press("B")
        await pilot.pause()
        doc = toml(workdir, SECOND)
        assert [(r["start"], r["end"]) for r in doc["excluded"]] == [
            (1, text.index("Kazan") - 2),
            (tail_start(workdir), len(text.rstrip())),
        ]
        kept = [e for e in before if kazan <= e["start"] and e["end"] <= tail_start(workdir)]
        assert [e["text"] for e in doc["entities"]] == [e["text"] for e in kept]
        gone = len(before) - len(kept)
        assert any(f"page chrome as not article text, with {gone} entities" in m for m in notes)
        await pilot.press("u")
        await pilot.pause()
    doc = toml(workdir, SECOND)
    assert "excluded" not in doc or doc["excluded"] == []
    assert len(doc["entities"]) == len(before)


async def test_B_on_an_article_without_chrome_says_so(
    make_app: MakeApp, workdir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = make_app()
    notes = notes_of(app, monkeypatch)
    async with app.run_test(size=SIZE) as pilot:
        await ready(app, pilot)
        await pilot.press("B")
        await pilot.pause()
        assert notes[-1] == "No page chrome here: the article starts and ends with sentences."


async def test_a_search_found_only_in_excluded_text_goes_there_and_says_so(
    make_app: MakeApp, workdir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = make_app(first=(f"{SECOND}.txt",))
    notes = notes_of(app, monkeypatch)
    async with app.run_test(size=SIZE) as pilot:
        await ready(app, pilot)
        await pilot.press("B")
        await pilot.press("home", "slash", *"militants world", "enter")
        v = view(app)
        assert cursor_text(v) == "Militants" and len(v.matches) == 1
        assert notes[-1] == (
            "'militants world' is only in text marked as not article text; X there gives it back."
        )
        await pilot.press("X")  # the related-topics tail is article text again
    text = (workdir / "articles" / f"{SECOND}.txt").read_text("utf-8")
    assert [r["start"] for r in toml(workdir, SECOND)["excluded"]] == [1]
    assert text.index("Militants") > tail_start(workdir)

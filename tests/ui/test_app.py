"""Start-up, saving failures, bad files, read-only mode and the text-to-cells rules."""

from __future__ import annotations

import errno
import threading
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest

from tests.ui.conftest import FIRST, SECOND, HeldModel, MakeApp, ents, ready, saved, toml, view
from tui import keys
from tui.core import lock, ner, store
from tui.core.ner import Pipeline
from tui.keys import table
from tui.widgets.status_bar import StatusBar

SIZE = (120, 30)
ROOT = Path(__file__).resolve().parents[2]


def screen_text(app: object) -> str:
    from textual.app import App

    assert isinstance(app, App)
    return app.export_screenshot()


async def test_text_is_on_screen_before_the_model_loads(
    make_app: MakeApp, workdir: Path, ruler_pipeline: Pipeline
) -> None:
    slow_model = HeldModel(ruler_pipeline)

    app = make_app(factory=slow_model)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        v = view(app)
        first_line = "".join(s.text for s in v.render_line(0))
        assert first_line.startswith("Shafaq News/ China")
        assert "GPE" not in first_line  # no suggestions yet
        assert "loading model" in app.screen.query_one(StatusBar).state.model
        assert not (workdir / "annotations" / f"{FIRST}.toml").exists()
        await pilot.press("l")  # keys work meanwhile, on the quick tokens
        slow_model.release()
        await ready(app, pilot)
        assert "GPE" in "".join(s.text for s in v.render_line(0))
    assert toml(workdir, FIRST)["status"] == "unreviewed"
    assert ents(workdir, FIRST)[0] == ("China", "GPE", "model")


async def test_articles_with_toml_never_run_the_model(make_app: MakeApp, workdir: Path) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await ready(app, pilot)
        await pilot.press("n", "x")
    kept = ents(workdir, FIRST)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await ready(app, pilot)
    assert ents(workdir, FIRST) == kept
    assert kept[0][0] == "Iran"  # the deleted first "China" was not suggested again


async def test_annotator_is_recorded(make_app: MakeApp, workdir: Path) -> None:
    app = make_app(annotator="kim")
    async with app.run_test(size=SIZE) as pilot:
        await ready(app, pilot)
        await pilot.press("n", "1")
    assert toml(workdir, FIRST)["annotator"] == "kim"


async def test_a_failed_save_keeps_the_edit_and_the_next_save_carries_it(
    make_app: MakeApp, workdir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = make_app()
    notes: list[str] = []
    async with app.run_test(size=SIZE) as pilot:
        await ready(app, pilot)
        real_save = store.save

        def full_disk(path: Path, annotation: object, text: str) -> None:
            raise OSError(errno.ENOSPC, "No space left on device")

        monkeypatch.setattr(store, "save", full_disk)
        monkeypatch.setattr(app, "notify", lambda message, **kw: notes.append(message))
        await pilot.press("n", "1", "n", "1")
        await saved(app, pilot)
        assert view(app).document is not None
        assert view(app).entity_at_cursor() is not None
        assert len([n for n in notes if "Could not save" in n]) == 1
        assert f"{FIRST}.toml" in notes[0] and "No space left" in notes[0]
        assert ents(workdir, FIRST)[0] == ("China", "GPE", "model")  # old file intact
        monkeypatch.setattr(store, "save", real_save)
        await pilot.press("n", "1")
    assert [label for _, label, _ in ents(workdir, FIRST)[:3]] == ["PERSON"] * 3


async def test_a_broken_toml_is_shown_read_only_and_never_overwritten(
    make_app: MakeApp, workdir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    broken = workdir / "annotations" / f"{FIRST}.toml"
    broken.write_text("schema = 1\nthis is not toml\n", "utf-8")
    before = broken.read_bytes()
    notes: list[str] = []
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        monkeypatch.setattr(app, "notify", lambda message, **kw: notes.append(message))
        await ready(app, pilot)
        await pilot.press("l", "1", "a")
        assert any("not valid TOML" in n for n in notes)
        assert "Shafaq" in "".join(s.text for s in view(app).render_line(0))
    assert broken.read_bytes() == before


async def test_a_held_lock_opens_read_only(make_app: MakeApp, workdir: Path) -> None:
    held = lock.acquire(workdir / "annotations")
    try:
        app = make_app()
        async with app.run_test(size=SIZE) as pilot:
            await ready(app, pilot)
            await pilot.press("n", "1")
            assert app.screen.query_one(StatusBar).state.read_only
            assert "READ-ONLY" in screen_text(app)
            assert view(app).entity_at_cursor() is not None
    finally:
        held.release()
    assert not (workdir / "annotations" / f"{FIRST}.toml").exists()
    assert not (workdir / "annotations" / f"{SECOND}.toml").exists()


async def test_article_text_never_reaches_the_terminal_raw(
    make_app: MakeApp, workdir: Path
) -> None:
    nasty = (
        "Evil\x1b[31m red [bold]markup[/bold] \u202eabc\u202c 日本語 e\u0301\tx\r\nnext\x07 end\n"
    )
    (workdir / "articles" / "000_nasty.txt").write_text(nasty, "utf-8", newline="")
    app = make_app(first=("000_nasty.txt",))
    async with app.run_test(size=(140, 20)) as pilot:
        await ready(app, pilot)
        v = view(app)
        rows = ["".join(s.text for s in v.render_line(y)) for y in range(3)]
    shown = "\n".join(rows)
    assert "\x1b" not in shown and "\u202e" not in shown and "\x07" not in shown
    assert "␛[31m" in rows[0] and "[bold]markup[/bold]" in rows[0]
    assert rows[1].startswith("next␇ end")


def test_readme_key_table_matches_the_bindings() -> None:
    readme = (ROOT / "README.md").read_text("utf-8")
    start, end = "<!-- keys:start -->\n", "<!-- keys:end -->"
    assert start in readme and end in readme, "README.md needs the keys markers"
    section = readme.split(start, 1)[1].split(end, 1)[0]
    assert section.strip() == table.markdown().strip(), "run `python -m tui.keys README.md`"


def test_every_binding_has_an_id_and_a_tooltip() -> None:
    bindings = [*keys.VIEW_BINDINGS, *keys.SCREEN_BINDINGS, *keys.APP_BINDINGS]
    ids = [b.id for b in bindings]
    assert all(ids) and len(ids) == len(set(ids))
    assert all(b.tooltip for b in bindings)


def test_a_missing_articles_folder_exits_2_with_one_sentence(
    workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import argparse

    from tui.app import run_app

    args = argparse.Namespace(
        articles=workdir / "nope",
        annotations=workdir / "annotations",
        files=[],
        model=None,
        annotator=None,
    )
    assert run_app(args) == 2
    err = capsys.readouterr().err
    assert err.startswith("newsmark: ") and "does not exist" in err and err.count("\n") == 1


def test_an_unknown_file_argument_exits_2(
    workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import argparse

    from tui.app import run_app

    args = argparse.Namespace(
        articles=workdir / "articles",
        annotations=workdir / "annotations",
        files=["x.txt"],
        model=None,
        annotator=None,
    )
    assert run_app(args) == 2
    assert "x.txt is not an article" in capsys.readouterr().err


async def test_a_long_article_gets_its_suggestions_in_pieces(
    make_app: MakeApp, workdir: Path, ruler_pipeline: Pipeline
) -> None:
    """Over spaCy's max_length the model runs piece by piece; offsets stay exact."""
    from tests.test_long_articles import by_paragraph, long_text

    text = long_text()
    (workdir / "articles" / "long.txt").write_text(text, "utf-8", newline="")
    app = make_app(first=("long.txt",))
    async with app.run_test(size=SIZE) as pilot:
        await ready(app, pilot)
    saved_ents = toml(workdir, "long")["entities"]
    assert [(e["start"], e["end"], e["label"]) for e in saved_ents] == by_paragraph(
        ruler_pipeline, text
    )
    assert all(text[e["start"] : e["end"]] == e["text"] for e in saved_ents)


async def test_quitting_stops_the_suggestions_of_a_long_article(
    make_app: MakeApp, workdir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The model takes minutes over a 5 MB article: a cancelled worker (quitting cancels them)
    stops at the next piece, so quitting does not wait for the whole article."""
    text = "China and Iran met in Kazan.\n\n" * 2000
    (workdir / "articles" / "long.txt").write_text(text, "utf-8")
    taken: list[tuple[int, int]] = []
    gate = threading.Event()
    real = ner.pieces

    def pieces(whole: str, limit: int, keep: Sequence[tuple[int, int]] = ()) -> Iterator[Any]:
        cuts = real(whole, 300, keep) if whole == text else real(whole, limit, keep)
        for cut in cuts:
            if whole == text:
                taken.append(cut)
                if len(taken) == 2:
                    gate.wait(10)
            yield cut

    monkeypatch.setattr(ner, "pieces", pieces)
    app = make_app(first=("long.txt",))
    async with app.run_test(size=(120, 30)) as pilot:
        for _ in range(1000):
            if len(taken) >= 2:
                break
            await pilot.pause(0.01)
        app.workers.cancel_all()
        gate.set()
        for _ in range(1000):
            if all(worker.is_finished for worker in app.workers):
                break
            await pilot.pause(0.01)
    assert 2 <= len(taken) <= 3, f"{len(taken)} pieces of {len(real(text, 300))} went through"

"""Issue 9: stale panels and messages, names read as markup, edits lost to the model's
arrival, and every refusal or consequence said in a short notice rather than a bell."""

from __future__ import annotations

import html
import re
import shutil
from pathlib import Path

import pytest
from textual.widgets import OptionList

from tests.ui.conftest import (
    FIRST,
    SECOND,
    HeldModel,
    MakeApp,
    cursor_text,
    ents,
    notes_of,
    ready,
    saved,
    toml,
    view,
)
from tui.app import NewsmarkApp
from tui.core import lock, store
from tui.core.ner import Pipeline
from tui.screens.articles import ArticlePicker
from tui.screens.main import MainScreen
from tui.widgets.status_bar import StatusBar

SIZE = (140, 34)


def rows(app: NewsmarkApp) -> list[str]:
    """The screen as text, one string per terminal row (read from the exported SVG)."""
    found: dict[float, list[tuple[float, str]]] = {}
    svg = app.export_screenshot()
    for m in re.finditer(r'<text class="[^"]*" x="([\d.]+)" y="([\d.]+)"[^>]*>(.*?)</text>', svg):
        text = html.unescape(m.group(3)).replace("\xa0", " ")
        found.setdefault(float(m.group(2)), []).append((float(m.group(1)), text))
    return ["".join(t for _, t in sorted(parts)) for _, parts in sorted(found.items())]


def main_screen(app: NewsmarkApp) -> MainScreen:
    return next(s for s in app.screen_stack if isinstance(s, MainScreen))


# -- defect 2: an edit made while the model loads ------------------------------------------


async def test_an_edit_before_the_model_loads_keeps_the_suggestions(
    make_app: MakeApp, workdir: Path, ruler_pipeline: Pipeline
) -> None:
    slow_model = HeldModel(ruler_pipeline)

    app = make_app(factory=slow_model)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert "loading model" in app.screen.query_one(StatusBar).state.model
        await pilot.press("L", "1")
        slow_model.release()
        await ready(app, pilot)
    on_disk = ents(workdir, FIRST)
    assert on_disk[0] == ("Shafaq News", "PERSON", "user")
    assert ("Iran", "GPE", "model") in on_disk and ("Wang Yi", "PERSON", "model") in on_disk
    assert toml(workdir, FIRST)["model"] == "blank_en_ruler 0.0.0"


# -- defect 3: names, labels and TOML values are never markup -----------------------------

MARKUP_NAMES = ["report [draft].txt", "x[/bold]y.txt", "[red]z[/red].txt", "[@click=app.quit]q.txt"]


@pytest.mark.parametrize("name", MARKUP_NAMES)
async def test_article_names_are_shown_as_written(
    make_app: MakeApp, workdir: Path, name: str
) -> None:
    target = workdir / "articles" / name  # a "/" in the name is a subfolder, as in a corpus
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy(workdir / "articles" / f"{FIRST}.txt", target)
    app = make_app(first=(name, f"{SECOND}.txt"))
    async with app.run_test(size=SIZE) as pilot:
        await ready(app, pilot)
        header, titles = rows(app)[:2]
        assert name in header and f"━ {name} ━" in titles
        await pilot.press("o", *name[:3])
        assert isinstance(app.screen, ArticlePicker)
        assert any(name in row for row in rows(app))
        await pilot.press("escape")
        assert app.is_running


async def test_labels_from_a_toml_are_shown_as_written(make_app: MakeApp, workdir: Path) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await ready(app, pilot)
    path = workdir / "annotations" / f"{FIRST}.toml"
    path.write_text(path.read_text("utf-8").replace('"GPE"', '"[b]X[/b]"'), "utf-8")
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await ready(app, pilot)
        await pilot.press("n")
        shown = "\n".join(rows(app))
        assert "China [b]X[/b]" in shown  # the tag in the text
        assert shown.count("[b]X[/b]") >= 3  # and in the panel: under the cursor, the list


# -- defect 8: stale panels and messages ---------------------------------------------------


async def test_o_replaces_the_entity_under_the_cursor_in_the_panel(
    make_app: MakeApp, workdir: Path
) -> None:
    (workdir / "articles" / "zz_plain.txt").write_text("Nothing named here.\n", "utf-8")
    app = make_app(first=(f"{FIRST}.txt",))
    async with app.run_test(size=SIZE) as pilot:
        await ready(app, pilot)
        await pilot.press("n")
        assert any("GPE · model" in row for row in rows(app))
        await pilot.press("o", "z", "z", "enter")
        await ready(app, pilot)
        shown = "\n".join(rows(app))
        assert "No entity under the cursor." in shown and "GPE · model" not in shown


async def test_the_other_pane_shows_the_status_given_in_this_one(
    make_app: MakeApp, workdir: Path
) -> None:
    app = make_app(first=(f"{FIRST}.txt", f"{FIRST}.txt"))
    async with app.run_test(size=SIZE) as pilot:
        await ready(app, pilot)
        assert view(app, "right").border_subtitle == "unreviewed"
        await pilot.press("a")
        await ready(app, pilot)
        assert main_screen(app).panes[0].id == f"{SECOND}.txt"
        assert view(app, "right").border_subtitle == "accepted"
    assert toml(workdir, FIRST)["status"] == "accepted"


async def test_never_all_reviewed_while_one_is_on_screen_or_skipped(
    make_app: MakeApp, workdir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = make_app()
    notes = notes_of(app, monkeypatch)
    async with app.run_test(size=SIZE) as pilot:
        await ready(app, pilot)
        await pilot.press("a")  # the only other unreviewed article is in the right pane
        assert notes[-1] == f"{SECOND}.txt is the only article left to review (in the other pane)."
        await pilot.press("tab", "s")
        assert "skipped" in notes[-1]
        assert not [n for n in notes if n.startswith("Every article")]
        await pilot.press("r")
        assert notes[-1] == "Every article has been reviewed."


async def test_escape_leaves_the_entity_list(make_app: MakeApp, workdir: Path) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await ready(app, pilot)
        await pilot.press("tab", "e")
        assert isinstance(app.screen.focused, OptionList)
        await pilot.press("escape")
        assert app.screen.focused is view(app, "right")


# -- feedback ------------------------------------------------------------------------------


async def test_refusals_say_why(
    make_app: MakeApp, workdir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = make_app(first=(f"{FIRST}.txt",))
    notes = notes_of(app, monkeypatch)
    async with app.run_test(size=SIZE) as pilot:
        await ready(app, pilot)
        await pilot.press("u")
        assert notes[-1] == "Nothing to undo in this article."
        await pilot.press("ctrl+r")
        assert notes[-1] == "Nothing to redo in this article."
        await pilot.press("slash", *"israel", "enter", "1", "right_square_bracket")
        assert cursor_text(view(app)) == "Israel"
        await pilot.press("right_square_bracket")
        assert notes[-1] == "An entity cannot cross a line break."
        v = view(app)
        gap = v.text.index("\n\n")  # the cursor never rests on a break: select it instead
        v.selection = (gap, gap + 2)
        await pilot.press("2")
        assert notes[-1] == "Only whitespace is there: nothing to label."
        await pilot.press("t", "1", "x", "enter")
        assert "is not a label name" in notes[-1] and "MY_LABEL" in notes[-1]
    assert ("Israel.", "PERSON", "user") in ents(workdir, FIRST)


async def test_A_says_how_many_it_changed(
    make_app: MakeApp, workdir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = make_app()
    notes = notes_of(app, monkeypatch)
    async with app.run_test(size=SIZE) as pilot:
        await ready(app, pilot)
        await pilot.press("tab")
        while cursor_text(view(app, "right")) != "Pezeshkian":
            await pilot.press("n")
        await pilot.press("1", "A")
        assert notes[-1] == "Labelled 6 occurrences of 'Pezeshkian' as PERSON."


async def test_editing_an_accepted_article_says_it_is_in_progress_again(
    make_app: MakeApp, workdir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = make_app(first=(f"{FIRST}.txt",))
    notes = notes_of(app, monkeypatch)
    async with app.run_test(size=SIZE) as pilot:
        await ready(app, pilot)
        await pilot.press("a", "o", *"000", "enter")
        await ready(app, pilot)
        await pilot.press("n", "1")
        assert notes[-1] == f"{FIRST}.txt was accepted; this edit puts it back to in_progress."
        assert view(app).border_subtitle == "in_progress"
    assert toml(workdir, FIRST)["status"] == "in_progress"


async def test_a_read_only_reader_refuses_edits_and_takes_the_lock_when_it_is_free(
    make_app: MakeApp, workdir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    held = lock.acquire(workdir / "annotations")
    app = make_app(first=(f"{FIRST}.txt",))
    notes = notes_of(app, monkeypatch)
    async with app.run_test(size=SIZE) as pilot:
        screen = await ready(app, pilot)
        await pilot.press("n", "1")
        assert notes[-1].startswith("Read-only, edits are refused")
        assert view(app).document is not None and view(app).document.undo_stack == []
        screen.retry_lock()
        assert app.screen.query_one(StatusBar).state.read_only  # still held
        held.release()
        screen.retry_lock()
        await ready(app, pilot)
        assert not app.screen.query_one(StatusBar).state.read_only
        assert app.screen.query_one(StatusBar).state.reviewed == 0  # read again from disk
        assert "edits are saved again" in notes[-1]
        await pilot.press("n", "1")
        await saved(app, pilot)
        assert ents(workdir, FIRST)[0] == ("China", "PERSON", "user")
        await pilot.press("q")
    assert not (workdir / "annotations" / ".newsmark.lock").exists()


async def test_q_with_edits_that_could_not_be_saved_says_so_first(
    make_app: MakeApp, workdir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def full_disk(path: Path, annotation: object, text: str) -> None:
        raise OSError(28, "No space left on device")

    app = make_app()
    notes = notes_of(app, monkeypatch)
    async with app.run_test(size=SIZE) as pilot:
        await ready(app, pilot)
        monkeypatch.setattr(store, "save", full_disk)
        await pilot.press("n", "1")
        await saved(app, pilot)
        await pilot.press("q")
        assert app.is_running
        assert f"Edits to {FIRST}.txt could not be saved" in notes[-1]
        await pilot.press("q")
        await pilot.pause()
        assert not app.is_running


async def test_a_restart_right_after_q_is_not_read_only(
    make_app: MakeApp, workdir: Path, ruler_pipeline: Pipeline
) -> None:
    slow_model = HeldModel(ruler_pipeline)

    first = make_app(factory=slow_model)
    async with first.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("n", "1", "q")
        # The lock is gone as soon as q is handled, while the model still loads.
        assert not (workdir / "annotations" / ".newsmark.lock").exists()
        second = make_app()
        async with second.run_test(size=SIZE) as pilot2:
            await ready(second, pilot2)
            assert second.read_only is None
            assert not second.screen.query_one(StatusBar).state.read_only
            await pilot2.press("q")
        slow_model.release()
    assert ents(workdir, FIRST)[0][:2] == ("Shafaq", "PERSON")


async def test_S_splits_an_entity_at_its_separators_and_says_when_it_cannot(
    make_app: MakeApp, workdir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = make_app(first=(f"{FIRST}.txt",))
    notes = notes_of(app, monkeypatch)
    async with app.run_test(size=SIZE) as pilot:
        await ready(app, pilot)
        assert cursor_text(view(app)) == "Shafaq"
        await pilot.press("L", "L", "2")  # "Shafaq News/ China" as one ORG, as a model may
        assert ("Shafaq News/ China", "ORG", "user") in ents(workdir, FIRST)
        await pilot.press("S")
        await saved(app, pilot)
        head = ents(workdir, FIRST)[:2]
        assert head == [("Shafaq News", "ORG", "user"), ("China", "ORG", "user")]
        await pilot.press("S")
        assert notes[-1].startswith("No separator in this entity to split at")
        await pilot.press("u")
        await saved(app, pilot)
        assert ents(workdir, FIRST)[0] == ("Shafaq News/ China", "ORG", "user")


async def test_w_and_W_jump_between_likely_errors_and_say_why(
    make_app: MakeApp, workdir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = make_app(first=(f"{FIRST}.txt",))
    notes = notes_of(app, monkeypatch)
    async with app.run_test(size=SIZE) as pilot:
        await ready(app, pilot)
        await pilot.press("L", "L", "2")  # "Shafaq News/ China" as one ORG
        await pilot.press("slash", *"hegemonic", "enter", "L", "2")  # a lower-case ORG
        await pilot.press("home", "w")  # the entity under the cursor counts
        assert cursor_text(view(app)) == "Shafaq"
        assert notes[-1] == "Likely error, a separator inside it: S splits it."
        await pilot.press("w")
        assert cursor_text(view(app)) == "hegemonic"
        assert notes[-1] == "Likely error, an ORG with no capital letter: x deletes it."
        await pilot.press("w")  # none after: once round, and it says so
        assert cursor_text(view(app)) == "Shafaq"
        assert notes[-1] == (
            "Wrapped round to the start: likely error, a separator inside it: S splits it."
        )
        await pilot.press("W")
        assert cursor_text(view(app)) == "hegemonic"
        assert notes[-1].startswith("Wrapped round to the end: likely error, an ORG")
        await pilot.press("W")
        assert cursor_text(view(app)) == "Shafaq"
        await pilot.press("S", "w", "x")  # the fixes the notices name
        assert notes[-2] == "Likely error, an ORG with no capital letter: x deletes it."
    texts = [t for t, _, _ in ents(workdir, FIRST)]
    assert texts[:2] == ["Shafaq News", "China"] and "hegemonic practices" not in texts

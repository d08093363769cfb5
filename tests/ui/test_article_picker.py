"""The article picker on a corpus bigger than it lists: a bounded list, a count of the rest,
and typing that narrows to articles past the bound."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from textual.widgets import OptionList, Static

from tests.ui.conftest import FIRST, SECOND, MakeApp, notes_of, ready, toml
from tui.screens.articles import ArticlePicker


async def test_the_picker_lists_a_bounded_page_and_counts_the_rest(
    make_app: MakeApp, workdir: Path
) -> None:
    source = workdir / "articles" / f"{FIRST}.txt"
    for i in range(150):
        shutil.copy(source, workdir / "articles" / f"many_{i:03d}.txt")
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await ready(app, pilot)
        await pilot.press("o")
        picker = app.screen
        assert isinstance(picker, ArticlePicker)
        choices = picker.query_one("#choices", OptionList)
        title = picker.query_one("#title", Static)
        assert choices.option_count == 100
        assert "52 more match" in str(title.render())
        await pilot.press(*"many_149")
        assert [choices.get_option_at_index(i).id for i in range(choices.option_count)] == [
            "many_149.txt"
        ]
        assert "more match" not in str(title.render())
        await pilot.press("enter")
        await ready(app, pilot)
        assert screen.panes[0].id == "many_149.txt"


def _listed(picker: ArticlePicker) -> list[str | None]:
    choices = picker.query_one("#choices", OptionList)
    return [choices.get_option_at_index(i).id for i in range(choices.option_count)]


async def test_the_picker_filters_by_title_or_first_line_and_by_status(
    make_app: MakeApp, workdir: Path
) -> None:
    (workdir / "articles" / "zz_google.txt").write_text(
        "\ufeff\r\n  Google fined €2.4bn by the EU 😀\r\nBody text.", "utf-8"
    )
    app = make_app(first=(f"{FIRST}.txt",))
    async with app.run_test(size=(100, 30)) as pilot:
        await ready(app, pilot)
        await app.workers.wait_for_complete()
        await pilot.press("o")
        await app.workers.wait_for_complete()  # the first lines are read on a thread
        await pilot.pause()
        picker = app.screen
        assert isinstance(picker, ArticlePicker)
        await pilot.press(*"GOOGLE")
        assert _listed(picker) == ["zz_google.txt"]
        assert "Google fined" in str(
            picker.query_one("#choices", OptionList).get_option_at_index(0).prompt
        )
        await pilot.press(*["backspace"] * 6, *"unrev")
        assert _listed(picker) == [f"{FIRST}.txt"]
        await pilot.press(*["backspace"] * 5, *"new")
        listed = _listed(picker)  # status new, and "Shafaq News" in the first one's title
        assert listed == [f"{FIRST}.txt", f"{SECOND}.txt", "zz_google.txt"]
        await pilot.press(*["backspace"] * 3, *"pledges to boost")  # 004's title, 2nd line
        assert _listed(picker) == [f"{SECOND}.txt"]


async def test_full_stop_and_comma_walk_the_articles_leaving_statuses_alone(
    make_app: MakeApp, workdir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = make_app(first=(f"{FIRST}.txt",))
    notes = notes_of(app, monkeypatch)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await ready(app, pilot)
        await pilot.press("full_stop")
        await ready(app, pilot)
        assert screen.panes[0].id == f"{SECOND}.txt"
        await pilot.press("full_stop")
        assert screen.panes[0].id == f"{SECOND}.txt" and notes[-1] == "No article after this one."
        await pilot.press("comma")
        await ready(app, pilot)
        assert screen.panes[0].id == f"{FIRST}.txt"
        assert app.session.status_of(f"{SECOND}.txt") == "unreviewed"
    assert toml(workdir, FIRST)["status"] == "unreviewed"
    assert toml(workdir, SECOND)["status"] == "unreviewed"

"""The article picker on a corpus bigger than it lists: a bounded list, a count of the rest,
and typing that narrows to articles past the bound."""

from __future__ import annotations

import shutil
from pathlib import Path

from textual.widgets import OptionList, Static

from tests.ui.conftest import FIRST, MakeApp, ready
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

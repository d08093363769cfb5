"""The reader with a project label set: its suggestions, number keys, legend and picker."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import Static

from tests.ui.conftest import FIRST, MakeApp, ents, notes_of, ready
from tui.core import project
from tui.screens.labels import LabelPicker

SIZE = (104, 30)
LABELS = ["GPE", "PERSON", "ORG", "LOC"]


async def test_only_the_projects_labels_are_suggested_keyed_and_shown(
    make_app: MakeApp, workdir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project.set_labels(workdir / "annotations", LABELS)
    app = make_app(first=(f"{FIRST}.txt",))
    async with app.run_test(size=SIZE) as pilot:
        screen = await ready(app, pilot)
        assert screen.labels == LABELS
        legend = str(screen.query_one("#legend", Static).render())
        assert "1 GPE" in legend and "4 LOC" in legend and "NORP" not in legend
        suggested = ents(workdir, FIRST)
        assert suggested and {label for _, label, _ in suggested} <= set(LABELS)
        assert "Pezeshkian" not in [t for t, _, _ in suggested]  # the ruler's NORP
        notes = notes_of(app, monkeypatch)
        await pilot.press("home", "2")  # the first token: 2 is PERSON, the project's second
        await pilot.press("l", "t")
        assert isinstance(app.screen, LabelPicker)
        assert [o.id for o in app.screen.query_one("OptionList").options] == LABELS  # type: ignore[attr-defined]
        await pilot.press(*"date", "enter")
        await pilot.pause()
        assert screen.labels == LABELS  # DATE got no number key
        assert any("DATE is outside the project's labels" in n for n in notes)
    on_disk = ents(workdir, FIRST)
    assert on_disk[0] == ("Shafaq", "PERSON", "user")
    assert ("DATE", "user") in {(label, source) for _, label, source in on_disk}

"""SVG snapshots of the screens people see most; update with ``pytest --snapshot-update``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from textual.pilot import Pilot
from textual.widgets import Input

from tests.ui.conftest import MakeApp, ready


async def _settled(pilot: Pilot[Any]) -> None:
    await ready(pilot.app, pilot)  # type: ignore[arg-type]
    for field in pilot.app.screen.query(Input):
        field.cursor_blink = False


def test_main_screen_wide(snap_compare: Any, make_app: MakeApp, workdir: Path) -> None:
    async def run_before(pilot: Pilot[Any]) -> None:
        await _settled(pilot)
        await pilot.press("n", "n")

    assert snap_compare(make_app(), terminal_size=(140, 45), run_before=run_before)


def test_main_screen_80x24(snap_compare: Any, make_app: MakeApp, workdir: Path) -> None:
    async def run_before(pilot: Pilot[Any]) -> None:
        await _settled(pilot)
        await pilot.press("L", "L")

    assert snap_compare(make_app(), terminal_size=(80, 24), run_before=run_before)


def test_main_screen_40x12(snap_compare: Any, make_app: MakeApp, workdir: Path) -> None:
    assert snap_compare(make_app(), terminal_size=(40, 12), run_before=_settled)


def test_help_screen(snap_compare: Any, make_app: MakeApp, workdir: Path) -> None:
    async def run_before(pilot: Pilot[Any]) -> None:
        await _settled(pilot)
        await pilot.press("question_mark")
        await pilot.pause()

    assert snap_compare(make_app(), terminal_size=(100, 40), run_before=run_before)


def test_label_picker(snap_compare: Any, make_app: MakeApp, workdir: Path) -> None:
    async def run_before(pilot: Pilot[Any]) -> None:
        await _settled(pilot)
        await pilot.press("n", "t")
        await _settled(pilot)
        await pilot.press("o")

    assert snap_compare(make_app(), terminal_size=(100, 30), run_before=run_before)

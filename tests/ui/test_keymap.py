"""Rebinding keys from the config file: checked before the app opens, applied by id."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.ui.conftest import FIRST, MakeApp, ready, toml, view
from tui.cli import main
from tui.keymap import KeymapError, load_keymap
from tui.keys import table


def _config(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(body, "utf-8")
    return path


def test_a_keymap_is_read_by_id(tmp_path: Path) -> None:
    path = _config(tmp_path, '[keymap]\nentity-join = "ctrl+j"\nlabel-pick = "t, L"\n')
    assert load_keymap(path) == {"entity-join": "ctrl+j", "label-pick": "t,L"}
    assert load_keymap(tmp_path / "absent.toml") == {}
    assert load_keymap(_config(tmp_path, 'theme = "dark"\n')) == {}


def test_unknown_ids_are_named_with_the_nearest_known_one(tmp_path: Path) -> None:
    path = _config(tmp_path, '[keymap]\nentity-joint = "ctrl+j"\nfly = "f"\n')
    with pytest.raises(KeymapError) as caught:
        load_keymap(path)
    message = str(caught.value)
    assert str(path) in message
    assert "'entity-joint' (did you mean 'entity-join'?)" in message and "'fly'" in message


@pytest.mark.parametrize(
    "body", ['[keymap]\nundo = ""\n', "[keymap]\nundo = 3\n", 'keymap = "u"\n', "[keymap\n"]
)
def test_a_keymap_that_cannot_be_used_is_refused_whole(tmp_path: Path, body: str) -> None:
    with pytest.raises(KeymapError, match="config.toml"):
        load_keymap(_config(tmp_path, body))


def test_newsmark_stops_with_exit_2_and_one_sentence(
    workdir: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("NEWSMARK_CONFIG", str(_config(tmp_path, '[keymap]\nundoo = "z"\n')))
    assert main(["--articles", str(workdir / "articles")]) == 2
    err = capsys.readouterr().err
    assert err.startswith("newsmark: ") and "'undoo'" in err and "Traceback" not in err


def test_the_readme_lists_every_id() -> None:
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text("utf-8")
    start, end = "<!-- key-ids:start -->\n", "<!-- key-ids:end -->"
    section = readme.split(start, 1)[1].split(end, 1)[0]
    assert section == table.ids_markdown(), "run `python -m tui.keys README.md`"


async def test_a_rebound_key_acts_and_the_old_one_no_longer_does(
    make_app: MakeApp, workdir: Path
) -> None:
    app = make_app(first=(f"{FIRST}.txt",))
    app.keymap = {"entity-delete": "z"}
    async with app.run_test(size=(104, 30)) as pilot:
        await ready(app, pilot)
        await pilot.press("n", "x")  # x is no longer delete: the model's China stays
        china = view(app).entity_at_cursor()
        assert china is not None and china.text(view(app).text) == "China"
        await pilot.press("z")
        assert view(app).entity_at_cursor() is None
    assert (china.start, china.end) not in [
        (e["start"], e["end"]) for e in toml(workdir, FIRST)["entities"]
    ]

"""Every key a help screen lists works on that screen: the help and the bindings are one list
(``tui/keys/``), and each binding's action exists where the key is pressed."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.binding import Binding

from tests.ui.conftest import FIRST, MakeApp, ready
from tests.ui.test_corpus_index import write
from tests.ui.test_review import make, start, team, under_cursor  # noqa: F401  (fixture)
from tui import keys
from tui.app import NewsmarkApp
from tui.screens.corpus_index import CorpusIndexScreen, PreviewScreen
from tui.screens.help import HelpScreen
from tui.screens.main import MainScreen
from tui.screens.review import GoldView, ReviewApp, ReviewScreen
from tui.screens.search import SearchPrompt
from tui.widgets.article_view import ArticleView

# Where each list of keys is pressed, in the reader and in `newsmark review`.
READER: list[tuple[list[Binding], type]] = [
    (keys.VIEW_BINDINGS, ArticleView),
    (keys.SCREEN_BINDINGS, MainScreen),
    (keys.INDEX_BINDINGS, CorpusIndexScreen),
    (keys.PREVIEW_BINDINGS, PreviewScreen),
    (keys.APP_BINDINGS, NewsmarkApp),
    (keys.MODAL_APP_BINDINGS, CorpusIndexScreen),
    (keys.MODAL_APP_BINDINGS, PreviewScreen),
]
REVIEW: list[tuple[list[Binding], type]] = [
    (keys.REVIEW_BINDINGS, ReviewScreen),
    (keys.VIEW_BINDINGS, GoldView),
    (keys.APP_BINDINGS, ReviewApp),
]


def _cases(where: list[tuple[list[Binding], type]]) -> list[tuple[Binding, type]]:
    return [(b, owner) for bindings, owner in where for b in bindings]


def _works(binding: Binding, owner: type, app: type) -> bool:
    bound = [b for b in getattr(owner, "BINDINGS", []) if isinstance(b, Binding)]
    action = binding.action.split("(", 1)[0]
    if action.startswith("app."):
        owner, action = app, action[4:]
    return binding in bound and callable(getattr(owner, f"action_{action}", None))


@pytest.mark.parametrize(("binding", "owner"), _cases(READER), ids=lambda x: getattr(x, "id", ""))
def test_every_key_the_reader_help_shows_is_bound_where_it_acts(
    binding: Binding, owner: type
) -> None:
    assert binding in keys.ALL
    assert _works(binding, owner, NewsmarkApp), f"{binding.key} does nothing on {owner.__name__}"


@pytest.mark.parametrize(("binding", "owner"), _cases(REVIEW), ids=lambda x: getattr(x, "id", ""))
def test_every_key_the_review_help_shows_is_bound_where_it_acts(
    binding: Binding, owner: type
) -> None:
    assert binding in keys.REVIEW_HELP
    assert _works(binding, owner, ReviewApp), f"{binding.key} does nothing on {owner.__name__}"


async def test_slash_in_review_searches_and_the_letters_go_to_the_query(team: Path) -> None:  # noqa: F811
    app = make(team)
    async with app.run_test(size=(120, 36)) as pilot:
        s = await start(app, pilot)
        await pilot.press("slash")
        assert isinstance(app.screen, SearchPrompt)
        await pilot.press(*"Beijing", "enter")  # B, n, G... would be commands
        await pilot.pause()
        assert under_cursor(app) == "Beijing"
        assert s.gold.document is not None and not s.gold.document.excluded
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        assert tuple(app.screen.key_bindings) == keys.REVIEW_HELP
    assert not (team / "gold").exists() or not any((team / "gold").glob("*.toml"))


@pytest.mark.parametrize("opened", [("I",), ("I", "x")], ids=["index", "preview"])
async def test_help_and_quit_work_in_the_index_and_its_preview(
    make_app: MakeApp, workdir: Path, opened: tuple[str, ...]
) -> None:
    """Textual stops the app's keys at a modal screen; these pass ? and q on."""
    write(workdir, FIRST, "unreviewed", [("Iran", "GPE", "model")])
    app = make_app()
    async with app.run_test(size=(120, 32)) as pilot:
        await ready(app, pilot)
        await pilot.press(*opened)
        assert isinstance(app.screen, (CorpusIndexScreen, PreviewScreen))
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        await pilot.press("escape", "q")
        await pilot.pause()
        assert not app.is_running

"""``newsmark review``: one Pilot test per review key, each checking the gold TOML on disk."""

from __future__ import annotations

import shutil
import tomllib
from pathlib import Path
from typing import Any

import pytest

from tests.ui.conftest import FIRST, SECOND
from tui import keys
from tui.cli import main
from tui.core import review as core
from tui.core.article import sha256_bytes
from tui.core.spans import Entity
from tui.core.store import Annotation, annotation_path, save
from tui.keys import table
from tui.screens.help import HelpScreen
from tui.screens.labels import LabelPicker
from tui.screens.review import GoldView, ReviewApp, ReviewScreen
from tui.widgets.article_view import ArticleView

SIZE = (120, 36)
SAME = "010_same"

# kim (left) and lee (right) on the first seed: four disagreements, in this order:
# China GPE/ORG, Iran only kim, Israel only lee, "Wang Yi"/"Wang".
KIM = [("Shafaq News", "ORG"), ("China", "GPE"), ("Iran", "GPE"), ("Hezbollah", "ORG")]
KIM += [("Wang Yi", "PERSON")]
LEE = [("Shafaq News", "ORG"), ("China", "ORG"), ("Hezbollah", "ORG"), ("Israel", "GPE")]
LEE += [("Wang", "PERSON")]


def spans(text: str, items: list[tuple[str, str]]) -> list[Entity]:
    """The first occurrence of each word, labelled."""
    return sorted(Entity(text.index(w), text.index(w) + len(w), label) for w, label in items)


def version(root: Path, who: str, stem: str, items: list[tuple[str, str]]) -> None:
    article = f"{stem}.txt"
    data = (root / "articles" / article).read_bytes()
    text = data.decode("utf-8")
    ann = Annotation(
        article, sha256_bytes(data), "accepted", tuple(spans(text, items)), annotator=who
    )
    save(annotation_path(root / who, article), ann, text)


@pytest.fixture
def team(workdir: Path) -> Path:
    """kim/ and lee/ disagree on the first seed, partly on the second, agree on a copy."""
    shutil.copy(workdir / "articles" / f"{FIRST}.txt", workdir / "articles" / f"{SAME}.txt")
    version(workdir, "kim", FIRST, KIM)
    version(workdir, "lee", FIRST, LEE)
    version(workdir, "kim", SECOND, [("Pezeshkian", "PERSON")])
    version(workdir, "lee", SECOND, [("Pezeshkian", "NORP")])
    version(workdir, "kim", SAME, KIM)
    version(workdir, "lee", SAME, KIM)
    return workdir


def make(team: Path) -> ReviewApp:
    reviews, skipped = core.load(team / "articles", team / "kim", team / "lee")
    return ReviewApp(reviews, team / "gold", "max", skipped)


def gold(team: Path, stem: str = FIRST) -> dict[str, Any]:
    with (team / "gold" / f"{stem}.toml").open("rb") as f:
        return tomllib.load(f)


def gold_ents(team: Path, stem: str = FIRST) -> list[tuple[str, str]]:
    return [(e["text"], e["label"]) for e in gold(team, stem)["entities"]]


def screen(app: ReviewApp) -> ReviewScreen:
    return app.review_screen


def under_cursor(app: ReviewApp) -> str:
    v = app.screen.query_one(GoldView)
    start, end = v.tokens.span(v.cursor)
    return v.text[start:end]


async def start(app: ReviewApp, pilot: Any) -> ReviewScreen:
    await pilot.pause()
    return screen(app)


async def test_opens_on_the_first_disagreement_with_every_one_marked(team: Path) -> None:
    app = make(team)
    async with app.run_test(size=SIZE) as pilot:
        s = await start(app, pilot)
        assert [r.article.id for r in s.reviews] == [f"{FIRST}.txt", f"{SECOND}.txt", f"{SAME}.txt"]
        assert under_cursor(app) == "China"
        text = s.review.article.text
        expected = [(d.start, d.end) for d in s.review.disagreements]
        assert [text[a:b] for a, b in expected] == ["China", "Iran", "Israel", "Wang Yi"]
        for side in ("left", "right", "gold"):
            assert app.screen.query_one(f"#{side}", ArticleView).marks == expected
        left = app.screen.query_one("#left", ArticleView)
        assert left.document is not None and left.document.entities == tuple(spans(text, KIM))
        progress = str(app.screen.query_one("#progress").render())
        assert "4 of 4 diffs left here, 5 in all" in progress
    assert not (team / "gold" / f"{FIRST}.toml").exists()  # nothing decided, nothing written


async def test_less_than_takes_the_left_and_moves_to_the_next(team: Path) -> None:
    app = make(team)
    async with app.run_test(size=SIZE) as pilot:
        s = await start(app, pilot)
        await pilot.press("less_than_sign")
        assert under_cursor(app) == "Iran"
        assert s.review.choices == ["left", None, None, None]
        gold_view = app.screen.query_one(GoldView)
        assert [gold_view.text[a:b] for a, b in gold_view.marks] == ["Iran", "Israel", "Wang Yi"]
    assert gold(team)["status"] == "in_progress"
    assert ("China", "GPE") in gold_ents(team)


async def test_greater_than_takes_the_right(team: Path) -> None:
    app = make(team)
    async with app.run_test(size=SIZE) as pilot:
        await start(app, pilot)
        await pilot.press("greater_than_sign")
    assert ("China", "ORG") in gold_ents(team)


async def test_zero_takes_neither(team: Path) -> None:
    app = make(team)
    async with app.run_test(size=SIZE) as pilot:
        s = await start(app, pilot)
        await pilot.press("d", "0")  # on Iran, which only kim marked
        assert s.review.choices == [None, "neither", None, None]
        await pilot.press("u")  # the gold did not change, the decision did: u takes it back
        assert s.review.choices == [None, None, None, None]
        await pilot.press("ctrl+r")
        assert s.review.choices == [None, "neither", None, None]
    assert "Iran" not in [t for t, _ in gold_ents(team)]


async def test_every_decision_writes_accepted_gold_by_the_reviewer(team: Path) -> None:
    app = make(team)
    async with app.run_test(size=SIZE) as pilot:
        s = await start(app, pilot)
        await pilot.press("greater_than_sign", "0", "greater_than_sign", "less_than_sign")
        assert s.review.complete
        assert "0 of 4 diffs left here, 1 in all" in str(app.screen.query_one("#progress").render())
        origins = [sp.origin for sp in s.draft.gold("max").spans]
    doc = gold(team)
    assert doc["status"] == "accepted" and doc["annotator"] == "max"
    assert all(e["source"] == "user" for e in doc["entities"])
    assert gold_ents(team) == [
        ("Shafaq News", "ORG"),
        ("China", "ORG"),
        ("Hezbollah", "ORG"),
        ("Israel", "GPE"),
        ("Wang Yi", "PERSON"),
    ]
    assert origins == ["kim+lee", "lee", "kim+lee", "lee", "kim"]
    assert [e["origin"] for e in doc["entities"]] == origins  # each span's origin on disk


async def test_d_and_D_jump_between_disagreements(team: Path) -> None:
    app = make(team)
    async with app.run_test(size=SIZE) as pilot:
        await start(app, pilot)
        await pilot.press("d", "d")
        assert under_cursor(app) == "Israel"
        await pilot.press("D")
        assert under_cursor(app) == "Iran"
        await pilot.press("D", "D")  # wraps to the last
        assert under_cursor(app) == "Wang"
        left = app.screen.query_one("#left", ArticleView)
        assert left.tokens.starts[left.cursor] == app.screen.query_one(GoldView).text.index("Wang")
        await pilot.press("greater_than_sign")
    assert ("Wang", "PERSON") in gold_ents(team)


async def test_a_free_edit_settles_the_disagreement_and_u_undoes_it(team: Path) -> None:
    app = make(team)
    async with app.run_test(size=SIZE) as pilot:
        s = await start(app, pilot)
        await pilot.press("4")  # China as LOC: neither version's label
        assert s.review.choices[0] == "edited"
        assert ("China", "LOC") in gold_ents(team)
        await pilot.press("u")
        assert s.review.choices[0] is None
        assert "China" not in [t for t, _ in gold_ents(team)]
        await pilot.press("less_than_sign", "D", "u")  # undo a decision too
        assert s.review.choices[0] is None
    assert "China" not in [t for t, _ in gold_ents(team)]


async def test_t_labels_the_gold_with_any_label(team: Path) -> None:
    app = make(team)
    async with app.run_test(size=SIZE) as pilot:
        s = await start(app, pilot)
        await pilot.press("t")
        assert isinstance(app.screen, LabelPicker)
        await pilot.press(*"my_place", "enter")
        assert s.review.choices[0] == "edited"
    assert ("China", "MY_PLACE") in gold_ents(team)


async def test_the_versions_cannot_be_edited(team: Path) -> None:
    app = make(team)
    async with app.run_test(size=SIZE) as pilot:
        await start(app, pilot)
        for side in ("left", "right"):
            assert not app.screen.query_one(f"#{side}", ArticleView).can_focus
        assert isinstance(app.screen.focused, GoldView)


async def test_full_stop_and_comma_open_the_next_and_previous_article(team: Path) -> None:
    app = make(team)
    async with app.run_test(size=SIZE) as pilot:
        s = await start(app, pilot)
        await pilot.press("full_stop")
        assert s.review.article.id == f"{SECOND}.txt"
        assert under_cursor(app) == "Pezeshkian"
        await pilot.press("less_than_sign")
        await pilot.press("comma", "comma")  # back to the first, then wraps to the last
        assert s.review.article.id == f"{SAME}.txt"
        await pilot.press("full_stop")  # and forward, wrapping to the first
        assert s.review.article.id == f"{FIRST}.txt"
    assert gold(team, SECOND)["status"] == "accepted"
    assert ("Pezeshkian", "PERSON") in gold_ents(team, SECOND)


async def test_G_accepts_every_agreeing_article_in_one_step(team: Path) -> None:
    app = make(team)
    async with app.run_test(size=SIZE) as pilot:
        s = await start(app, pilot)
        await pilot.press("G")
        assert s.written == {f"{SAME}.txt"}
        assert "gold 1/3 written" in str(app.screen.query_one("#progress").render())
    assert gold(team, SAME)["status"] == "accepted"
    assert gold(team, SAME)["annotator"] == "max"
    text = (team / "articles" / f"{SAME}.txt").read_text("utf-8")
    assert gold_ents(team, SAME) == [(e.text(text), e.label) for e in spans(text, KIM)]
    assert not (team / "gold" / f"{FIRST}.toml").exists()


async def test_a_review_resumes_from_the_gold_written_so_far(team: Path) -> None:
    app = make(team)
    async with app.run_test(size=SIZE) as pilot:
        await start(app, pilot)
        await pilot.press("greater_than_sign", "q")
    app = make(team)
    async with app.run_test(size=SIZE) as pilot:
        s = await start(app, pilot)
        assert s.review.choices == ["right", None, None, None]
        assert under_cursor(app) == "Iran"


async def test_question_mark_shows_the_review_keys(team: Path) -> None:
    app = make(team)
    async with app.run_test(size=SIZE) as pilot:
        await start(app, pilot)
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        assert list(app.screen.key_bindings)[: len(keys.REVIEW_BINDINGS)] == keys.REVIEW_BINDINGS
        await pilot.press("escape")
        assert not isinstance(app.screen, HelpScreen)
    assert not (team / "gold").exists() or not any((team / "gold").glob("*.toml"))


def test_review_bindings_have_ids_tooltips_and_no_clash_with_the_gold_pane() -> None:
    review_ids = [b.id for b in keys.REVIEW_BINDINGS]
    others = {b.id for b in keys.ALL}
    assert all(review_ids) and len(set(review_ids)) == len(review_ids)
    assert not set(review_ids) & others
    assert all(b.tooltip for b in keys.REVIEW_BINDINGS)
    view_keys = {k for b in (*keys.VIEW_BINDINGS, *keys.APP_BINDINGS) for k in b.key.split(",")}
    assert not {b.key for b in keys.REVIEW_BINDINGS} & view_keys


def test_readme_review_key_table_matches_the_bindings() -> None:
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text("utf-8")
    start, end = "<!-- review-keys:start -->\n", "<!-- review-keys:end -->"
    assert start in readme and end in readme
    section = readme.split(start, 1)[1].split(end, 1)[0]
    expected = table.markdown(keys.REVIEW_BINDINGS).strip()
    assert section.strip() == expected, "run `python -m tui.keys README.md`"


# -- the command --------------------------------------------------------------------------


def run_cli(team: Path, *argv: str) -> int:
    return main(["review", *argv])


@pytest.mark.parametrize(
    ("argv", "says"),
    [
        (["kim"], "exactly two annotations folders"),
        (["kim", "nope", "--out", "gold"], "nope is not a folder"),
        (["kim", "./kim", "--out", "gold"], "given twice"),
        (["kim", "lee", "--out", "kim/gold"], "give the gold a folder of its own"),
        (["kim", "lee", "--out", "."], "give the gold a folder of its own"),
        (["kim", "lee", "--out", "gold", "--status", "nope"], "--status: unknown status"),
        (["kim", "lee", "--out", "gold", "--status", "skipped"], "share no article"),
        (["kim", "lee", "--out", "gold", "--articles", "nope"], "nope"),
    ],
)
def test_bad_arguments_exit_2_with_one_sentence(
    team: Path, capsys: pytest.CaptureFixture[str], argv: list[str], says: str
) -> None:
    assert run_cli(team, *argv) == 2
    err = capsys.readouterr().err
    assert err.startswith("newsmark: ") and says in err and err.count("\n") == 1


def test_the_command_reviews_into_out_as_the_annotator(
    team: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: dict[str, Any] = {}

    def fake_run(self: ReviewApp, *args: object, **kwargs: object) -> int:
        s = self.review_screen
        seen.update(out=s.out, reviewer=s.reviewer, ids=[r.article.id for r in s.reviews])
        seen["locked"] = (s.out / ".newsmark.lock").exists()
        return 0

    monkeypatch.setattr(ReviewApp, "run", fake_run)
    assert run_cli(team, "kim", "lee", "--out", "gold", "--annotator", "max") == 0
    assert seen == {
        "out": Path("gold"),
        "reviewer": "max",
        "ids": [f"{FIRST}.txt", f"{SECOND}.txt", f"{SAME}.txt"],
        "locked": True,
    }
    assert not (team / "gold" / ".newsmark.lock").exists()  # released on quit
    monkeypatch.setenv("LOGNAME", "kim_login")
    monkeypatch.setenv("USER", "kim_login")
    assert run_cli(team, "kim", "lee", "--annotations", "gold") == 0
    assert seen["reviewer"] == "kim_login" and seen["out"] == Path("gold")


def test_a_gold_folder_in_use_exits_2(team: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from tui.core import lock

    with lock.acquire(team / "gold"):
        assert run_cli(team, "kim", "lee", "--out", "gold") == 2
    err = capsys.readouterr().err
    assert "gold is being written by newsmark" in err and err.count("\n") == 1


def test_reviewer_name_is_writable() -> None:
    from tui.commands.review import reviewer_name

    assert reviewer_name("max") == "max"
    assert reviewer_name("m\udcffx") == "m\ufffdx"


async def test_an_unreadable_gold_file_is_never_overwritten(team: Path) -> None:
    bad = team / "gold" / f"{FIRST}.toml"
    bad.parent.mkdir()
    bad.write_text("schema = 1\nthis is not TOML", "utf-8")
    app = make(team)
    notes: list[str] = []
    async with app.run_test(size=SIZE) as pilot:
        s = await start(app, pilot)
        app.notify = lambda message, **kw: notes.append(str(message))  # type: ignore[method-assign]
        assert s.gold.locked is not None and str(bad) in s.gold.locked
        await pilot.press("less_than_sign", "1", "full_stop", "less_than_sign")
    assert bad.read_text("utf-8") == "schema = 1\nthis is not TOML"
    assert any("read-only" in n for n in notes)
    assert gold(team, SECOND)["status"] == "accepted"  # the other articles still work


async def test_names_are_shown_as_written_never_as_markup(team: Path) -> None:
    name = "zz [draft] [b]x"
    shutil.copy(team / "articles" / f"{FIRST}.txt", team / "articles" / f"{name}.txt")
    version(team, "kim", name, KIM)
    version(team, "lee", name, LEE)
    app = make(team)
    async with app.run_test(size=SIZE) as pilot:
        s = await start(app, pilot)
        await pilot.press("comma")
        assert s.review.article.id == f"{name}.txt"
        shot = app.export_screenshot()
        assert f"gold: {name}.txt" in shot.replace("&#160;", " ")

"""The corpus index (I), corrections across the corpus with a preview, ctrl+a, and the memory
in the reader. Each test checks the TOML files on disk."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Any

import pytest

from tests.ui.conftest import FIRST, SECOND, MakeApp, cursor_text, ents, ready, toml, view
from tui.core import memory as memory_mod
from tui.core import store
from tui.core.article import read_article
from tui.core.edits import Status
from tui.core.memory import Memory
from tui.core.ner import Pipeline
from tui.core.spans import Entity
from tui.screens import corpus_host
from tui.screens.corpus_index import CorpusIndexScreen, PreviewScreen

SIZE = (120, 32)


def write(workdir: Path, stem: str, status: Status, spans: list[tuple[str, str, str]]) -> None:
    """A TOML with the first occurrence of each (text, label, source)."""
    article = read_article(workdir / "articles", f"{stem}.txt")
    entities = []
    for text, label, source in spans:
        at = article.text.index(text)
        entities.append(Entity(at, at + len(text), label, source))  # type: ignore[arg-type]
    annotation = store.Annotation(
        article.id, article.sha256, status, tuple(entities), model="stand-in 1.0"
    )
    store.save(workdir / "annotations" / f"{stem}.toml", annotation, article.text)


def pez(workdir: Path, stem: str) -> list[tuple[str, str]]:
    return [(label, source) for text, label, source in ents(workdir, stem) if text == "Pezeshkian"]


async def test_I_lists_conflicts_first_and_digits_relabel_everywhere_after_a_preview(
    make_app: MakeApp, workdir: Path
) -> None:
    write(workdir, FIRST, "unreviewed", [("Pezeshkian", "NORP", "model"), ("Iran", "GPE", "model")])
    write(workdir, SECOND, "accepted", [("Pezeshkian", "PERSON", "user")])
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await ready(app, pilot)
        await pilot.press("I")
        screen = app.screen
        assert isinstance(screen, CorpusIndexScreen)
        assert screen.index is not None
        first = screen.index.entries[0]
        assert first.text == "Pezeshkian" and first.conflict
        await pilot.press("1")  # PERSON
        assert isinstance(app.screen, PreviewScreen)
        assert [c.article for c in app.screen.plan.included] == [f"{FIRST}.txt"]
        assert pez(workdir, FIRST) == [("NORP", "model")]  # nothing written before enter
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, CorpusIndexScreen)
        assert not app.screen.index or not app.screen.index.entries[0].conflict
    assert pez(workdir, FIRST) == [("PERSON", "user")]
    assert pez(workdir, SECOND) == [("PERSON", "user")]
    assert toml(workdir, SECOND)["status"] == "accepted"


async def test_bang_includes_accepted_articles_and_u_undoes_everywhere(
    make_app: MakeApp, workdir: Path
) -> None:
    write(workdir, FIRST, "in_progress", [("Iran", "GPE", "model")])
    write(workdir, SECOND, "accepted", [("Iran", "GPE", "user")])
    before = {stem: ents(workdir, stem) for stem in (FIRST, SECOND)}
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await ready(app, pilot)
        await pilot.press("I", "4")  # LOC
        assert isinstance(app.screen, PreviewScreen)
        assert len(app.screen.plan.left_out) == 1
        await pilot.press("exclamation_mark")
        assert len(app.screen.plan.included) == 2
        await pilot.press("enter")
        await pilot.pause()
        assert ents(workdir, FIRST) == [("Iran", "LOC", "user")]
        assert ents(workdir, SECOND) == [("Iran", "LOC", "user")]
        await pilot.press("u")
        await pilot.pause()
    assert {stem: ents(workdir, stem) for stem in (FIRST, SECOND)} == before


async def test_x_deletes_everywhere_and_escape_in_the_preview_changes_nothing(
    make_app: MakeApp, workdir: Path
) -> None:
    write(workdir, FIRST, "unreviewed", [("China", "ORG", "model"), ("Iran", "GPE", "model")])
    write(workdir, SECOND, "unreviewed", [("China", "PERSON", "model")])
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await ready(app, pilot)
        await pilot.press("I", "x")
        assert isinstance(app.screen, PreviewScreen)
        await pilot.press("escape")
        assert isinstance(app.screen, CorpusIndexScreen)
        assert [t for t, _, _ in ents(workdir, SECOND)] == ["China"]
        await pilot.press("x", "y", "escape")
    assert ents(workdir, FIRST) == [("Iran", "GPE", "model")]
    assert ents(workdir, SECOND) == []


async def test_enter_in_the_index_jumps_to_each_occurrence(
    make_app: MakeApp, workdir: Path
) -> None:
    write(workdir, FIRST, "unreviewed", [("Iran", "GPE", "model")])
    write(workdir, SECOND, "unreviewed", [("Iran", "GPE", "model")])
    app = make_app(first=(f"{FIRST}.txt",))
    async with app.run_test(size=SIZE) as pilot:
        await ready(app, pilot)
        await pilot.press("I", "enter")
        await pilot.pause()
        assert cursor_text(view(app)) == "Iran"
        await pilot.press("I", "enter")
        await pilot.pause()
        v = view(app)
        assert v.document is not None and v.document.text.lstrip().startswith("date 2024")
        assert cursor_text(v) == "Iran"
        await pilot.press("1")
    assert ents(workdir, SECOND) == [("Iran", "PERSON", "user")]


async def test_A_in_the_index_labels_every_occurrence_in_the_corpus(
    make_app: MakeApp, workdir: Path
) -> None:
    write(workdir, FIRST, "in_progress", [("Iran", "GPE", "user")])
    write(workdir, SECOND, "in_progress", [])
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await ready(app, pilot)
        await pilot.press("I", "A", "enter", "escape")
    for stem in (FIRST, SECOND):
        text = read_article(workdir / "articles", f"{stem}.txt").text
        iran = [label for t, label, _ in ents(workdir, stem) if t == "Iran"]
        # Whole tokens only: not the "Iran" of "Iranian".
        assert iran == ["GPE"] * len(re.findall(r"\bIran\b", text)), stem


async def test_ctrl_a_labels_every_occurrence_in_the_corpus_after_a_preview(
    make_app: MakeApp, workdir: Path
) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await ready(app, pilot)
        await pilot.press("right", "right", "ctrl+a")  # "China", GPE from the stand-in model
        assert isinstance(app.screen, PreviewScreen)
        await pilot.press("escape")
        await pilot.press("4", "ctrl+a", "enter")  # LOC here, then everywhere
        await pilot.pause()
    for stem in (FIRST, SECOND):
        text = read_article(workdir / "articles", f"{stem}.txt").text
        china = [label for t, label, _ in ents(workdir, stem) if t == "China"]
        assert china == ["LOC"] * text.count("China"), stem


async def test_a_correction_teaches_the_memory_and_the_other_article_follows(
    make_app: MakeApp, workdir: Path
) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await ready(app, pilot)
        v = view(app)
        assert v.document is not None
        at = v.document.text.index("Pezeshkian ")
        v.move_to_offset(at)
        await pilot.press("1")  # PERSON, over the stand-in's NORP
        await app.workers.wait_for_complete()
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        right = view(app, "right")
        assert right.document is not None
        shown = {
            (e.label, e.source)
            for e in right.document.entities
            if e.text(right.document.text) == "Pezeshkian"
        }
        assert shown == {("PERSON", "memory")}
        await pilot.press("tab", "a")  # the other article is saved with its next edit
    memory = tomllib.loads((workdir / "annotations" / ".newsmark-memory.toml").read_text("utf-8"))
    assert memory["labels"] == {"Pezeshkian": "PERSON"}
    assert set(pez(workdir, SECOND)) == {("PERSON", "memory")}
    assert Memory.load(workdir / "annotations").labels == {"Pezeshkian": "PERSON"}


# -- from the model's output to gold ------------------------------------------------------

GOLD = Path(__file__).resolve().parent.parent / "data" / "gold"


_KEY_NAMES = {",": "comma", "-": "minus", ":": "colon", " ": "space"}


def _typed(text: str) -> list[str]:
    return [_KEY_NAMES.get(c, c) for c in text]


def _find(text: str) -> list[str]:
    return ["slash", *_typed(text), "enter"]


# Every key a person presses, in the order a person would work: the first article's own
# fixes (w jumps to the next likely error), the second's (its page chrome out with B), then
# the corpus index for every text wrong in more than one place, then accept both. WAIT lets
# background work end (it is no key).
FIRST_TO_GOLD: list[str] = [
    "S",  # "Shafaq News/ China" ORG -> "Shafaq News" + "China" (China's label: in the index)
    "w", *["right_square_bracket"] * 2,  # an ORG a space before another: the Politburo ...
    "w", "x",  # the "One" of One-China, a number inside a name
    *_find("bel"), "L", "L", "L", "2",  # Belt and Road Initiative ORG
    "w", "x",  # "hegemonic practices", an ORG with no capital letter
]  # fmt: skip
SECOND_TO_GOLD: list[str] = [
    "tab", "WAIT",
    "B",  # site header, title block and byline; "Related Topics" and "Recent Stories"
    "w", "S", "n", "n", "n",  # the dateline: APP / UrduPoint / Pakistan Point News / 24th Oct
    *["right_square_bracket"] * 2, "9",  # 24th Oct, 2024 DATE
    *_find("ebr"), "1",  # Ebrahim Raisi PERSON
    *_find("west"), "5",  # Western NORP
    *_find("bri"), "2", "ctrl+a", "enter",  # BRICS ORG, the one the model missed too
]  # fmt: skip
INDEX_TO_GOLD: list[str] = [
    "I",  # likely errors first; the highlight moves on after each fix
    "A", "enter",  # China (ORG once, after S): GPE everywhere, One-China's too
    "1", "plus", "enter",  # Pezeshkian, part of "Masoud Pezeshkian": PERSON, unlabelled too
    "2", "enter",  # Xinhua, labelled three ways: ORG
    "1", "enter",  # Wang, part of "Wang Yi": PERSON
    "escape",
    "a", "tab", "a",  # accept both
]  # fmt: skip
REPLAY = FIRST_TO_GOLD + SECOND_TO_GOLD + INDEX_TO_GOLD
# The issue asked for at most 30 keys; tests/data/gold/README.md shows why no key design gets
# under 35 without leaving errors in the gold (three errors nothing points to need searches).
KEY_BUDGET = 62


def _spans(data: dict[str, Any]) -> set[tuple[int, int, str, str]]:
    return {(e["start"], e["end"], e["label"], e["text"]) for e in data["entities"]}


async def test_the_seeds_from_model_output_to_gold(
    make_app: MakeApp, workdir: Path, real_pipeline: Pipeline
) -> None:
    keys = [k for k in REPLAY if k != "WAIT"]
    assert len(keys) <= KEY_BUDGET
    app = make_app(factory=lambda name: real_pipeline)
    # The replay walks the likely errors with w; the model's unsure suggestions (which w also
    # stops at by default) are tests/ui/test_confidence_ui.py's to check.
    # w's own checks only: a threshold of 0 turns off its stops at suggestions the model is
    # unsure of (`open --low-confidence 0`), which would add keys that change nothing here.
    app.low_confidence = 0.0
    try:
        async with app.run_test(size=(100, 20)) as pilot:
            await ready(app, pilot)
            for key in REPLAY:
                if key == "WAIT":
                    await ready(app, pilot)
                else:
                    await pilot.press(key)
            await ready(app, pilot)
    finally:
        memory_mod.uninstall(real_pipeline.nlp)
    for stem in (FIRST, SECOND):
        gold = tomllib.loads((GOLD / f"{stem}.toml").read_text("utf-8"))
        got = toml(workdir, stem)
        assert got["status"] == gold["status"] == "accepted"
        assert got["sha256"] == gold["sha256"]
        assert _spans(got) == _spans(gold), stem
        assert got.get("excluded", []) == gold.get("excluded", []), stem
    # What the memory learnt on the way agrees with the gold: no lesson from the page chrome,
    # none from the steps in between, no gold text remembered as deleted.
    memory = Memory.load(workdir / "annotations")
    gold_labels = {
        e["text"]: e["label"]
        for stem in (FIRST, SECOND)
        for e in tomllib.loads((GOLD / f"{stem}.toml").read_text("utf-8"))["entities"]
    }
    gone = memory.everywhere() | {r.text for r in memory.rejected}
    assert not gone & set(gold_labels), gone & set(gold_labels)
    assert {t: gold_labels.get(t) for t in memory.labels} == memory.labels


async def test_a_big_corpus_is_indexed_and_planned_on_a_thread(
    make_app: MakeApp, workdir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(corpus_host, "QUICK", 0)
    write(workdir, FIRST, "in_progress", [("Iran", "GPE", "model")])
    write(workdir, SECOND, "accepted", [("Iran", "GPE", "user")])
    app = make_app(first=(f"{SECOND}.txt",))  # the first article is not open
    async with app.run_test(size=SIZE) as pilot:
        await ready(app, pilot)
        await pilot.press("I")
        await app.workers.wait_for_complete()
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, CorpusIndexScreen) and screen.index is not None
        assert screen.index.entries[0].text == "Iran"
        await pilot.press("4")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert isinstance(app.screen, PreviewScreen)
        assert [c.article for c in app.screen.plan.included] == [f"{FIRST}.txt"]
        await pilot.press("enter")
        await app.workers.wait_for_complete()
        await pilot.pause()
    assert ents(workdir, FIRST) == [("Iran", "LOC", "user")]
    assert ents(workdir, SECOND) == [("Iran", "GPE", "user")]


def _snapshot_corpus(workdir: Path) -> None:
    write(
        workdir, FIRST, "in_progress", [("Pezeshkian", "PERSON", "user"), ("China", "GPE", "user")]
    )
    write(
        workdir, SECOND, "unreviewed", [("Pezeshkian", "NORP", "model"), ("China", "GPE", "memory")]
    )


def test_snapshot_corpus_index(snap_compare: Any, make_app: MakeApp, workdir: Path) -> None:
    """Conflicting texts first, marked."""
    _snapshot_corpus(workdir)

    async def run_before(pilot: Any) -> None:
        await ready(pilot.app, pilot)
        await pilot.press("I")
        await pilot.pause()

    assert snap_compare(make_app(), terminal_size=(100, 20), run_before=run_before)


def test_snapshot_memory_spans_have_their_own_mark(
    snap_compare: Any, make_app: MakeApp, workdir: Path
) -> None:
    """The right pane's "China" came from the memory: italic, underlined."""
    _snapshot_corpus(workdir)

    async def run_before(pilot: Any) -> None:
        await ready(pilot.app, pilot)

    assert snap_compare(make_app(), terminal_size=(120, 16), run_before=run_before)


async def test_the_index_says_which_files_it_cannot_read(make_app: MakeApp, workdir: Path) -> None:
    write(workdir, FIRST, "in_progress", [("Iran", "GPE", "user")])
    (workdir / "annotations" / f"{SECOND}.toml").write_text("schema = [", "utf-8")
    app = make_app(first=(f"{FIRST}.txt",))
    async with app.run_test(size=SIZE) as pilot:
        await ready(app, pilot)
        await pilot.press("I")
        screen = app.screen
        assert isinstance(screen, CorpusIndexScreen) and screen.index is not None
        assert list(screen.index.errors) == [f"{SECOND}.txt"]
        assert "1 annotation file cannot be read" in str(screen.query_one("#title").render())
        await pilot.press("x", "enter")
    assert ents(workdir, FIRST) == []
    assert (workdir / "annotations" / f"{SECOND}.toml").read_text("utf-8") == "schema = ["


async def test_plus_labels_the_missed_occurrences_too_and_the_highlight_moves_on(
    make_app: MakeApp, workdir: Path
) -> None:
    write(
        workdir,
        FIRST,
        "in_progress",
        [("Masoud Pezeshkian", "PERSON", "model"), ("hegemonic practices", "ORG", "model")],
    )
    write(workdir, SECOND, "in_progress", [("Pezeshkian", "NORP", "model")])
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await ready(app, pilot)
        await pilot.press("I")
        screen = app.screen
        assert isinstance(screen, CorpusIndexScreen) and screen.index is not None
        assert [(e.text, e.hint) for e in screen.index.suspects] == [
            ("Pezeshkian", "part of 'Masoud Pezeshkian', a PERSON 1×"),
            ("hegemonic practices", "a name label on text with no capital letter"),
        ]
        await pilot.press("1")
        preview = app.screen
        assert isinstance(preview, PreviewScreen) and preview.plan.action == "relabel"
        assert "+ also labels" in str(preview.query_one("#title").render())
        await pilot.press("plus")
        assert preview.plan.action == "label_all"
        assert any("+PERSON" in line for line in preview.plan.lines())
        await pilot.press("enter")
        await pilot.pause()
        index = app.screen
        assert isinstance(index, CorpusIndexScreen)
        entry = index.highlighted()
        assert entry is not None and entry.text == "hegemonic practices"
    for stem in (FIRST, SECOND):
        text = read_article(workdir / "articles", f"{stem}.txt").text
        # In the first article "Masoud Pezeshkian" is a PERSON: the part inside is left alone.
        pattern = r"(?<!Masoud )\bPezeshkian\b" if stem == FIRST else r"\bPezeshkian\b"
        alone = len(re.findall(pattern, text))
        assert pez(workdir, stem) == [("PERSON", "user")] * alone, stem


async def test_plus_on_a_big_corpus_plans_on_a_thread(
    make_app: MakeApp, workdir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(corpus_host, "QUICK", 0)
    write(workdir, FIRST, "in_progress", [("Pezeshkian", "NORP", "model")])
    app = make_app(first=(f"{FIRST}.txt",))
    async with app.run_test(size=SIZE) as pilot:
        await ready(app, pilot)
        await pilot.press("I")
        await app.workers.wait_for_complete()
        await pilot.pause()
        await pilot.press("1")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert isinstance(app.screen, PreviewScreen) and app.screen.plan.action == "relabel"
        await pilot.press("plus")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert isinstance(app.screen, PreviewScreen) and app.screen.plan.action == "label_all"
        await pilot.press("enter")
        await app.workers.wait_for_complete()
        await pilot.pause()
    text = read_article(workdir / "articles", f"{FIRST}.txt").text
    assert pez(workdir, FIRST) == [("PERSON", "user")] * len(re.findall(r"\bPezeshkian\b", text))


async def test_t_in_the_index_picks_among_the_projects_labels_as_the_reader_does(
    make_app: MakeApp, workdir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The project's labels only; another one typed in is applied, with the reader's warning,
    and gets no number key."""
    from tests.ui.conftest import notes_of
    from tui.core import project
    from tui.screens.labels import LabelPicker

    project.set_labels(workdir / "annotations", ["PERSON", "GPE"])
    write(workdir, FIRST, "unreviewed", [("Pezeshkian", "PERSON", "model")])
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await ready(app, pilot)
        notes = notes_of(app, monkeypatch)
        await pilot.press("I")
        index = app.screen
        assert isinstance(index, CorpusIndexScreen)
        entry = index.highlighted()
        assert entry is not None
        await pilot.press("t")
        assert isinstance(app.screen, LabelPicker)
        assert [o.id for o in app.screen.query_one("OptionList").options] == ["PERSON", "GPE"]  # type: ignore[attr-defined]
        await pilot.press(*"norp", "enter")
        await pilot.pause()
        assert isinstance(app.screen, PreviewScreen)
        await pilot.press("enter")
        await pilot.pause()
        assert screen.labels == ["PERSON", "GPE"]
        assert "NORP is outside the project's labels." in notes
    (stem,) = [a.removesuffix(".txt") for a in entry.articles]
    assert {label for text, label, _ in ents(workdir, stem) if text == entry.text} == {"NORP"}

"""The corpus entity index and corrections across the corpus, with preview and undo."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from tests.conftest import SEED_IDS
from tui.core import corpus_index, store
from tui.core.article import read_article
from tui.core.edits import Status
from tui.core.lint import cased_lower
from tui.core.memory import Memory
from tui.core.spans import Entity
from tui.core.workspace import Annotated, Workspace

FIRST, SECOND = SEED_IDS


def write(workdir: Path, aid: str, status: Status, spans: list[tuple[str, str, str]]) -> None:
    """Save a TOML whose entities are the first occurrence of each (text, label, source)."""
    article = read_article(workdir / "articles", aid)
    entities = []
    for text, label, source in spans:
        at = article.text.index(text)
        entities.append(Entity(at, at + len(text), label, source))  # type: ignore[arg-type]
    annotation = store.Annotation(aid, article.sha256, status, tuple(entities))
    store.save(store.annotation_path(workdir / "annotations", aid), annotation, article.text)


def on_disk(workdir: Path, aid: str) -> list[tuple[str, str, str]]:
    data = tomllib.loads(store.annotation_path(workdir / "annotations", aid).read_text("utf-8"))
    return [(e["text"], e["label"], e["source"]) for e in data["entities"]]


@pytest.fixture
def corpus(workdir: Path) -> Workspace:
    write(
        workdir,
        FIRST,
        "unreviewed",
        [("Pezeshkian", "NORP", "model"), ("China", "GPE", "model"), ("Wang", "ORG", "model")],
    )
    write(workdir, SECOND, "accepted", [("Pezeshkian", "PERSON", "user"), ("China", "GPE", "user")])
    return Workspace(workdir / "articles", workdir / "annotations")


def test_conflicting_texts_come_first(corpus: Workspace) -> None:
    index = corpus_index.build(corpus)
    assert [e.text for e in index.entries] == ["Pezeshkian", "China", "Wang"]
    first = index.entries[0]
    assert first.conflict and first.text == "Pezeshkian"
    assert first.labels == {"NORP": 1, "PERSON": 1}
    assert first.articles == [FIRST, SECOND]
    assert first.summary() in ("NORP 1 · PERSON 1", "PERSON 1 · NORP 1")
    china = index.find("China")
    assert china is not None and not china.conflict and china.count == 2
    assert [e.text for e in index.conflicts] == ["Pezeshkian"]


def test_name_parts_and_lower_case_names_come_next_with_their_reason(workdir: Path) -> None:
    write(
        workdir,
        FIRST,
        "unreviewed",
        [
            ("Masoud Pezeshkian", "PERSON", "model"),
            ("Wang Yi", "PERSON", "model"),
            ("Wang,", "ORG", "model"),  # a glued comma: not the name part "Wang"
            ("hegemonic practices", "ORG", "model"),
            ("Chinese Communist Party", "ORG", "model"),
            ("China", "GPE", "model"),
            ("two", "CARDINAL", "model"),
        ],
    )
    write(
        workdir,
        SECOND,
        "unreviewed",
        [
            ("Pezeshkian", "NORP", "model"),
            ("Xi Jinping", "PERSON", "model"),
            ("Xi", "PERSON", "model"),
        ],
    )
    index = corpus_index.build(Workspace(workdir / "articles", workdir / "annotations"))
    hints = {e.text: e.hint for e in index.suspects}
    assert hints == {
        "Pezeshkian": "part of 'Masoud Pezeshkian', a PERSON 1×",
        "hegemonic practices": "a name label on text with no capital letter",
    }
    assert [e.text for e in index.entries[:2]] == ["Pezeshkian", "hegemonic practices"]
    assert index.find("two") is not None and not index.find("two").suspect  # type: ignore[union-attr]
    assert index.find("Xi") is not None and index.find("Xi").hint is None  # type: ignore[union-attr]


def test_the_rarer_reading_of_a_name_part_is_the_suspect(tmp_path: Path) -> None:
    """ "London" GPE in other articles, "Michael London" PERSON once: the PERSON is the odd
    one; "Wang" ORG twice after "Wang Yi" PERSON in the same article: "Wang" is."""
    articles, annotations = tmp_path / "articles", tmp_path / "annotations"
    articles.mkdir()
    annotations.mkdir()
    texts = {
        "a.txt": "Michael London scored in London, BBC Sport said.",
        "b.txt": "London and London again; BBC said; BBC too. Wang Yi met Wang, Wang.",
    }
    for name, text in texts.items():
        (articles / name).write_text(text, "utf-8")
    spans = {
        "a.txt": [
            ("Michael London", "PERSON", 0),
            ("London", "GPE", 1),
            ("BBC Sport", "PERSON", 0),
        ],
        "b.txt": [("London", "GPE", 0), ("London", "GPE", 1), ("BBC", "ORG", 0), ("BBC", "ORG", 1)]
        # A surname after the full name in the same article: the surname is the odd one.
        + [("Wang Yi", "PERSON", 0), ("Wang", "ORG", 1), ("Wang", "ORG", 2)],
    }
    for name, wanted in spans.items():
        article = read_article(articles, name)
        entities = []
        for text, label, nth in wanted:
            at = -1
            for _ in range(nth + 1):
                at = article.text.index(text, at + 1)
            entities.append(Entity(at, at + len(text), label, "model"))
        annotation = store.Annotation(name, article.sha256, "unreviewed", tuple(entities))
        store.save(store.annotation_path(annotations, name), annotation, article.text)
    index = corpus_index.build(Workspace(articles, annotations))
    hints = {e.text: (e.hint, e.other) for e in index.suspects}
    assert hints == {
        "Michael London": ("holds 'London', elsewhere GPE 3×", "London"),
        "BBC Sport": ("holds 'BBC', elsewhere ORG 2×", "BBC"),
        "Wang": ("part of 'Wang Yi', a PERSON 1×", "Wang Yi"),
    }
    london = index.find("London")
    assert london is not None and not london.suspect


@pytest.mark.parametrize(
    ("text", "lower"),
    [
        ("hegemonic practices", True),
        ("middle East", False),
        ("北京", False),
        ("iPhone", False),
        ("ödön", True),
        ("123", False),
        ("", False),
    ],
)
def test_lower_case_means_letters_with_case_and_no_capital(text: str, lower: bool) -> None:
    assert cased_lower(text) is lower


def test_open_articles_are_indexed_as_they_are_now(corpus: Workspace) -> None:
    opened = {FIRST: corpus.open(FIRST)}
    doc = opened[FIRST].document
    doc.delete(next(e for e in doc.entities if e.label == "ORG"))
    assert corpus_index.build(corpus, opened).find("Wang") is None


def test_preview_changes_nothing_and_leaves_accepted_alone(
    corpus: Workspace, workdir: Path
) -> None:
    before = {aid: on_disk(workdir, aid) for aid in SEED_IDS}
    opened: dict[str, Annotated] = {}
    plan = corpus_index.plan(corpus, opened, "China", "relabel", "LOC")
    assert [(c.article, c.included, c.status) for c in plan.changes] == [
        (FIRST, True, "unreviewed"),
        (SECOND, False, "accepted"),
    ]
    assert "left alone: accepted" in plan.lines()[1]
    assert [c.included for c in plan.with_reviewed(True).changes] == [True, True]
    assert {aid: on_disk(workdir, aid) for aid in SEED_IDS} == before
    assert [e.label for e in opened[FIRST].document.entities] == ["GPE", "NORP", "ORG"]


def test_apply_saves_each_article_and_undo_restores_all(corpus: Workspace, workdir: Path) -> None:
    before = {aid: on_disk(workdir, aid) for aid in SEED_IDS}
    opened: dict[str, Annotated] = {}
    plan = corpus_index.plan(corpus, opened, "China", "relabel", "LOC", include_reviewed=True)
    assert "changed as you asked" in plan.lines()[1]
    done = corpus_index.apply(corpus, opened, plan)
    assert done.articles == [FIRST, SECOND] and not done.failed
    assert ("China", "LOC", "user") in on_disk(workdir, FIRST)
    assert ("China", "LOC", "user") in on_disk(workdir, SECOND)
    assert store.read(corpus.path_for(SECOND))[0].status == "accepted"  # status kept
    assert corpus_index.undo(done, corpus.save) == []
    assert {aid: on_disk(workdir, aid) for aid in SEED_IDS} == before


def test_undo_skips_an_article_edited_since(corpus: Workspace) -> None:
    opened: dict[str, Annotated] = {}
    done = corpus_index.apply(corpus, opened, corpus_index.plan(corpus, opened, "Wang", "delete"))
    doc = opened[FIRST].document
    doc.set_status("accepted")
    assert corpus_index.undo(done, corpus.save) == [FIRST]


def test_label_all_reaches_every_whole_token_occurrence(corpus: Workspace, workdir: Path) -> None:
    opened: dict[str, Annotated] = {}
    plan = corpus_index.plan(
        corpus, opened, "Pezeshkian", "label_all", "PERSON", include_reviewed=True
    )
    done = corpus_index.apply(corpus, opened, plan)
    for aid in SEED_IDS:
        text = opened[aid].article.text
        labels = [e.label for e in opened[aid].document.entities if e.text(text) == "Pezeshkian"]
        assert labels == ["PERSON"] * text.count("Pezeshkian"), aid
    assert done.description == "label every 'Pezeshkian' PERSON in the corpus"


def test_articles_without_a_file_are_left_to_the_memory(workdir: Path) -> None:
    write(workdir, FIRST, "unreviewed", [("China", "GPE", "model")])
    workspace = Workspace(workdir / "articles", workdir / "annotations")
    plan = corpus_index.plan(workspace, {}, "China", "relabel", "LOC")
    assert [c.article for c in plan.changes] == [FIRST]
    assert not workspace.path_for(SECOND).exists()


def test_label_all_leaves_excluded_text_alone(corpus: Workspace) -> None:
    opened: dict[str, Annotated] = {}
    doc = corpus.open(FIRST).document
    text = doc.text
    last = text.rindex("Pezeshkian")
    opened[FIRST] = corpus.open(FIRST)
    opened[FIRST].document = type(doc)(text, doc.entities, doc.status, [(last, len(text))])
    plan = corpus_index.plan(corpus, opened, "Pezeshkian", "label_all", "PERSON")
    first = next(c for c in plan.changes if c.article == FIRST)
    assert first.added and all(e.end <= last for e in first.added)


def test_a_preview_item_is_one_place_in_its_line_and_can_be_left_out(corpus: Workspace) -> None:
    opened: dict[str, Annotated] = {}
    plan = corpus_index.plan(corpus, opened, "Pezeshkian", "relabel", "PERSON")
    (item,) = plan.items()
    text = opened[FIRST].article.text
    before, changed, after = item.line(text)
    assert changed == "Pezeshkian" and item.what() == "NORP→PERSON"
    assert text[item.start - len(before) : item.end + len(after)] == before + changed + after
    left = plan.without([item])
    assert left.items() == [] and [c.kept for c in left.included] == [item.removed]
    done = corpus_index.apply(corpus, opened, left)
    (step,) = done.steps
    assert [e.source for e in opened[FIRST].document.entities if e.start == item.start] == ["user"]
    assert not Memory().learn(step[1], text)  # kept as it is: no lesson about the text
    item = corpus_index.Item("a", (Entity(4, 6, "ORG", "model"),), ())
    assert item.line("ab\r\n😀中 x\r\nz", 10) == ("", "😀中", " x")
    assert item.what() == "−ORG"

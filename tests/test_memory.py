"""The memory: its file, what it learns from edits, and its SpanRuler in a pipeline."""

from __future__ import annotations

import threading
import tomllib
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.conftest import SEED_IDS, make_ruler_pipeline
from tui.cli import main
from tui.core import memory as memory_mod
from tui.core import ner, store
from tui.core import recall as recall_mod
from tui.core.article import read_article
from tui.core.edits import Document
from tui.core.memory import Change, Memory, MemoryError
from tui.core.ner import Pipeline
from tui.core.recall import Recall
from tui.core.spans import Entity
from tui.core.stats import collect


def ents(pipeline: Pipeline, text: str, mem: Memory) -> list[tuple[str, str, str]]:
    doc = pipeline.nlp(text)
    return [(e.text(text), e.label, e.source) for e in memory_mod.entities(doc, text, mem)]


@pytest.fixture
def ruler() -> Pipeline:
    """A fresh stand-in model per test: installing a memory changes the pipeline."""
    return make_ruler_pipeline()


@pytest.fixture
def real(real_pipeline: Pipeline) -> Iterator[Pipeline]:
    """The real model; whatever memory a test installs is taken out again."""
    yield real_pipeline
    memory_mod.uninstall(real_pipeline.nlp)


# -- the file -----------------------------------------------------------------------------


def test_round_trip(tmp_path: Path) -> None:
    mem = Memory(path=Memory.path_in(tmp_path))
    mem.label('He said "hi"\\', "WORK_OF_ART")
    mem.label("Pezeshkian", "PERSON")
    mem.delete("hegemonic practices")
    mem.resize("Shafaq News/ China", "Shafaq News", "ORG")
    mem.save()
    assert (tmp_path / ".newsmark-memory.toml").read_text("utf-8").startswith("# ")
    back = Memory.load(tmp_path)
    assert back == mem
    assert back.labels["Shafaq News"] == "ORG"
    assert back.gone() == ["Shafaq News/ China", "hegemonic practices"]


@given(
    st.dictionaries(
        st.text(min_size=1).filter(str.strip),
        st.text(min_size=1).filter(lambda v: v == v.strip()),
        max_size=5,
    )
)
def test_round_trip_any_text(labels: dict[str, str]) -> None:
    mem = Memory(dict(labels), path=Path("m.toml"))
    assert Memory.parse(mem.dumps(), Path("m.toml")).labels == labels


def test_no_file_is_an_empty_memory(tmp_path: Path) -> None:
    assert not Memory.load(tmp_path)


@pytest.mark.parametrize(
    "content",
    [
        "labels = 3\n",
        '[labels]\nChina = " GPE"\n',
        '[labels]\nChina = ""\n',
        '[labels]\n"" = "GPE"\n',
        "[labels]\nChina = 3\n",
    ],
)
def test_broken_file_names_itself(tmp_path: Path, content: str) -> None:
    (tmp_path / ".newsmark-memory.toml").write_text(content, "utf-8")
    with pytest.raises(MemoryError, match=r"\.newsmark-memory\.toml: labels should be"):
        Memory.load(tmp_path)


# -- learning from edits ------------------------------------------------------------------

TEXT = "Shafaq News/ China met Pezeshkian and hegemonic practices."


def document() -> Document:
    return Document(
        TEXT,
        [
            Entity(0, 18, "ORG", "model"),
            Entity(23, 33, "NORP", "model"),
            Entity(38, 57, "ORG", "model"),
        ],
    )


def test_learns_a_relabel_a_delete_and_a_resize() -> None:
    doc, mem = document(), Memory()
    model = doc.entities
    edit = doc.relabel(model[1], "PERSON")
    assert edit is not None and mem.learn(edit, TEXT)
    edit = doc.delete(model[2])
    assert edit is not None and mem.learn(edit, TEXT)
    edit = doc.resize(model[0], 0, 11)
    assert edit is not None and mem.learn(edit, TEXT)
    edit = doc.add(13, 18, "GPE")
    assert edit is not None and mem.learn(edit, TEXT)
    assert mem.labels == {"Pezeshkian": "PERSON", "Shafaq News": "ORG", "China": "GPE"}
    assert mem.rejected == {memory_mod.Rejected("hegemonic practices", "ORG", "and", ".")}
    assert list(mem.resized) == ["Shafaq News/ China"]


def test_a_relabel_after_a_resize_is_the_label_the_resize_ends_with() -> None:
    doc, mem = document(), Memory()
    grown = doc.resize(doc.entities[0], 0, 11)  # "Shafaq News" ORG
    assert grown is not None and mem.learn(grown, TEXT)
    relabel = doc.relabel(grown.added[0], "PERSON")
    assert relabel is not None and mem.learn(relabel, TEXT)
    assert [(r.old, r.new, r.label) for r in mem.resized.values()] == [
        ("Shafaq News/ China", "Shafaq News", "PERSON")
    ]


def test_a_chain_of_resizes_keeps_where_it_ends() -> None:
    doc, mem = document(), Memory()
    first = doc.resize(doc.entities[0], 0, 12)  # "Shafaq News/"
    assert first is not None and mem.learn(first, TEXT)
    second = doc.resize(doc.entities[0], 0, 11)  # "Shafaq News"
    assert second is not None and mem.learn(second, TEXT)
    assert {r.old: r.new for r in mem.resized.values()} == {
        "Shafaq News/ China": "Shafaq News",
        "Shafaq News/": "Shafaq News",
    }
    assert mem.labels == {"Shafaq News": "ORG"}


def test_a_split_and_its_undo_teach_nothing() -> None:
    doc, mem = document(), Memory()
    split = doc.split(doc.entities[0])  # "Shafaq News/ China" ORG
    assert split is not None
    assert [e.text(TEXT) for e in split.added] == ["Shafaq News", "China"]
    assert not mem.learn(split, TEXT)  # an ORG "China" is no decision about China
    undone = doc.undo()
    assert undone is not None and not mem.learn(undone.inverse(), TEXT)
    assert not mem
    china = next(e for e in doc.entities if e.text(TEXT) == "Shafaq News/ China")
    split = doc.split(china)
    assert split is not None
    relabel = doc.relabel(split.added[1], "GPE")
    assert relabel is not None and mem.learn(relabel, TEXT)
    assert mem.labels == {"China": "GPE"}


def test_text_marked_not_article_teaches_nothing() -> None:
    doc, mem = document(), Memory()
    edit = doc.exclude(0, len(TEXT))  # every suggestion goes, none of them was judged
    assert edit is not None and len(edit.removed) == 3
    assert not mem.learn(edit, TEXT) and not mem
    undone = doc.undo()
    assert undone is not None and not mem.learn(undone.inverse(), TEXT)


def test_a_span_grown_over_a_suggestion_says_nothing_about_the_suggestion() -> None:
    doc, mem = document(), Memory()
    pez, heg = doc.entities[1], doc.entities[2]
    edit = doc.resize(pez, pez.start, heg.end)  # two suggestions become one span
    assert edit is not None and mem.learn(edit, TEXT)
    assert mem.labels == {"Pezeshkian and hegemonic practices": "NORP"}
    assert not mem.deleted and not mem.resized and not mem.rejected
    doc.undo()
    mem = Memory()
    own = doc.relabel(pez, "PERSON")
    assert own is not None and mem.learn(own, TEXT)
    grown = doc.resize(own.added[0], pez.start, heg.end)  # the person's own span moved
    assert grown is not None and mem.learn(grown, TEXT)
    assert list(mem.resized) == ["Pezeshkian"]
    assert not mem.rejected


def test_undo_forgets_and_status_teaches_nothing() -> None:
    doc, mem = document(), Memory()
    edit = doc.relabel(doc.entities[1], "PERSON")
    assert edit is not None
    mem.learn(edit, TEXT)
    undone = doc.undo()
    assert undone is not None
    assert mem.learn(undone.inverse(), TEXT)
    assert not mem
    status = doc.set_status("accepted")
    assert status is not None and not mem.learn(status, TEXT)


def test_deleting_your_own_span_forgets_it() -> None:
    doc, mem = Document("Wang said."), Memory()
    added = doc.add(0, 4, "PERSON")
    assert added is not None
    mem.learn(added, doc.text)
    deleted = doc.delete(doc.entities[0])
    assert deleted is not None
    mem.learn(deleted, doc.text)
    assert not mem


def test_context_is_the_token_on_either_side() -> None:
    text = "Iran backs the One-China policy.\r\nOne in 10 😀 said 中国"
    at = text.index("One")
    assert memory_mod.context(text, at, at + 3) == ("the", "-")
    second = text.index("One", at + 1)
    assert memory_mod.context(text, second, second + 3) == (".", "in")
    assert memory_mod.context(text, 0, 4) == ("", "backs")
    assert memory_mod.context(text, text.index("said"), text.index("said") + 4) == ("😀", "中国")
    assert memory_mod.context(text, len(text) - 2, len(text)) == ("said", "")


@given(st.text(max_size=40), st.integers(0, 40), st.integers(0, 40))
def test_context_is_what_touches_the_span_on_either_side(text: str, a: int, b: int) -> None:
    start, end = sorted((min(a, len(text)), min(b, len(text))))
    before, after = memory_mod.context(text, start, end)
    assert text[:start].rstrip().endswith(before)
    assert text[end:].lstrip().startswith(after)
    assert not any(c.isspace() for c in before + after)
    assert bool(before) == bool(text[:start].strip()) and bool(after) == bool(text[end:].strip())


def test_a_deletion_is_remembered_where_it_was_and_an_undo_forgets_it() -> None:
    text = "Iran backs the One-China policy."
    doc, mem = Document(text, [Entity(15, 18, "CARDINAL", "model")]), Memory()
    edit = doc.delete(doc.entities[0])
    assert edit is not None and mem.learn(edit, text)
    assert not mem.deleted and not mem.gone()
    assert mem.rejected == {memory_mod.Rejected("One", "CARDINAL", "the", "-")}
    back = Memory.parse(mem.dumps(), Path("m.toml"))
    assert back.rejected == mem.rejected
    assert mem.about("One") == ["deleted as CARDINAL at 'the' ◂ ▸ '-'"]
    undone = doc.undo()
    assert undone is not None and mem.learn(undone.inverse(), text)
    assert not mem


def test_a_deletion_in_two_different_places_is_a_deletion_everywhere() -> None:
    mem = Memory()
    mem.reject("hegemonic practices", "ORG", "and", ".")
    mem.reject("hegemonic practices", "ORG", "and", ".")
    assert mem.gone() == []
    mem.reject("hegemonic practices", "NORP", "of", "in")
    assert mem.gone() == ["hegemonic practices"]
    assert mem.places() == []
    assert mem.about("hegemonic practices") == ["never suggested"]
    mem.forget("hegemonic practices")
    assert not mem


def test_one_deleted_in_one_china_stays_in_one_in_ten(real: Pipeline, workdir: Path) -> None:
    """The "One" of "One-China" deleted in the first seed; a correct "One" elsewhere stays."""
    first = read_article(workdir / "articles", SEED_IDS[0])
    doc = Document(first.text, memory_mod.entities(real.nlp(first.text), first.text))
    one = next(e for e in doc.entities if e.text(first.text) == "One")
    assert one.label == "CARDINAL"
    mem = Memory()
    edit = doc.delete(one)
    assert edit is not None and mem.learn(edit, first.text)
    mem.install(real.nlp)
    other = "Beijing thanked Iran for the One-China policy. One in 10 people agreed."
    found = [(e.text(other), e.start) for e in memory_mod.entities(real.nlp(other), other, mem)]
    assert ("One", other.index("One in")) in found
    assert ("One", other.index("One-")) not in found
    changed = memory_mod.changes(real.nlp(other), other, mem)
    at = other.index("One-")
    assert changed == [Change(at, at + 3, None, "CARDINAL")]


# -- the SpanRuler ------------------------------------------------------------------------


def test_installs_spacys_span_ruler_named_newsmark_memory(ruler: Pipeline) -> None:
    mem = Memory({"Pezeshkian": "PERSON"}, {"Xinhua"})
    mem.install(ruler.nlp)
    assert ruler.nlp.pipe_names[-1] == "newsmark_memory"
    assert ruler.nlp.get_pipe_meta("newsmark_memory").factory == "span_ruler"
    config = ruler.nlp.config["components"]["newsmark_memory"]
    assert config["ents_filter"] == {
        "@misc": "newsmark.memory_ents_filter.v1",
        "deleted": ["Xinhua"],
        "rejected": [],
    }
    assert config["overwrite"] is False
    Memory().install(ruler.nlp)
    assert "newsmark_memory" not in ruler.nlp.pipe_names


def test_memory_labels_win_and_deletions_filter(ruler: Pipeline) -> None:
    text = "Pezeshkian met Xi Jinping; Xinhua said."
    mem = Memory({"Pezeshkian": "PERSON"}, {"Xinhua"})
    mem.install(ruler.nlp)
    assert ents(ruler, text, mem) == [
        ("Pezeshkian", "PERSON", "memory"),
        ("Xi Jinping", "PERSON", "model"),
    ]


def test_multi_token_and_punctuated_texts(ruler: Pipeline) -> None:
    text = "Mr. Wang Yi of PML-N saw the U.S. team at the Quaid-e-Azam Trophy (2024-25)."
    mem = Memory(
        {
            "Mr. Wang Yi": "PERSON",
            "PML-N": "ORG",
            "U.S.": "GPE",
            "Quaid-e-Azam Trophy": "EVENT",
            "(2024-25)": "DATE",
        }
    )
    mem.install(ruler.nlp)
    assert ents(ruler, text, mem) == [
        ("Mr. Wang Yi", "PERSON", "memory"),
        ("PML-N", "ORG", "memory"),
        ("U.S.", "GPE", "memory"),
        ("Quaid-e-Azam Trophy", "EVENT", "memory"),
        ("(2024-25)", "DATE", "memory"),
    ]


def test_a_shorter_text_never_cuts_a_longer_model_entity(ruler: Pipeline) -> None:
    mem = Memory({"Wang": "ORG", "Xi": "PERSON"})
    mem.install(ruler.nlp)
    text = "Wang Yi and Xi Jinping; Wang alone."
    assert ents(ruler, text, mem) == [
        ("Wang Yi", "PERSON", "model"),
        ("Xi Jinping", "PERSON", "model"),
        ("Wang", "ORG", "memory"),
    ]


def test_agreeing_with_the_model_stays_model(ruler: Pipeline) -> None:
    mem = Memory({"China": "GPE"})
    mem.install(ruler.nlp)
    assert ents(ruler, "China.", mem) == [("China", "GPE", "model")]


def test_resize_inside_a_token_and_what_changed(real: Pipeline) -> None:
    text = "Shafaq News/ China expressed support for Iran."
    mem = Memory()
    mem.resize("Shafaq News/ China", "Shafaq News", "ORG")
    mem.label("China", "GPE")
    mem.install(real.nlp)
    doc = real.nlp(text)
    found = memory_mod.entities(doc, text, mem)
    assert [(e.text(text), e.label, e.source) for e in found] == [
        ("Shafaq News", "ORG", "memory"),
        ("China", "GPE", "memory"),
        ("Iran", "GPE", "model"),
    ]
    assert memory_mod.changes(doc, text, mem) == [
        Change(0, 11, "ORG", None),
        Change(0, 18, None, "ORG"),
        Change(13, 18, "GPE", None),
    ]


def test_change_log_keeps_the_last_line_per_article(tmp_path: Path) -> None:
    memory_mod.record(tmp_path, "a.txt", [Change(0, 4, "PERSON", "ORG")])
    memory_mod.record(tmp_path, "a.txt", [Change(1, 4, None, "ORG")])
    memory_mod.record(tmp_path, "b.txt", [])
    assert memory_mod.read_log(tmp_path) == {"a.txt": [Change(1, 4, None, "ORG")], "b.txt": []}
    final = {(1, 4, "ORG")}
    assert not Change(1, 4, None, "ORG").kept(final)
    assert Change(0, 4, "PERSON", "ORG").kept({(0, 4, "PERSON")})


def test_a_correction_in_one_article_changes_the_next(real: Pipeline, workdir: Path) -> None:
    """Pezeshkian fixed once in the first seed: the second, unreviewed, is suggested right."""
    first = read_article(workdir / "articles", SEED_IDS[0])
    second = read_article(workdir / "articles", SEED_IDS[1])
    before = memory_mod.entities(real.nlp(second.text), second.text)
    assert ("Pezeshkian", "NORP") in {(e.text(second.text), e.label) for e in before}

    doc = Document(first.text, memory_mod.entities(real.nlp(first.text), first.text))
    wrong = next(e for e in doc.entities if e.text(first.text) == "Pezeshkian")
    mem = Memory(path=Memory.path_in(workdir / "annotations"))
    edit = doc.relabel(wrong, "PERSON")
    assert edit is not None and mem.learn(edit, first.text)
    mem.save()

    Memory.load(workdir / "annotations").install(real.nlp)
    after = memory_mod.entities(real.nlp(second.text), second.text)
    labels = {e.label for e in after if e.text(second.text) == "Pezeshkian"}
    assert labels == {"PERSON"}
    assert all(e.source == "memory" for e in after if e.text(second.text) == "Pezeshkian")


# -- the commands -------------------------------------------------------------------------


@pytest.fixture
def stand_in(monkeypatch: pytest.MonkeyPatch) -> Pipeline:
    """``newsmark suggest`` gets a fresh stand-in model (the memory is installed into it)."""
    pipeline = make_ruler_pipeline()
    monkeypatch.setattr(ner, "load", lambda name=None, *_: pipeline)
    return pipeline


def spans_on_disk(workdir: Path, aid: str) -> list[tuple[int, int, str, str, str]]:
    data = tomllib.loads(store.annotation_path(workdir / "annotations", aid).read_text("utf-8"))
    return [(e["start"], e["end"], e["text"], e["label"], e["source"]) for e in data["entities"]]


def test_suggest_memory_updates_unreviewed_articles_and_stats_counts_what_was_kept(
    stand_in: Pipeline, workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["suggest"]) == 0
    first = spans_on_disk(workdir, SEED_IDS[0])
    assert ("Pezeshkian", "NORP", "model") in [s[2:] for s in first]

    Memory(
        {"Pezeshkian": "PERSON"}, {"Xinhua"}, path=Memory.path_in(workdir / "annotations")
    ).save()
    assert main(["suggest", "--memory"]) == 0
    for aid in SEED_IDS:
        found = [s[2:] for s in spans_on_disk(workdir, aid)]
        assert ("Pezeshkian", "PERSON", "memory") in found
        assert not [s for s in found if s[0] == "Xinhua" or s[1] == "NORP"]

    # Accept the first article after undoing one of the memory's changes there.
    article = read_article(workdir / "articles", SEED_IDS[0])
    spans = spans_on_disk(workdir, SEED_IDS[0])
    undone = next(s for s in spans if s[2] == "Pezeshkian")
    entities = [
        Entity(s, e, "NORP" if (s, e) == undone[:2] else label, "user" if src != "model" else src)  # type: ignore[arg-type]
        for s, e, _, label, src in spans
    ]
    annotation = store.Annotation(article.id, article.sha256, "accepted", tuple(entities))
    store.save(store.annotation_path(workdir / "annotations", article.id), annotation, article.text)
    changed = len(memory_mod.read_log(workdir / "annotations")[SEED_IDS[0]])
    assert changed == article.text.count("Pezeshkian")

    stats = collect(workdir / "articles", workdir / "annotations")
    assert (stats.memory_changes, stats.memory_kept) == (changed, changed - 1)
    capsys.readouterr()
    assert main(["stats"]) == 0
    out = capsys.readouterr().out
    assert f"changed {changed} model spans on accepted articles" in out
    assert f"kept {changed - 1} of those" in out


def test_suggest_memory_deletes_only_where_it_learnt_and_stats_show_it(
    stand_in: Pipeline, workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    annotations = workdir / "annotations"
    mem = Memory(path=Memory.path_in(annotations))
    mem.reject("China", "GPE", "between", "and")  # "historical ties between China and Iran"
    mem.save()
    assert main(["suggest", "--memory"]) == 0
    text = read_article(workdir / "articles", SEED_IDS[0]).text
    at = text.index("between China and") + len("between ")
    china = [s[0] for s in spans_on_disk(workdir, SEED_IDS[0]) if s[2] == "China"]
    assert at not in china and len(china) == text.count("China") - 1
    assert memory_mod.read_log(annotations)[SEED_IDS[0]] == [Change(at, at + 5, None, "GPE")]
    capsys.readouterr()
    assert main(["stats"]) == 0
    out = capsys.readouterr().out
    assert "Memory holds 0 labels, 1 deletion in one place, 0 texts never suggested" in out
    # Accepted as it is: the deletion counts as kept.
    data = tomllib.loads(store.annotation_path(annotations, SEED_IDS[0]).read_text("utf-8"))
    path = store.annotation_path(annotations, SEED_IDS[0])
    path.write_text(
        path.read_text("utf-8").replace('status = "unreviewed"', 'status = "accepted"'), "utf-8"
    )
    assert data["status"] == "unreviewed"
    stats = collect(workdir / "articles", annotations)
    assert (stats.memory_removed, stats.memory_removed_kept) == (1, 1)
    assert stats.remembered["deleted here"] == 1


def test_suggest_memory_refuses_a_broken_memory(
    stand_in: Pipeline, workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (workdir / "annotations" / ".newsmark-memory.toml").write_text("schema = [", "utf-8")
    assert main(["suggest", "--memory"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("newsmark: annotations/.newsmark-memory.toml: is not valid TOML")
    assert "Traceback" not in err
    assert not list((workdir / "annotations").glob("0*.toml"))


# -- the memory in a reading session ------------------------------------------------------


def test_recall_suggests_unreviewed_articles_again_after_each_lesson(
    ruler: Pipeline, tmp_path: Path
) -> None:
    recall = Recall(tmp_path)
    recall.install(ruler.nlp)
    text = "Pezeshkian met Xi Jinping."
    assert not recall.due("b.txt", "unreviewed", True)  # nothing learnt yet
    doc = Document(text, recall.entities("a.txt", ruler.nlp(text), text))
    edit = doc.relabel(doc.entities[0], "PERSON")
    assert edit is not None and recall.learn("a.txt", doc.redo_stack, edit, text)
    assert Memory.load(tmp_path).labels == {"Pezeshkian": "PERSON"}
    assert recall.due("b.txt", "unreviewed", True)
    assert not recall.due("b.txt", "in_progress", True) and not recall.due(
        "b.txt", "unreviewed", False
    )
    recall.install(ruler.nlp)
    found = recall.entities("b.txt", ruler.nlp(text), text)
    assert (found[0].label, found[0].source) == ("PERSON", "memory")
    assert not recall.due("b.txt", "unreviewed", True)
    # What the memory changed in b is logged once b is the person's.
    assert "b.txt" not in memory_mod.read_log(tmp_path)
    other = Document(text, found)
    accepted = other.set_status("accepted")
    assert accepted is not None and not recall.learn("b.txt", other.redo_stack, accepted, text)
    assert memory_mod.read_log(tmp_path)["b.txt"] == [Change(0, 10, "PERSON", "NORP")]
    # An undo teaches its inverse: the label is forgotten.
    undone = doc.undo()
    assert undone is not None and recall.learn("a.txt", doc.redo_stack, undone, text)
    assert not Memory.load(tmp_path)


def test_a_reader_s_recall_writes_its_lessons_from_a_thread_in_order(
    ruler: Pipeline, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The key that taught the memory does not wait for the disk; the last state wins."""
    writers: list[str] = []
    write = recall_mod.atomic_write

    def spy(path: Path, data: bytes) -> None:
        writers.append(threading.current_thread().name)
        write(path, data)

    monkeypatch.setattr(recall_mod, "atomic_write", spy)
    recall = Recall(tmp_path, background=True)
    recall.install(ruler.nlp)
    text = "Pezeshkian met Xi Jinping."
    doc = Document(text, recall.entities("a.txt", ruler.nlp(text), text))
    for label in ("PERSON", "ORG", "PERSON"):
        edit = doc.relabel(doc.entities[0], label)
        assert edit is not None and recall.learn("a.txt", doc.redo_stack, edit, text)
    assert recall.flush(timeout=10)
    assert Memory.load(tmp_path).labels == {"Pezeshkian": "PERSON"}
    assert writers and set(writers) == {"newsmark-memory"}


def test_a_new_suggestion_run_forgets_what_the_last_one_changed(
    ruler: Pipeline, tmp_path: Path
) -> None:
    recall = Recall(tmp_path)
    recall.install(ruler.nlp)
    text = "Pezeshkian met Xi Jinping."
    doc = Document(text, recall.entities("a.txt", ruler.nlp(text), text))
    edit = doc.relabel(doc.entities[0], "PERSON")
    assert edit is not None and recall.learn("a.txt", doc.redo_stack, edit, text)
    recall.install(ruler.nlp)
    recall.entities("b.txt", ruler.nlp(text), text)  # the memory relabels Pezeshkian in b
    assert "b.txt" in recall._pending
    undone = doc.undo()  # the lesson is forgotten: b's next run changes nothing
    assert undone is not None and recall.learn("a.txt", doc.redo_stack, undone, text)
    recall.install(ruler.nlp)
    recall.entities("b.txt", ruler.nlp(text), text)
    other = Document(text, [])
    accepted = other.set_status("accepted")
    assert accepted is not None
    recall.learn("b.txt", other.redo_stack, accepted, text)
    assert "b.txt" not in memory_mod.read_log(tmp_path), "a stale change was logged"


def test_recall_with_a_broken_file_is_off_and_says_why(tmp_path: Path) -> None:
    (tmp_path / ".newsmark-memory.toml").write_text("deleted = 1\n", "utf-8")
    recall = Recall(tmp_path)
    assert recall.memory is None and recall.error is not None
    assert "deleted should be an array" in recall.error
    assert not recall.due("a.txt", "unreviewed", True)

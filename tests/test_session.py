"""The Session: every decision the main screen used to make, tested without Textual."""

from __future__ import annotations

import shutil
import threading
import tomllib
from pathlib import Path
from typing import Any

import pytest

from tui.core import store
from tui.core.lock import LOCK_NAME
from tui.core.session import (
    SaveEvent,
    SaveFailed,
    SaveRecovered,
    Session,
    next_entity,
    occurrences,
)
from tui.core.spans import Entity
from tui.core.tokens import regex_tokens
from tui.core.workspace import Workspace

FIRST, SECOND = "000_335ade4f03747110.txt", "004_3225c72a86fdfdf4.txt"
MODEL = "test-model 1.0"


def on_disk(workdir: Path, article: str) -> dict[str, Any]:
    path = workdir / "annotations" / article.replace(".txt", ".toml")
    with path.open("rb") as f:
        return tomllib.load(f)


def found(text: str, *words: str, label: str = "GPE") -> list[Entity]:
    """Model-style suggestions: every occurrence of each word."""
    spans = []
    for word in words:
        i = text.find(word)
        while i != -1:
            spans.append(Entity(i, i + len(word), label, "model"))
            i = text.find(word, i + 1)
    return sorted(spans)


@pytest.fixture
def events() -> list[SaveEvent]:
    return []


@pytest.fixture
def session(workdir: Path, events: list[SaveEvent]) -> Any:
    s = Session(Workspace(workdir / "articles", workdir / "annotations"), events.append)
    assert s.lock() is None
    yield s
    s.close()


def test_a_new_article_gets_suggestions_once_and_they_are_saved(
    session: Session, workdir: Path
) -> None:
    opened = session.open(FIRST)
    assert opened.annotated is not None and opened.problem is None
    assert session.needs_suggestions(FIRST)
    text = opened.annotated.article.text
    session.add_suggestions(FIRST, found(text, "China"), MODEL)
    assert not session.needs_suggestions(FIRST)
    assert session.flush(timeout=10)
    saved = on_disk(workdir, FIRST)
    assert saved["model"] == MODEL and saved["status"] == "unreviewed"
    assert {e["text"] for e in saved["entities"]} == {"China"}


def test_suggestions_after_an_edit_are_merged_under_it(session: Session, workdir: Path) -> None:
    """Issue 9, defect 2: the model loads while the person already labels."""
    annotated = session.open(FIRST).annotated
    assert annotated is not None
    text = annotated.article.text
    china = text.index("China")
    edit = annotated.document.add(0, china + len("China"), "ORG")  # "Shafaq News/ China"
    assert edit is not None
    session.edited(FIRST, edit)
    assert session.needs_suggestions(FIRST)  # a person's edit does not cancel the model
    session.add_suggestions(FIRST, found(text, "China", "Iran"), MODEL)
    assert session.flush(timeout=10)
    saved = [(e["text"], e["label"], e["source"]) for e in on_disk(workdir, FIRST)["entities"]]
    assert saved[0] == ("Shafaq News/ China", "ORG", "user")
    assert ("Iran", "GPE", "model") in saved
    assert ("China", "GPE", "model") in saved  # later occurrences are suggested
    assert len([s for s in saved if s[0] == "China"]) == text.count("China") - 1
    assert on_disk(workdir, FIRST)["status"] == "in_progress"


def test_an_article_with_a_toml_is_never_suggested_for(session: Session, workdir: Path) -> None:
    annotated = session.open(FIRST).annotated
    assert annotated is not None
    session.review(FIRST, "accepted")
    assert session.flush(timeout=10)
    again = Session(Workspace(workdir / "articles", workdir / "annotations"))
    assert again.open(FIRST).annotated is not None
    assert not again.needs_suggestions(FIRST)


def test_a_broken_toml_is_one_readable_problem_and_never_written(
    session: Session, workdir: Path
) -> None:
    broken = workdir / "annotations" / FIRST.replace(".txt", ".toml")
    broken.write_text("schema = 1\nnot toml\n", "utf-8")
    opened = session.open(FIRST)
    assert opened.annotated is not None and opened.problem is not None
    assert opened.problem.readable and "not valid TOML" in opened.problem.message
    assert session.refusal(FIRST) == opened.problem.message
    assert session.state(FIRST, short=True) == "unreadable TOML: read-only"
    assert not session.needs_suggestions(FIRST)
    session.save(FIRST)
    assert session.flush(timeout=10)
    assert broken.read_text("utf-8") == "schema = 1\nnot toml\n"
    summary = session.workspace.summary(FIRST)
    assert summary.problem is not None and summary.problem.reason.startswith(broken.name)
    assert session.problem_of(FIRST) is opened.problem


def test_an_unreadable_article_is_a_problem_without_a_document(
    session: Session, workdir: Path
) -> None:
    (workdir / "articles" / "zz_binary.txt").write_bytes(b"\x00\xff\xfe binary")
    opened = session.open("zz_binary.txt")
    assert opened.annotated is None and opened.problem is not None
    assert not opened.problem.readable and "zz_binary.txt" in opened.problem.message
    assert session.next_unreviewed(None) != "zz_binary.txt"


@pytest.fixture
def five(workdir: Path) -> list[str]:
    for n in (1, 2, 3):
        shutil.copy(workdir / "articles" / FIRST, workdir / "articles" / f"10{n}.txt")
    return sorted(p.name for p in (workdir / "articles").glob("*.txt"))


def test_next_unreviewed_skips_the_current_the_shown_reviewed_and_broken(
    five: list[str], session: Session, workdir: Path
) -> None:
    assert five == [FIRST, SECOND, "101.txt", "102.txt", "103.txt"]
    (workdir / "annotations" / "102.toml").write_text("broken", "utf-8")
    session.merge_summaries(session.read_summaries())
    assert session.next_unreviewed(FIRST) == SECOND
    assert session.next_unreviewed(FIRST, [SECOND]) == "101.txt"
    session.open("101.txt")
    session.review("101.txt", "accepted")
    assert session.next_unreviewed(FIRST, [SECOND]) == "103.txt"  # 102 is broken
    assert session.next_unreviewed("103.txt", [SECOND]) == FIRST  # wraps around
    assert session.reviewed() == 1


def test_nothing_left_never_says_all_reviewed_when_one_is_not(
    session: Session, workdir: Path
) -> None:
    """Issue 9, defect 8: the other pane's article, or a skipped one, is not reviewed."""
    session.merge_summaries(session.read_summaries())
    session.open(FIRST)
    session.review(FIRST, "accepted")
    assert session.next_unreviewed(FIRST, [SECOND]) is None
    assert SECOND in session.nothing_left([SECOND])
    session.open(SECOND)
    session.review(SECOND, "skipped")
    said = session.nothing_left([SECOND])
    assert "1 article was skipped" in said and "Every" not in said
    session.review(SECOND, "rejected")
    assert session.nothing_left([SECOND]) == "Every article has been reviewed."
    assert session.reviewed() == 2


def test_edited_says_what_label_all_changed_and_when_a_review_is_undone(
    session: Session,
) -> None:
    annotated = session.open(SECOND).annotated
    assert annotated is not None
    doc, text = annotated.document, annotated.article.text
    session.review(SECOND, "accepted")
    start = text.index("Pezeshkian")
    edit = doc.add(start, start + len("Pezeshkian"), "PERSON")
    assert edit is not None
    said = session.edited(SECOND, edit)
    assert said == [f"{SECOND} was accepted; this edit puts it back to in_progress."]
    tokens = regex_tokens(text)
    edit = doc.label_all(start, start + len("Pezeshkian"), "PERSON", tokens)
    assert edit is not None
    n = text.count("Pezeshkian") - 1
    assert session.edited(SECOND, edit, "label_all") == [
        f"Labelled {n} occurrences of 'Pezeshkian' as PERSON."
    ]
    undo = doc.undo()
    assert undo is not None and session.edited(SECOND, undo, "undo") == []


def test_occurrences_and_next_entity(session: Session) -> None:
    a = session.open(FIRST).annotated
    b = session.open(SECOND).annotated
    assert a is not None and b is not None
    hits = occurrences(b.article.text, "Pezeshkian")
    assert len(hits) == b.article.text.count("Pezeshkian")
    assert all(b.article.text[s:e] == "Pezeshkian" for s, e in hits)
    assert occurrences(b.article.text, "") == []
    text = a.article.text
    session.add_suggestions(FIRST, found(text, "Iran"), MODEL)
    iran = list(a.document.entities)
    doc = a.document
    assert next_entity(doc, "GPE", "Iran", -1) == iran[0]
    assert next_entity(doc, "GPE", "Iran", iran[0].start) == iran[1]
    assert next_entity(doc, "GPE", "Iran", iran[-1].start) == iran[0]  # wraps
    assert next_entity(doc, "ORG", "Iran", 0) is None


# -- saving ---------------------------------------------------------------------------------


class SlowDisk:
    """Replaces store.save: records each write and holds the first until released."""

    def __init__(self) -> None:
        self.real = store.save
        self.writes: list[tuple[str, int]] = []
        self.gate = threading.Event()
        self.entered = threading.Event()
        self.fail: OSError | None = None

    def __call__(self, path: Path, annotation: store.Annotation, text: str) -> None:
        self.entered.set()
        self.gate.wait(timeout=30)
        if self.fail is not None:
            raise self.fail
        self.writes.append((annotation.article, len(annotation.entities)))
        self.real(path, annotation, text)


@pytest.fixture
def disk(monkeypatch: pytest.MonkeyPatch) -> SlowDisk:
    fake = SlowDisk()
    monkeypatch.setattr(store, "save", fake)
    return fake


def label_tokens(session: Session, article: str, *indexes: int) -> None:
    annotated = session.open(article).annotated
    assert annotated is not None
    tokens = regex_tokens(annotated.article.text)
    for i in indexes:
        edit = annotated.document.add(*tokens.span(i), "ORG")
        assert edit is not None
        session.edited(article, edit)


def test_saves_are_coalesced_per_article_and_keep_the_order_of_edits(
    session: Session, disk: SlowDisk, workdir: Path
) -> None:
    label_tokens(session, FIRST, 0)
    assert disk.entered.wait(timeout=10)  # the writer took that one and waits at the gate
    label_tokens(session, SECOND, 0, 2, 4)
    label_tokens(session, FIRST, 2, 4, 6)
    label_tokens(session, SECOND, 6)
    disk.gate.set()
    assert session.flush(timeout=10)
    # The first write, then one per article holding its newest state, in the order of the
    # articles' latest edits.
    assert disk.writes == [(FIRST, 1), (FIRST, 4), (SECOND, 4)]
    assert len(on_disk(workdir, FIRST)["entities"]) == 4
    assert len(on_disk(workdir, SECOND)["entities"]) == 4


def test_a_failed_save_is_said_once_kept_and_written_by_the_next(
    session: Session, disk: SlowDisk, events: list[SaveEvent], workdir: Path
) -> None:
    disk.gate.set()
    disk.fail = OSError(28, "No space left on device")
    label_tokens(session, FIRST, 0)
    assert session.flush(timeout=10)
    label_tokens(session, FIRST, 2)
    assert session.flush(timeout=10)
    assert [type(e) for e in events] == [SaveFailed, SaveFailed]
    first, second = events
    assert isinstance(first, SaveFailed) and isinstance(second, SaveFailed)
    assert first.first and not second.first
    assert (
        "No space left on device" in first.message and "000_335ade4f03747110.toml" in first.message
    )
    assert session.failed(FIRST) and session.unsaved() == [FIRST]
    assert session.state(FIRST, short=True) == "in_progress · NOT SAVED"
    assert session.state(FIRST) == "in_progress (NOT SAVED)"
    assert not (workdir / "annotations" / "000_335ade4f03747110.toml").exists()
    disk.fail = None
    label_tokens(session, FIRST, 4)
    assert session.flush(timeout=10)
    assert isinstance(events[-1], SaveRecovered) and not session.failed(FIRST)
    assert session.state(FIRST) == "in_progress"
    assert len(on_disk(workdir, FIRST)["entities"]) == 3


def test_close_writes_everything_and_retries_what_failed(
    session: Session, disk: SlowDisk, workdir: Path
) -> None:
    disk.gate.set()
    disk.fail = OSError(28, "No space left on device")
    label_tokens(session, FIRST, 0, 2)
    assert session.flush(timeout=10)
    disk.fail = None
    label_tokens(session, SECOND, 0)
    assert session.close() == []  # the failed FIRST is tried once more on the way out
    assert len(on_disk(workdir, FIRST)["entities"]) == 2
    assert len(on_disk(workdir, SECOND)["entities"]) == 1
    assert not (workdir / "annotations" / LOCK_NAME).exists()


def test_close_names_what_could_still_not_be_written(session: Session, disk: SlowDisk) -> None:
    disk.gate.set()
    disk.fail = OSError(13, "Permission denied")
    label_tokens(session, FIRST, 0)
    assert session.close() == [FIRST]


# -- the folder lock ------------------------------------------------------------------------


def test_a_second_session_is_read_only_refuses_edits_and_takes_the_lock_later(
    session: Session, workdir: Path
) -> None:
    other = Session(Workspace(workdir / "articles", workdir / "annotations"))
    reason = other.lock()
    assert reason is not None and "is being edited by newsmark" in reason
    other.open(FIRST)
    refusal = other.refusal(FIRST)
    assert refusal is not None and refusal.startswith("Read-only, edits are refused")
    other.save(FIRST)
    assert other.flush(timeout=10)
    assert not (workdir / "annotations" / "000_335ade4f03747110.toml").exists()
    assert not other.retry_lock()  # still held
    session.close()
    assert other.retry_lock()
    assert other.read_only is None and other.refusal(FIRST) is None
    assert FIRST not in other.opened  # read again from what the holder left
    other.close()


def test_close_saves_an_edit_it_was_never_told_about(session: Session, workdir: Path) -> None:
    """A key just before quitting: the document changed, its message had not arrived yet."""
    annotated = session.open(FIRST).annotated
    assert annotated is not None
    tokens = regex_tokens(annotated.article.text)
    assert annotated.document.add(*tokens.span(0), "ORG") is not None  # no edited() call
    session.open(SECOND)  # untouched: no file is written for it
    assert session.close() == []
    assert [e["text"] for e in on_disk(workdir, FIRST)["entities"]] == ["Shafaq"]
    assert not (workdir / "annotations" / "004_3225c72a86fdfdf4.toml").exists()

"""One reading session: the open articles, what the reader knows of the rest, and saving.

This is the reader's model. The screen shows it and forwards keys to it; everything that is a
decision (which article is next, whether an article can be edited, what to say after an edit,
when a save happens and what a failed one means) is made here, without Textual, so it is
tested as plain code.

Saving runs on one writer thread. An edit queues a snapshot of its article (taken on the
caller's thread, so the writer never reads a document while it changes); the writer keeps only
the newest snapshot per article, writes them in the order they were last edited, and reports
failures through a callback. A failed snapshot is kept and written again on the next edit or at
:meth:`Session.close`, so a full disk loses nothing that a later write can carry.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from tui.core import lock as folder_lock
from tui.core import queue, store, suggested
from tui.core.article import ArticleError, opening, read_opening
from tui.core.edits import Document, Edit, Status
from tui.core.spans import Entity
from tui.core.store import Annotation, StoreError
from tui.core.tokens import Tokens
from tui.core.workspace import Annotated, Problem, Summary, Workspace

REVIEWED: tuple[Status, ...] = ("accepted", "rejected")
TO_REVIEW: tuple[Status | None, ...] = (None, "unreviewed", "in_progress")
EditKind = Literal["edit", "label_all", "undo", "redo"]


@dataclass(frozen=True, slots=True)
class Opened:
    """What :meth:`Session.open` found: the article (unless unreadable), why it cannot be
    edited (if so), and a one-time note (the article changed on disk)."""

    annotated: Annotated | None
    problem: Problem | None = None
    note: str | None = None


@dataclass(frozen=True, slots=True)
class SaveFailed:
    """A write failed; ``first`` is false while the same article keeps failing."""

    article: str
    path: Path
    reason: str
    first: bool

    @property
    def message(self) -> str:
        return (
            f"Could not save {self.path} ({self.reason}). Your edits are kept on screen; free "
            "disk space or fix the folder's permissions, and the next edit saves everything."
        )


@dataclass(frozen=True, slots=True)
class SaveRecovered:
    """An article whose saves had failed is on disk again, with every edit."""

    article: str
    path: Path

    @property
    def message(self) -> str:
        return f"Saved {self.path}; nothing was lost."


SaveEvent = SaveFailed | SaveRecovered


def occurrences(haystack: str, text: str) -> list[tuple[int, int]]:
    """Where ``text`` occurs in ``haystack`` (the other pane's article), not overlapping."""
    hits: list[tuple[int, int]] = []
    if not text:
        return hits
    i = haystack.find(text)
    while i != -1:
        hits.append((i, i + len(text)))
        i = haystack.find(text, i + len(text))
    return hits


def next_entity(document: Document, label: str, text: str, after: int) -> Entity | None:
    """The first entity ``label`` reading ``text`` that starts after ``after``, wrapping."""
    same = [e for e in document.entities if e.label == label and e.text(document.text) == text]
    return next((e for e in same if e.start > after), same[0] if same else None)


@dataclass(frozen=True, slots=True)
class _Snapshot:
    article: str
    path: Path
    annotation: Annotation
    text: str


class Session:
    """The open articles of one reader and the thread that saves them.

    ``report`` is called on the writer thread with each :data:`SaveEvent`; a UI hands it on
    to its event loop (Textual's ``post_message`` is thread-safe).
    """

    def __init__(
        self, workspace: Workspace, report: Callable[[SaveEvent], object] | None = None
    ) -> None:
        self.workspace = workspace
        self.report: Callable[[SaveEvent], object] = report or (lambda event: None)
        self.read_only: str | None = None
        """Why nothing can be saved (the folder is locked or unwritable); ``None`` normally."""
        self.opened: dict[str, Annotated] = {}
        self.problems: dict[str, Problem] = {}
        self.summaries: dict[str, Summary] = {}
        self.tokens: dict[str, Tokens] = {}
        self._fresh: set[str] = set()  # opened with no TOML: the model's suggestions are due
        self._openings: dict[str, str] = {}
        self._reviewed: int | None = None  # cached: the header asks after every key
        self._queued: dict[str, tuple[tuple[Entity, ...], Status]] = {}  # as last saved or read
        self._held: folder_lock.Lock | None = None
        self._cond = threading.Condition()
        self._pending: dict[str, _Snapshot] = {}
        self._failed: dict[str, _Snapshot] = {}  # the newest snapshot that could not be written
        self._failing: set[str] = set()  # articles whose last write failed: said once
        self._busy = False
        self._stopping = False
        self._thread: threading.Thread | None = None
        self.order: queue.Order = "file"
        """The order articles are offered in (``--order``; see :mod:`tui.core.queue`)."""
        self.seed = 0
        self._queue: list[str] | None = None

    @property
    def ids(self) -> list[str]:
        return self.workspace.ids

    @property
    def queue(self) -> list[str]:
        """Every article in :attr:`order`, fixed once the summaries are read (until then, and
        for the file order, the corpus order)."""
        if self._queue is None:
            if self.order == "file" or (self.order == "uncertain" and not self.summaries):
                return self.workspace.ids
            self._queue = self._rank()
        return self._queue

    def _rank(self) -> list[str]:
        doubts = {aid: s.uncertainty for aid, s in self.summaries.items()}
        return queue.ordered(self.workspace.ids, doubts, self.order, self.seed)

    # -- the folder lock ------------------------------------------------------------------

    def lock(self) -> str | None:
        """Take the annotations folder's lock; the reason to stay read-only, if it cannot."""
        folder = self.workspace.annotations
        try:
            self._held = folder_lock.acquire(folder)
        except folder_lock.LockHeld as exc:
            self.read_only = str(exc)
        except OSError as exc:
            self.read_only = f"{folder} cannot be written ({exc.strerror or exc})."
        else:
            self.read_only = None
        return self.read_only

    def retry_lock(self) -> bool:
        """Take the lock a read-only session was refused, once its holder quit.

        Articles read while read-only are dropped, so they are read again from the files the
        holder left; nothing is lost, since a read-only session accepts no edits.
        """
        if self.read_only is None or self.lock() is not None:
            return False
        self.opened.clear()
        self._fresh.clear()
        self.summaries.clear()
        self._reviewed = None
        self.problems = {k: p for k, p in self.problems.items() if not p.readable}
        return True

    def release(self) -> None:
        held, self._held = self._held, None
        if held is not None:
            held.release()

    # -- articles -------------------------------------------------------------------------

    def open(self, article_id: str) -> Opened:
        """The article with its annotations; a bad file is a :class:`Problem`, never fatal."""
        annotated = self.opened.get(article_id)
        if annotated is not None:
            return Opened(annotated, self.problems.get(article_id))
        problem = None
        try:
            annotated = self.workspace.open(article_id)
        except ArticleError as exc:
            return Opened(None, self._problem(Problem.unreadable(article_id, exc)))
        except StoreError as exc:
            try:
                article = self.workspace.corpus.read(article_id)
            except ArticleError as err:
                return Opened(None, self._problem(Problem.unreadable(article_id, err)))
            problem = self._problem(Problem.broken_toml(article_id, exc))
            annotated = Annotated(article, Document(article.text), exc.path, has_file=True)
        if annotated.awaits_suggestions:
            self._fresh.add(article_id)
        self.opened[article_id] = annotated
        self._queued[article_id] = (annotated.document.entities, annotated.document.status)
        note, annotated.note = annotated.note, None
        return Opened(annotated, problem, note)

    def _problem(self, problem: Problem) -> Problem:
        self.problems[problem.article] = problem
        return problem

    def article_of(self, document: Document) -> str | None:
        """The id of the open article whose document this is (an edit names its document)."""
        return next((a for a, ann in self.opened.items() if ann.document is document), None)

    def refusal(self, article_id: str) -> str | None:
        """Why ``article_id`` must not change now, or ``None`` when it may be edited."""
        problem = self.problems.get(article_id)
        if problem is not None:
            return problem.message
        if self.read_only is not None:
            return f"Read-only, edits are refused: {self.read_only}"
        return None

    def needs_suggestions(self, article_id: str) -> bool:
        """True until the model has suggested for an article that had no TOML when opened."""
        return article_id in self._fresh and article_id not in self.problems

    def add_suggestions(self, article_id: str, found: Iterable[Entity], model: str) -> Edit | None:
        """Merge the model's suggestions in the project's labels under the person's edits
        and save.

        Suggestions may arrive after the person started (the model loads in the background):
        spans the person made or touched win where they overlap; the rest are added.
        """
        annotated = self.opened.get(article_id)
        if annotated is None or article_id not in self._fresh:
            return None
        self._fresh.discard(article_id)
        edit = annotated.document.replace_suggestions(self.workspace.project.keep(found))
        if edit is not None or not annotated.model:
            annotated.model = model
        self._changed(article_id)
        if self.refusal(article_id) is None:
            with contextlib.suppress(OSError):  # the log only feeds stats
                suggested.record(
                    self.workspace.annotations, article_id, model, annotated.document.entities
                )
        return edit

    def resuggest(self, article_id: str, found: Iterable[Entity], model: str) -> Edit | None:
        """The memory's new suggestions for an article that has some already: shown now,
        saved with the person's next edit there."""
        annotated = self.opened.get(article_id)
        if annotated is None or article_id in self.problems:
            return None
        doc = annotated.document
        clean = self._queued.get(article_id) == (doc.entities, doc.status)
        edit = doc.replace_suggestions(self.workspace.project.keep(found))
        if edit is not None or not annotated.model:
            annotated.model = model
        if clean:  # not a change quitting must save
            self._queued[article_id] = (doc.entities, doc.status)
        return edit

    def adopt(self, annotated: Annotated) -> None:
        """An article changed outside any pane (a correction across the corpus): it stays
        open, so undo reaches it, and is saved like any edit."""
        self.opened.setdefault(annotated.id, annotated)
        self._changed(annotated.id)

    def status_of(self, article_id: str) -> Status | None:
        annotated = self.opened.get(article_id)
        if annotated is not None and article_id not in self.problems:
            return annotated.document.status
        summary = self.summaries.get(article_id)
        return summary.status if summary is not None else None

    def state(self, article_id: str, *, short: bool = False) -> str:
        """The article's status as a pane's border and the header show it."""
        if article_id in self.problems:
            return "unreadable TOML: read-only" if short else "unreadable TOML, read-only"
        status = self.status_of(article_id) or ""
        if self.failed(article_id):
            return f"{status} · NOT SAVED" if short else f"{status} (NOT SAVED)"
        return status

    # -- summaries and the review workflow ------------------------------------------------

    def read_summaries(self) -> dict[str, Summary]:
        """Every TOML's status (slow on a big corpus: call it off the UI thread)."""
        return {aid: self.workspace.summary(aid) for aid in self.workspace.ids}

    def merge_summaries(self, found: dict[str, Summary]) -> None:
        """Add what was read from disk; what this session changed since is newer and stays."""
        for aid, summary in found.items():
            self.summaries.setdefault(aid, summary)
        self._reviewed = None
        if self._queue is None and self.order != "file":
            self._queue = self._rank()

    def reviewed(self) -> int | None:
        """Articles accepted or rejected, or ``None`` before the summaries are read."""
        if not self.summaries:
            return None
        if self._reviewed is None:
            self._reviewed = sum(1 for aid in self.summaries if self.status_of(aid) in REVIEWED)
        return self._reviewed

    def problem_of(self, article_id: str) -> Problem | None:
        summary = self.summaries.get(article_id)
        return self.problems.get(article_id) or (summary.problem if summary else None)

    def next_unreviewed(self, current: str | None, shown: Iterable[str | None] = ()) -> str | None:
        """The first article after ``current`` still to review, skipping those on screen, in
        the queue's order."""
        ids = self.queue
        start = ids.index(current) + 1 if current in ids else 0
        skip = {current, *shown}
        for aid in [*ids[start:], *ids[:start]]:
            if aid in skip or self.problem_of(aid) is not None:
                continue
            if self.status_of(aid) in TO_REVIEW:
                return aid
        return None

    def neighbour(self, current: str | None, step: int) -> str | None:
        """The next (``step`` 1) or previous (-1) article from ``current`` in the review order
        (:attr:`queue`), past any known to be unusable, no wrapping: a way through the corpus
        that leaves every status as it is."""
        ids = self.queue
        at = ids.index(current) + step if current in ids else 0
        while 0 <= at < len(ids):
            if self.problem_of(ids[at]) is None:
                return ids[at]
            at += step
        return None

    def opening(self, article_id: str) -> str:
        """The article's first lines, its title among them (the picker filters on them besides
        id and status); read once, from the open article or the file's head. Safe on a
        thread."""
        found = self._openings.get(article_id)
        if found is None:
            opened = self.opened.get(article_id)
            if opened is not None:
                found = opening(opened.article.text)
            else:
                found = read_opening(self.workspace.corpus.root, article_id)
            self._openings[article_id] = found
        return found

    def nothing_left(self, shown: Iterable[str | None] = ()) -> str:
        """What to say when :meth:`next_unreviewed` found nothing: never that every article
        is reviewed while one on screen, or a skipped one, is not."""
        waiting = [aid for aid in shown if aid is not None and self.status_of(aid) in TO_REVIEW]
        if waiting:
            return f"{waiting[0]} is the only article left to review (in the other pane)."
        skipped = sum(1 for aid in self.workspace.ids if self.status_of(aid) == "skipped")
        if skipped:
            some = "1 article was" if skipped == 1 else f"{skipped} articles were"
            return f"No article left to review; {some} skipped (o opens one)."
        return "Every article has been reviewed."

    def review(self, article_id: str, status: Status) -> Edit | None:
        """Mark the article and save it (also when the status was already that one)."""
        annotated = self.opened[article_id]
        edit = annotated.document.set_status(status)
        self._changed(article_id)
        return edit

    def edited(self, article_id: str, edit: Edit, kind: EditKind = "edit") -> list[str]:
        """Record an edit made to an open article (it is saved) and what to tell the person."""
        notices: list[str] = []
        annotated = self.opened[article_id]
        if kind == "label_all" and edit.added:
            n = len(edit.added)
            text = edit.added[0].text(annotated.article.text)
            times = "1 occurrence" if n == 1 else f"{n} occurrences"
            notices.append(f"Labelled {times} of {text!r} as {edit.added[0].label}.")
        before = edit.status_before
        reopened = edit.status_after == "in_progress" and before in (*REVIEWED, "skipped")
        if kind in ("edit", "label_all") and reopened:
            notices.append(f"{article_id} was {before}; this edit puts it back to in_progress.")
        self._changed(article_id)
        return notices

    def _changed(self, article_id: str) -> None:
        doc = self.opened[article_id].document
        old = self.summaries.get(article_id)
        if self._reviewed is not None:
            was = old is not None and old.status in REVIEWED
            self._reviewed += (doc.status in REVIEWED) - was
        self.summaries[article_id] = Summary(article_id, doc.status, len(doc.entities))
        self.save(article_id)

    # -- saving ---------------------------------------------------------------------------

    def save(self, article_id: str) -> None:
        """Queue the article's current state for the writer; returns at once."""
        annotated = self.opened.get(article_id)
        if annotated is None or self.refusal(article_id) is not None:
            return
        snapshot = _Snapshot(
            article_id, annotated.path, annotated.annotation(), annotated.article.text
        )
        self._queued[article_id] = (snapshot.annotation.entities, snapshot.annotation.status)
        annotated.has_file = True
        with self._cond:
            self._pending.pop(article_id, None)  # keep order: the latest edit goes last
            self._pending[article_id] = snapshot
            if self._thread is None:
                self._thread = threading.Thread(
                    target=self._write_loop, name="newsmark-writer", daemon=True
                )
                self._thread.start()
            self._cond.notify_all()

    def save_changed(self) -> None:
        """Queue every open article that changed since it was last queued: an edit whose
        news has not reached :meth:`edited` yet (a key just before quitting) is saved too."""
        for aid, annotated in self.opened.items():
            doc = annotated.document
            if self._queued.get(aid) != (doc.entities, doc.status):
                self.save(aid)

    def failed(self, article_id: str) -> bool:
        """Whether the article's newest state is not on disk because its last write failed."""
        with self._cond:
            return article_id in self._failing

    def unsaved(self) -> list[str]:
        with self._cond:
            return sorted({*self._failing, *self._pending})

    def flush(self, timeout: float | None = None) -> bool:
        """Wait until every queued save has been attempted; ``False`` on timeout."""
        with self._cond:
            return self._cond.wait_for(lambda: not self._pending and not self._busy, timeout)

    def close(self) -> list[str]:
        """Write everything (failed saves get one more try), stop the writer, drop the lock.

        Returns the articles whose edits could still not be written.
        """
        self.save_changed()
        with self._cond:
            for aid, snapshot in self._failed.items():
                self._pending.setdefault(aid, snapshot)
            if self._pending and self._thread is None:
                self._thread = threading.Thread(target=self._write_loop, daemon=True)
                self._thread.start()
            self._stopping = True
            self._cond.notify_all()
        thread = self._thread
        if thread is not None:
            thread.join()
        self._thread = None
        self._stopping = False
        self.release()
        return self.unsaved()

    def _write_loop(self) -> None:
        while True:
            with self._cond:
                while not self._pending and not self._stopping:
                    self._cond.wait()
                if not self._pending:
                    return
                aid = next(iter(self._pending))
                snapshot = self._pending.pop(aid)
                self._busy = True
            event = self._write(snapshot)
            with self._cond:
                self._busy = False
                self._cond.notify_all()
            if event is not None:
                self.report(event)

    def _write(self, snapshot: _Snapshot) -> SaveEvent | None:
        aid = snapshot.article
        try:
            store.save(snapshot.path, snapshot.annotation, snapshot.text)
        except Exception as exc:  # a disk error, or any bug: the edits stay in memory
            reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
            with self._cond:
                first = aid not in self._failing
                self._failing.add(aid)
                if aid not in self._pending:  # else a newer snapshot is tried anyway
                    self._failed[aid] = snapshot
            return SaveFailed(aid, snapshot.path, reason, first)
        with self._cond:
            recovered = aid in self._failing
            self._failing.discard(aid)
            self._failed.pop(aid, None)
        return SaveRecovered(aid, snapshot.path) if recovered else None

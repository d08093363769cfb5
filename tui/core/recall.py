"""The memory as a reader uses it: what to suggest again, what to learn, what to log.

Kept apart from any screen (and from :mod:`tui.core.memory`, which is the memory itself).
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from tui.core import ner
from tui.core.edits import Edit
from tui.core.fsutil import atomic_write
from tui.core.memory import SPANS_KEY, Change, Memory, MemoryError, changes, entities, record
from tui.core.spans import Entity

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc


class Recall:
    """The memory as a reader uses it: what to suggest again, what to learn, what to log.

    Kept apart from any screen so the reader (or any front end) needs only a few calls:
    :meth:`install` when the pipeline loads, :meth:`due` and :meth:`entities` when it
    suggests, :meth:`learn` after each edit (True: install again and suggest the open
    unreviewed articles again). What the memory changed in an article is logged once the
    article is the person's (at their first edit there), for ``newsmark stats``.
    """

    def __init__(
        self,
        annotations: Path,
        *,
        read_only: bool = False,
        labels: Sequence[str] = (),
        background: bool = False,
    ) -> None:
        self.annotations = annotations
        self.background = background
        """Write the memory from a thread (:meth:`flush` waits for it): an fsync'd write
        takes tens of milliseconds on a busy disk, too long for the key that taught it."""
        self._cond = threading.Condition()
        self._queued: tuple[Path, bytes] | None = None
        self._busy = False
        self._thread: threading.Thread | None = None
        self.labels = tuple(labels)
        """The project's labels: the memory suggests only those (empty: every label)."""
        self.read_only = read_only
        self.error: str | None = None
        """Why the memory is off (its file is broken), to tell the person once."""
        self.version = 0
        self._seen: dict[str, int] = {}
        self._pending: dict[str, list[Change]] = {}
        try:
            self.memory: Memory | None = Memory.load(annotations)
        except MemoryError as exc:
            self.memory = None
            self.error = f"{exc} The memory is off until then."

    def install(self, nlp: Language) -> None:
        if self.memory is not None:
            self.memory.install(nlp, self.labels)

    def due(self, article_id: str, status: str, has_file: bool) -> bool:
        """An unreviewed, saved article not yet suggested with the memory as it is now."""
        if self.memory is None or status != "unreviewed" or not has_file:
            return False
        if self._seen.get(article_id, -1) == self.version:
            return False
        return bool(self.memory) or article_id in self._seen

    def entities(self, article_id: str, doc: Doc, text: str, offset: int = 0) -> list[Entity]:
        """Suggestions from a doc of the pipeline (safe on a worker thread), in the article's
        offsets; a long article comes in pieces, ``text`` starting at ``offset``, the first
        at 0."""
        memory = self.memory
        found = ner.shifted(entities(doc, text, memory), offset)
        if memory is not None:
            self._seen[article_id] = self.version
            pending = [] if offset == 0 else self._pending.get(article_id, [])
            if SPANS_KEY in doc.spans:
                pending = pending + [
                    Change(c.start + offset, c.end + offset, c.label, c.model)
                    for c in changes(doc, text, memory)
                ]
            if pending:
                self._pending[article_id] = pending
            else:  # a new run that changed nothing: the last run's changes are gone
                self._pending.pop(article_id, None)
        return found

    def learn(self, article_id: str, redo_stack: Sequence[Edit], edit: Edit, text: str) -> bool:
        """Learn from an edit just made (an undo, still on top of ``redo_stack``, teaches its
        inverse); True when the memory changed, and was saved."""
        memory = self.memory
        if memory is None or self.read_only:
            return False
        pending = self._pending.pop(article_id, None)
        if pending is not None:
            with contextlib.suppress(OSError):  # the log only feeds stats
                record(self.annotations, article_id, pending)
        if redo_stack and redo_stack[-1] is edit:
            edit = edit.inverse()
        if not memory.learn(edit, text):
            return False
        self.version += 1
        self._save(memory)
        return True

    def _save(self, memory: Memory) -> None:
        """Write the memory now, or queue its new state for the writer thread. A failed
        write is not said on its own: the article's save fails alike and says what to do;
        the memory keeps working and its next change writes it again."""
        if not self.background or memory.path is None:
            with contextlib.suppress(OSError):
                memory.save()
            return
        data = memory.dumps().encode("utf-8")  # the state now, whatever the next key does
        with self._cond:
            self._queued = (memory.path, data)
            if self._thread is None:
                self._thread = threading.Thread(
                    target=self._write_loop, name="newsmark-memory", daemon=True
                )
                self._thread.start()
            self._cond.notify_all()

    def _write_loop(self) -> None:
        while True:
            with self._cond:
                while self._queued is None:
                    self._cond.wait()
                (path, data), self._queued = self._queued, None
                self._busy = True
            with contextlib.suppress(OSError):
                atomic_write(path, data)
            with self._cond:
                self._busy = False
                self._cond.notify_all()

    def flush(self, timeout: float | None = None) -> bool:
        """Wait until the memory's newest state is written; ``False`` on timeout."""
        with self._cond:
            return self._cond.wait_for(lambda: self._queued is None and not self._busy, timeout)

    def forget(self, text: str) -> bool:
        """Forget every decision about ``text`` (from the index); True when it held one."""
        memory = self.memory
        if memory is None or self.read_only or text not in memory.texts():
            return False
        memory.forget(text)
        self.version += 1
        self._save(memory)
        return True

    def removed(self, article_id: str) -> list[Change]:
        """The model's suggestions the memory left out of an article, as last suggested."""
        found = self._pending.get(article_id, ())
        added = [c for c in found if c.label is not None]
        return [
            c
            for c in found
            if c.label is None and not any(a.start < c.end and c.start < a.end for a in added)
        ]

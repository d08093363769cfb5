"""Pre-annotating a whole corpus with model suggestions: the engine of ``newsmark suggest``.

It must keep pace with a bare ``nlp.pipe`` over the same texts, so:

- texts are read lazily by the generator that feeds ``nlp.pipe``: memory stays flat on big
  corpora and the first suggestions arrive at once;
- ``nlp.pipe`` gets plain strings, not ``as_tuples``: with ``as_tuples`` spaCy tokenizes in
  the parent and serializes every Doc to the workers, parent CPU the workers need when
  ``n_process > 1``. Each article's context waits in a FIFO instead, which is exact because
  ``nlp.pipe`` yields docs in input order;
- TOML files are saved (atomically, with fsync) by one background thread, so disk latency
  overlaps the model; it starts when the first doc arrives, after spaCy has forked its
  workers, so they never inherit it.
"""

from __future__ import annotations

import contextlib
import errno
import multiprocessing.util
import queue
import signal
import threading
import warnings
from collections import deque
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Literal, TypeVar

from tui.core import memory as memory_mod
from tui.core import ner, suggested
from tui.core.article import Article, ArticleError, CorpusError
from tui.core.edits import Document
from tui.core.fsutil import atomic_write
from tui.core.spans import Entity, SpanError
from tui.core.store import StoreError
from tui.core.workspace import Annotated, Workspace, with_suggestions

if TYPE_CHECKING:
    from spacy.tokens import Doc

    from tui.core.memory import Memory

T = TypeVar("T")
Outcome = Literal["suggested", "skipped", "failed", "kept", "error"]


@dataclass(frozen=True, slots=True)
class Event:
    """What happened to one article.

    ``suggested``: its TOML was (re)written (``message`` says if its spans had to be
    re-anchored because the article changed); ``skipped``: the article cannot be used (not
    UTF-8, binary, empty, gone); ``failed``: its TOML cannot be loaded, so it was left as it
    is; ``kept``: its TOML appeared while suggest ran, and was left alone.
    """

    article: str
    outcome: Outcome
    message: str = ""
    entities: int = 0


def check_output(annotations: Path) -> None:
    """Refuse an annotations path that exists but is not a folder, before any work."""
    if annotations.exists() and not annotations.is_dir():
        raise CorpusError(
            f"{annotations} is not a folder; pass the folder for TOML files with --annotations DIR."
        )


def pending(workspace: Workspace, *, force: bool) -> list[str]:
    """The articles to suggest for: all with ``force``, else those no one has touched yet
    (no TOML, or only the ``[meta]`` that ``newsmark add`` wrote)."""
    if force:
        return list(workspace.ids)
    return [aid for aid in workspace.ids if workspace.awaits_suggestions(aid)]


@dataclass(frozen=True, slots=True)
class Rendered:
    """A TOML file already rendered elsewhere (a Dask worker): only the write is left."""

    path: Path
    data: bytes


# A write that fails for one of these fails for every file after it: the run stops.
_FOLDER_ERRNOS = {errno.ENOSPC, errno.EDQUOT, errno.EROFS, errno.EIO}


class Writer:
    """Saves annotations in order on one thread. A failure that only concerns one file is
    kept in :attr:`failures` and the rest are written; a full or read-only disk stops
    further saves."""

    def __init__(self, workspace: Workspace, depth: int = 64) -> None:
        self._workspace = workspace
        self._queue: queue.Queue[Annotated | Rendered | None] = queue.Queue(maxsize=depth)
        self._thread: threading.Thread | None = None
        self.error: Exception | None = None
        self._failures: deque[Event] = deque()  # appended by the thread, popped by the caller

    def failures(self) -> Iterator[Event]:
        """The files that could not be written since the last call, one ``error`` each."""
        while self._failures:
            yield self._failures.popleft()

    def put(self, annotated: Annotated | Rendered) -> None:
        self.check()
        if self._thread is None:
            self._thread = threading.Thread(
                target=self._loop, name="newsmark-suggest-writer", daemon=True
            )
            self._thread.start()
        self._queue.put(annotated)

    def _loop(self) -> None:
        while (item := self._queue.get()) is not None:
            if self.error is not None:
                continue  # keep draining so ``put`` never blocks on a dead writer
            try:
                if isinstance(item, Rendered):
                    atomic_write(item.path, item.data)
                else:
                    self._workspace.save(item)
            except OSError as exc:
                if exc.errno in _FOLDER_ERRNOS:
                    self.error = StoreError(
                        item.path,
                        None,
                        f"could not be written ({exc.strerror or exc}); free disk space or fix "
                        "the folder's permissions and run suggest again (files written so far "
                        "are kept)",
                    )
                else:
                    self._fail(item, exc.strerror or str(exc))
            except Exception as exc:  # one file's bug: it is named, the others are written
                self._fail(item, ner.reason(exc))

    def _fail(self, item: Annotated | Rendered, why: str) -> None:
        article = item.article.id if isinstance(item, Annotated) else item.path.name
        self._failures.append(
            Event(article, "error", f"{item.path} could not be written ({why}); nothing written")
        )

    def check(self) -> None:
        if self.error is not None:
            raise self.error

    def close(self) -> None:
        """Wait until everything queued is on disk, then report a failure if there was one."""
        if self._thread is not None:
            self._queue.put(None)
            self._thread.join()
            self._thread = None
        self.check()


class _Workers:
    """Keeps spaCy's ``n_process`` workers from hanging or shouting when a run stops early.

    They share the terminal's process group, so on Ctrl-C each would print a traceback: in
    them SIGINT gets its default action, a silent exit. When the parent stops for another
    reason (a failed write), spaCy's cleanup would wait forever for a worker blocked sending
    a batch (its sibling still holds the channel's read end), so the workers this run
    started are terminated first. The fork hook lives as long as this object.
    """

    def __init__(self) -> None:
        self._before = {p.pid for p in multiprocessing.active_children()}
        multiprocessing.util.register_after_fork(self, _Workers._in_child)

    def _in_child(self) -> None:
        signal.signal(signal.SIGINT, signal.SIG_DFL)

    def stop(self) -> None:
        for child in multiprocessing.active_children():
            if child.pid not in self._before:
                child.terminate()


@contextlib.contextmanager
def _no_w127() -> Iterator[None]:
    """Silence spaCy's W127 ("not all workers completed"): it only follows a stop we caused
    (Ctrl-C, a failed write), whose reason is reported on its own."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=r"\[W127\]")
        yield


def _quietly(items: Iterator[T]) -> Iterator[T]:
    """``items`` with W127 silenced while spaCy works (its cleanup runs inside ``next``)."""
    while True:
        with _no_w127():
            try:
                item = next(items)
            except StopIteration:
                return
        yield item


def open_article(
    workspace: Workspace, aid: str, *, force: bool
) -> tuple[Article, Annotated | None] | Event:
    """The article and its open TOML (``None`` when there is none), or why it is left out."""
    try:
        article = workspace.corpus.read(aid)
        # An existing TOML keeps what it holds ([meta], excluded ranges, people's
        # spans); suggestions inside excluded text are dropped by the document.
        path = workspace.path_for(aid)
        if not force and path.exists() and not workspace.awaits_suggestions(aid):
            return Event(aid, "kept", f"{path} was created while suggest ran")
        existing = workspace.attach(article) if force or path.exists() else None
    except ArticleError as exc:
        return Event(aid, "skipped", f"{exc}")
    except StoreError as exc:
        return Event(aid, "failed", f"{exc}; left as it is")
    return article, existing


def new_document(article: Article, suggestions: list[Entity], path: Path, model: str) -> Annotated:
    """A new file whose document is the suggestions (cheaper than merging them).

    Raises :class:`SpanError` (with the article in the message) when the model's entities
    break the span rules.
    """
    try:
        document = Document(article.text, suggestions)
    except SpanError as exc:
        raise SpanError(
            f"{article.path}: the model's entities break the span rules ({exc}); nothing written"
        ) from None
    return Annotated(article, document, path, model=model)


def finish(
    workspace: Workspace,
    writer: Writer,
    model: str,
    article: Article,
    annotated: Annotated | None,
    suggestions: list[Entity],
    *,
    chrome: bool = False,
) -> Event:
    """Queue one article's TOML for writing (new, or merged into ``annotated``); its event.

    With ``chrome`` the article's page chrome is marked as not article text, as ``B`` does.
    """
    suggestions = workspace.project.keep(suggestions)  # only the project's labels are saved
    path = workspace.path_for(article.id) if annotated is None else annotated.path
    if (annotated is None or not annotated.has_file) and path.exists():
        return Event(article.id, "kept", f"{path} was created while suggest ran; left alone")
    if annotated is None:
        try:
            annotated = new_document(article, suggestions, path, model)
        except SpanError as exc:
            return Event(article.id, "skipped", str(exc))
    else:
        with_suggestions(annotated, suggestions, model)
    if chrome:
        annotated.document.mark_chrome()
    writer.put(annotated)
    log(workspace, article.id, model, annotated.document.entities)
    return Event(
        article.id,
        "suggested",
        annotated.note or "",  # the article changed on disk: spans were re-anchored
        entities=len(annotated.document.spans),
    )


def log(workspace: Workspace, article: str, model: str, entities: Iterable[Entity]) -> None:
    """Note what the model suggested for ``stats`` (a failed note costs only that figure)."""
    with contextlib.suppress(OSError):
        suggested.record(workspace.annotations, article, model, entities)


def suggest_all(
    workspace: Workspace,
    pipeline: ner.Pipeline,
    ids: Sequence[str],
    *,
    force: bool = False,
    n_process: int = 1,
    batch_size: int = 32,
    memory: Memory | None = None,
    chrome: bool = False,
) -> Iterator[Event]:
    """Run the pipeline over ``ids`` and save each TOML as its doc arrives; one event each.

    Without ``force`` only new files are written. With it, model entities are replaced and
    every ``user`` entity and the review status are kept (``Document.replace_suggestions``);
    a TOML that fails to load is never overwritten. Raises :class:`StoreError` when a file
    cannot be written (full disk); everything queued before that is saved. With ``memory``
    (installed in the pipeline), its spans say ``memory`` and what it changed is logged.
    With ``chrome`` each article's page chrome is marked as not article text.
    """
    # (article, its open TOML with --force, else None), in the order texts go to nlp.pipe.
    contexts: deque[tuple[Article, Annotated | None]] = deque()
    early: deque[Event] = deque()  # articles the feeder could not use, reported in passing

    def feed() -> Iterator[str]:
        for aid in ids:
            opened = open_article(workspace, aid, force=force)
            if isinstance(opened, Event):
                early.append(opened)
                continue
            contexts.append(opened)
            yield opened[0].text

    writer = Writer(workspace)
    workers = _Workers()  # kept alive for the run; see the class

    def convert(doc: Doc, text: str) -> tuple[list[Entity], list[memory_mod.Change]]:
        if memory is None:
            return ner.entities(doc, text), []
        return memory_mod.entities(doc, text, memory), memory_mod.changes(doc, text, memory)

    results = ner.pipe(pipeline.nlp, feed(), convert, n_process=n_process, batch_size=batch_size)
    finished = False
    try:
        for result in _quietly(results):
            while early:
                yield early.popleft()
            yield from writer.failures()
            article, annotated = contexts.popleft()
            yield _one(workspace, writer, pipeline.name, article, annotated, result, memory, chrome)
        while early:
            yield early.popleft()
        finished = True
    finally:
        if not finished:
            workers.stop()
        close = getattr(results, "close", None)
        if close is not None:
            with _no_w127():
                close()
        writer.close()  # everything queued reaches the disk, even after Ctrl-C
    yield from writer.failures()


def _one(
    workspace: Workspace,
    writer: Writer,
    model: str,
    article: Article,
    annotated: Annotated | None,
    result: list[tuple[int, tuple[list[Entity], list[memory_mod.Change]]]] | ner.Failed,
    memory: Memory | None,
    chrome: bool,
) -> Event:
    """One article's result as its event; a failure on it names it and spares the rest."""
    if isinstance(result, ner.Failed):
        return Event(
            article.id,
            "error",
            f"{article.path}: the model failed on this article ({result.reason}); nothing written",
        )
    try:
        suggestions = ner.joined([(offset, found) for offset, (found, _) in result])
        if memory is not None:
            found = [
                memory_mod.Change(c.start + offset, c.end + offset, c.label, c.model)
                for offset, (_, changed) in result
                for c in changed
            ]
            memory_mod.record(workspace.annotations, article.id, found)
        return finish(workspace, writer, model, article, annotated, suggestions, chrome=chrome)
    except (StoreError, OSError) as exc:
        if writer.error is not None or (isinstance(exc, OSError) and exc.errno in _FOLDER_ERRNOS):
            raise  # the disk is full or read-only: every file after this one would fail too
        why = exc.strerror if isinstance(exc, OSError) else str(exc)
        return Event(article.id, "error", f"{article.path}: {why}; nothing written")
    except Exception as exc:  # a bug on this article alone: say so, go on with the rest
        return Event(article.id, "error", f"{article.path}: {ner.reason(exc)}; nothing written")

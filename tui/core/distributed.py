"""Suggestions past one machine: ``newsmark suggest --scheduler`` on a Dask cluster.

Dask's ``distributed`` is the engine (its deployments, dashboard and recovery are what people
already run); this module only shapes the work for it:

- each task is one batch of articles, sized for ``nlp.pipe``; each worker process loads the
  model once (a per-process cache, warmed on every worker at the start) and keeps it;
- the process that holds the annotations lock is the only writer: results come back as they
  finish (``as_completed``) and each TOML is written atomically by :class:`batch.Writer`, so a
  worker that dies loses nothing already written, and Dask re-runs its batch elsewhere;
- with ``shared_fs`` the workers read new articles by path, otherwise the texts are sent.
  New files are rendered on the workers, so the writer only writes; an existing file
  (``force``, or the ``[meta]`` that ``newsmark add`` wrote) is merged by the writer, which
  holds the lock;
- a bounded number of batches is in flight, so memory stays flat on a corpus of millions.

``distributed`` is an optional extra and is imported only when a cluster is asked for.
"""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import time
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass
from itertools import islice
from pathlib import Path
from types import ModuleType
from typing import Any

from tui.core import batch, ner, store
from tui.core.article import Article, ArticleError, read_article
from tui.core.batch import Event
from tui.core.confidence import DEFAULT_WIDTH
from tui.core.evaluate import Report, score
from tui.core.formats.select import Item
from tui.core.spans import Entity, SpanError, outside
from tui.core.workspace import Annotated, Workspace

INSTALL_HINT = "pip install 'newsmark[dask]'"
DEFAULT_PORT = 8786
# Restarts of the whole cluster (``client.restart``) a batch may live through before the run
# gives up; a worker dying is handled by Dask itself (``distributed.scheduler.allowed-failures``).
RESUBMITS = 3
LOCAL_CONFIG = {
    # Dask starts workers with MALLOC_TRIM_THRESHOLD_=65536 (memory back to the OS sooner);
    # spaCy allocates and frees all the time, and that cost 17% more CPU here.
    "distributed.nanny.pre-spawn-environ.MALLOC_TRIM_THRESHOLD_": None,
    "distributed.worker.profile.enabled": False,
    "distributed.admin.system-monitor.interval": "2s",
    "distributed.worker.preload": [__name__],  # runs dask_setup in each worker, restarts too
}


class DistributedError(Exception):
    """The cluster cannot be used (extra missing, bad address, scheduler gone); ``str()`` says
    what to do."""


@dataclass(frozen=True, slots=True)
class Scheduler:
    """Where the work goes: a running scheduler's ``address``, or ``workers`` processes here."""

    address: str | None = None
    workers: int | None = None


def parse_scheduler(spec: str) -> Scheduler:
    """``local``, ``local:N`` or a scheduler address (``tcp://HOST:8786``, ``HOST:8786``)."""
    spec = spec.strip()
    if spec == "local":
        return Scheduler()
    if spec.startswith("local:"):
        count = spec.removeprefix("local:")
        if not count.isdigit() or int(count) < 1:
            raise DistributedError(
                f"--scheduler {spec!r}: after local: give a number of worker processes of at "
                "least 1, such as local:4."
            )
        return Scheduler(workers=int(count))
    if "://" in spec:
        return Scheduler(address=spec)
    host, sep, port = spec.rpartition(":")
    if sep and host and port.isdigit():
        return Scheduler(address=f"tcp://{spec}")
    raise DistributedError(
        f"--scheduler {spec!r} is neither local[:N] nor a scheduler address; pass "
        f"tcp://HOST:{DEFAULT_PORT} (what `dask scheduler` prints) or local:N."
    )


def require() -> ModuleType:
    """The ``distributed`` package, or a :class:`DistributedError` saying how to install it."""
    try:
        import distributed
    except ImportError:
        raise DistributedError(
            f"--scheduler needs Dask's distributed package, which is not installed; run "
            f"`{INSTALL_HINT}`."
        ) from None
    return distributed


@contextlib.contextmanager
def connect(
    scheduler: Scheduler, *, dashboard_address: str = ":8787", timeout: str = "10s"
) -> Iterator[Any]:
    """A ``distributed.Client`` for the run: a new ``LocalCluster`` or a running scheduler."""
    distributed = require()
    if scheduler.address is None:
        import dask

        workers = scheduler.workers or os.cpu_count() or 1
        # One thread per process: a spaCy pipeline is CPU-bound Python, threads would share a
        # GIL. The workers' statistical profiler samples every 10 ms, which cost about 7% of
        # their CPU on spaCy here; a cluster we start for one run does without it (LOCAL_CONFIG).
        with (
            dask.config.set(LOCAL_CONFIG),
            distributed.LocalCluster(
                n_workers=workers,
                threads_per_worker=1,
                processes=True,
                dashboard_address=dashboard_address,
                silence_logs=logging.ERROR,
            ) as cluster,
            distributed.Client(cluster) as client,
        ):
            yield client
        return
    try:
        client = distributed.Client(scheduler.address, timeout=timeout)
    except (OSError, TimeoutError) as exc:
        raise DistributedError(
            f"No Dask scheduler answers at {scheduler.address} ({exc.__class__.__name__}); "
            "start one with `dask scheduler` or check the address."
        ) from None
    with client:
        yield client


def dashboard(client: Any) -> str | None:
    """The dashboard's address, when the scheduler serves one (it needs bokeh)."""
    try:
        info = client.scheduler_info()
    except Exception:
        return None
    if "dashboard" not in info.get("services", {}):
        return None
    link: str | None = client.dashboard_link
    return link


def threads(client: Any) -> int:
    counts: dict[str, int] = client.nthreads()
    return max(1, sum(counts.values()))


# -- on the workers -------------------------------------------------------------------------


def dask_setup(worker: Any) -> None:
    """Preload hook of the workers of a cluster we start: Ctrl-C is for this process.

    The workers share the terminal's process group, so Ctrl-C reaches them too and each
    would print a traceback; they ignore it, and the writer shuts the cluster down.
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)


_PIPELINES: dict[tuple[str, int], ner.Pipeline] = {}


def pipeline(model: str, width: int = DEFAULT_WIDTH) -> ner.Pipeline:
    """The model (scored by a beam of ``width``), loaded once per worker process and kept
    for every later batch."""
    found = _PIPELINES.get((model, width))
    if found is None:
        found = _PIPELINES[(model, width)] = ner.load(model, width)
    return found


def warm(model: str, width: int = DEFAULT_WIDTH) -> str:
    """Load the model on a worker; its name for the TOML ``model`` field."""
    return pipeline(model, width).name


def scored(model: str, width: int = DEFAULT_WIDTH) -> bool:
    """Whether the worker's suggestions carry a score (see :mod:`tui.core.confidence`)."""
    return pipeline(model, width).scored


def load_everywhere(client: Any, model: str, width: int = DEFAULT_WIDTH) -> str:
    """Load the model on every worker now (a missing model fails here, not mid-run); its
    name. Workers that join or restart later load it on their first batch."""
    try:
        with _INTERRUPTS.installed(), _INTERRUPTS.deferred():
            answers: dict[str, str] = client.run(warm, model, width)
        names = set(answers.values())
        if not names:  # no worker yet (a job queue still starting them): wait for the first
            first: str = client.submit(warm, model, width, pure=False).result()
            names = {first}
    except ner.ModelError as exc:
        raise DistributedError(f"On the cluster's workers: {exc}") from None
    except ImportError as exc:
        raise DistributedError(
            f"The cluster's workers cannot import newsmark ({exc}); install the same newsmark "
            "and model on every worker (pip install newsmark)."
        ) from None
    if len(names) > 1:
        raise DistributedError(
            f"The workers load different versions of {model!r} ({', '.join(sorted(names))}); "
            "install the same one on every worker."
        )
    return names.pop()


@dataclass(frozen=True, slots=True)
class Job:
    """One article for a worker: its text and hash, or ``text=None`` to read it by path.

    ``merge``: the writer merges the suggestions into an existing file, so the worker sends
    back the entities rather than a rendered file.
    """

    article: str
    text: str | None = None
    sha256: str = ""
    merge: bool = False


@dataclass(frozen=True, slots=True)
class Done:
    """A worker's answer for one article.

    ``toml`` is the whole new file when the worker rendered it (then ``count`` is its number
    of entities and ``entities`` what it holds, for the log of suggestions), else
    ``entities`` are the suggestions for the writer to merge; ``skipped`` says why the
    article could not be used, ``failed`` what the model raised on it.
    """

    article: str
    entities: tuple[Entity, ...] = ()
    toml: str | None = None
    count: int = 0
    skipped: str | None = None
    failed: str | None = None  # the model or a custom component raised on it


def run_batch(
    model: str,
    jobs: Sequence[Job],
    articles: str,
    annotations: str,
    chrome: bool = False,
    labels: Sequence[str] = (),
    width: int = DEFAULT_WIDTH,
) -> list[Done]:
    """A Dask task: suggestions for one batch of articles, in one ``nlp.pipe`` (with
    ``chrome``, a new file marks its page chrome as not article text; with ``labels``, only
    those labels are suggested)."""
    loaded = pipeline(model, width)
    root = Path(articles)
    done: list[Done] = []
    ready: list[tuple[Article, bool]] = []
    for job in jobs:
        if job.text is None:
            try:
                ready.append((read_article(root, job.article), job.merge))
            except ArticleError as exc:
                done.append(Done(job.article, skipped=str(exc)))
        else:
            article = Article(job.article, root / job.article, job.text, job.sha256)
            ready.append((article, job.merge))
    texts = (a.text for a, _ in ready)
    results = ner.pipe(loaded.nlp, texts, ner.entities, batch_size=max(1, len(ready)))
    for (article, merge), result in zip(ready, results, strict=True):
        if isinstance(result, ner.Failed):
            reason = f"{article.path}: the model failed on this article ({result.reason})"
            done.append(Done(article.id, failed=f"{reason}; nothing written"))
            continue
        suggestions = [e for e in ner.joined(result) if not labels or e.label in labels]
        if merge:
            done.append(Done(article.id, tuple(suggestions)))
            continue
        path = store.annotation_path(Path(annotations), article.id)
        try:
            annotated = batch.new_document(article, suggestions, path, loaded.name)
        except SpanError as exc:
            done.append(Done(article.id, skipped=str(exc)))
            continue
        if chrome:
            annotated.document.mark_chrome()
        toml = store.dumps(annotated.annotation(), article.text)
        held = annotated.document.entities
        done.append(Done(article.id, held, toml=toml, count=len(held)))
    return done


# -- in the writer -------------------------------------------------------------------------


class _Interrupts:
    """Ctrl-C stops the writer at once, except inside Dask's blocking calls.

    A ``KeyboardInterrupt`` raised inside ``distributed``'s ``sync`` (``future.result()``,
    ``client.cancel``…) makes Dask log a traceback of its own on the way out; there the
    interrupt waits for the call to return, which takes a moment.
    """

    def __init__(self) -> None:
        self._inside = 0
        self._pending = False

    def _handler(self, signum: int, frame: object) -> None:
        if self._inside:
            self._pending = True
        else:
            raise KeyboardInterrupt

    @contextlib.contextmanager
    def installed(self) -> Iterator[None]:
        """The handler for as long as the run lasts (only the main thread can set it)."""
        try:
            before = signal.signal(signal.SIGINT, self._handler)
        except ValueError:  # not the main thread: Ctrl-C is not ours to handle
            yield
            return
        try:
            yield
        finally:
            signal.signal(signal.SIGINT, before)

    @contextlib.contextmanager
    def deferred(self) -> Iterator[None]:
        self._inside += 1
        try:
            yield
        finally:
            self._inside -= 1
            if not self._inside and self._pending:
                self._pending = False
                raise KeyboardInterrupt


_INTERRUPTS = _Interrupts()


def _chunks(items: Iterable[str], size: int) -> Iterator[list[str]]:
    it = iter(items)
    while chunk := list(islice(it, size)):
        yield chunk


class _Flight:
    """Batches submitted and not yet answered, refilled up to ``depth`` as answers arrive.

    A batch whose future was cancelled (``client.restart``) is submitted again; a batch that
    failed raises its error here (``KilledWorker`` after it took down several workers).
    """

    def __init__(self, client: Any, submit: Callable[[list[Job]], Any]) -> None:
        distributed = require()
        self._client = client
        self._submit = submit
        self._jobs: dict[Any, tuple[list[Job], int]] = {}
        self._queue = distributed.as_completed()
        self._depth = 0
        self._sized = 0.0

    def depth(self) -> int:
        """Two batches per worker thread and two spare, so no worker waits for the next;
        asked again every few seconds, as workers join (a job queue) or leave."""
        now = time.monotonic()
        if now - self._sized > 5:
            with _INTERRUPTS.deferred():
                self._depth, self._sized = 2 * threads(self._client) + 2, now
        return self._depth

    def fill(self, more: Iterator[list[Job]]) -> None:
        while len(self._jobs) < self.depth():
            jobs = next(more, None)
            if jobs is None:
                return
            self._add(jobs, 0)

    def _add(self, jobs: list[Job], tries: int) -> None:
        future = self._submit(jobs)
        self._jobs[future] = (jobs, tries)
        self._queue.add(future)

    def __bool__(self) -> bool:
        return bool(self._jobs)

    def next(self) -> list[Done] | None:
        """The next answered batch; ``None`` when one was lost and submitted again."""
        future = next(self._queue)
        if future not in self._jobs:
            return None  # already taken: a batch's answer is used once, never twice
        jobs, tries = self._jobs.pop(future)
        if future.status == "cancelled":
            if tries >= RESUBMITS:
                raise DistributedError(
                    f"The batch starting at {jobs[0].article} was cancelled {tries + 1} times "
                    "(the cluster restarted or the scheduler lost it); run suggest again to "
                    "finish the rest."
                )
            self._add(jobs, tries + 1)
            return None
        try:
            with _INTERRUPTS.deferred():
                result: list[Done] = future.result()
        except Exception as exc:
            if exc.__class__.__name__ != "KilledWorker":
                raise  # the task's own error (a model that fails to load): the caller reports it
            raise DistributedError(
                f"The batch starting at {jobs[0].article} took down several workers in turn "
                "(often out of memory on a huge article); run suggest again with a smaller "
                "--batch-size or more memory per worker."
            ) from None
        return result

    def cancel(self) -> None:
        if self._jobs:
            with _INTERRUPTS.deferred(), contextlib.suppress(Exception):
                self._client.cancel(list(self._jobs))
        self._jobs.clear()


def suggest_all(
    client: Any,
    workspace: Workspace,
    model: str,
    label: str,
    ids: Sequence[str],
    *,
    force: bool = False,
    shared_fs: bool = False,
    batch_size: int = 32,
    chrome: bool = False,
    beam_width: int = DEFAULT_WIDTH,
) -> Iterator[Event]:
    """Like :func:`batch.suggest_all`, on the cluster behind ``client``; one event each.

    ``model`` is what each worker loads (a package name or a folder every worker sees),
    ``label`` its name for the TOML files (:func:`warm`). Events come in the order batches
    finish. Without ``force`` only new files are written; each article is written once.
    """
    writer = batch.Writer(workspace)
    contexts: dict[str, tuple[Article, Annotated | None]] = {}
    early: list[Event] = []  # articles the writer could not use, reported in passing
    articles = str(workspace.corpus.root.resolve() if shared_fs else workspace.corpus.root)
    annotations = str(workspace.annotations)
    labels = workspace.project.labels

    def prepare(chunk: list[str]) -> list[Job]:
        """Jobs for one batch. A new file is the worker's to render, from the text the
        writer read or, with ``shared_fs``, read there; a file that exists (``force``, or
        only what ``add`` wrote) is opened here and merged when its entities come back."""
        jobs = []
        for aid in chunk:
            if not force and not workspace.path_for(aid).exists():
                if shared_fs:
                    jobs.append(Job(aid))
                    continue
                try:
                    article = workspace.corpus.read(aid)
                except ArticleError as exc:
                    early.append(Event(aid, "skipped", f"{exc}"))
                    continue
                jobs.append(Job(aid, article.text, article.sha256))
                continue
            opened = batch.open_article(workspace, aid, force=force)
            if isinstance(opened, Event):
                early.append(opened)
                continue
            article, existing = opened
            if existing is None:  # the file went away meanwhile: a new one after all
                jobs.append(Job(aid, article.text, article.sha256))
                continue
            contexts[aid] = (article, existing)
            jobs.append(Job(aid, article.text, article.sha256, merge=True))
        return jobs

    def submit(jobs: list[Job]) -> Any:
        return client.submit(
            run_batch, model, jobs, articles, annotations, chrome, labels, beam_width, pure=False
        )

    batches = (jobs for jobs in map(prepare, _chunks(ids, batch_size)) if jobs)
    flight = _Flight(client, submit)
    finished = False
    with _INTERRUPTS.installed():
        try:
            flight.fill(batches)
            yield from _drain(early)
            while flight:
                answered = flight.next()
                flight.fill(batches)
                yield from _drain(early)
                for done in answered or ():  # each batch is answered once: see _Flight.next
                    yield _finish(workspace, writer, label, done, contexts, chrome)
            yield from _drain(early)
            finished = True
        finally:
            try:
                if not finished:
                    flight.cancel()
            finally:
                writer.close()  # everything queued reaches the disk, even after Ctrl-C


def _drain(early: list[Event]) -> Iterator[Event]:
    while early:
        yield early.pop(0)


def _finish(
    workspace: Workspace,
    writer: batch.Writer,
    label: str,
    done: Done,
    contexts: dict[str, tuple[Article, Annotated | None]],
    chrome: bool,
) -> Event:
    if done.skipped is not None:
        return Event(done.article, "skipped", done.skipped)
    if done.failed is not None:
        return Event(done.article, "error", done.failed)
    if done.toml is not None:
        path = workspace.path_for(done.article)
        if path.exists():
            return Event(done.article, "kept", f"{path} was created while suggest ran; left alone")
        writer.put(batch.Rendered(path, done.toml.encode("utf-8")))
        batch.log(workspace, done.article, label, done.entities)
        return Event(done.article, "suggested", entities=done.count)
    article, annotated = contexts.pop(done.article)
    entities = list(done.entities)
    return batch.finish(workspace, writer, label, article, annotated, entities, chrome=chrome)


# -- evaluate -------------------------------------------------------------------------------


def predict(
    client: Any, model: str, texts: Iterable[str], *, batch_size: int = 32
) -> Iterator[list[Entity]]:
    """Suggestions for each text, in order, computed on the cluster (a bounded window)."""
    window: list[Any] = []
    depth = 2 * threads(client) + 2

    def submit(chunk: list[str]) -> Any:
        jobs = [Job(str(i), text, merge=True) for i, text in enumerate(chunk)]
        return client.submit(run_batch, model, jobs, ".", ".", pure=False)

    def answer(future: Any) -> list[Done]:
        with _INTERRUPTS.deferred():
            done: list[Done] = future.result()
        return done

    chunks = _chunks(texts, batch_size)
    with _INTERRUPTS.installed():
        try:
            for chunk in chunks:
                window.append(submit(chunk))
                if len(window) >= depth:
                    yield from (list(d.entities) for d in answer(window.pop(0)))
            while window:
                yield from (list(d.entities) for d in answer(window.pop(0)))
        finally:
            if window:
                with _INTERRUPTS.deferred(), contextlib.suppress(Exception):
                    client.cancel(window)


def evaluate(
    client: Any,
    model: str,
    label: str,
    items: Sequence[Item],
    labels: Collection[str] | None = None,
    progress: Callable[[int], None] | None = None,
) -> Report:
    """:func:`tui.core.evaluate.evaluate` with the model run on the cluster."""

    def pairs() -> Iterator[tuple[Sequence[Entity], Sequence[Entity]]]:
        predicted = predict(client, model, (i.text for i in items))
        for item, found in zip(items, predicted, strict=True):
            if progress is not None:
                progress(1)
            yield item.entities, outside(found, item.excluded)  # as the local evaluate does

    return score(label, pairs(), labels)


__all__ = [
    "INSTALL_HINT",
    "DistributedError",
    "Done",
    "Job",
    "Scheduler",
    "connect",
    "dashboard",
    "evaluate",
    "load_everywhere",
    "parse_scheduler",
    "predict",
    "require",
    "run_batch",
    "scored",
    "suggest_all",
    "warm",
]

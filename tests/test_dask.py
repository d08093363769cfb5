"""``suggest`` and ``evaluate`` on a Dask cluster: a LocalCluster of two worker processes.

The stand-in model is the entity-ruler pipeline saved to a folder, which is what each worker
loads by path; one test runs the real model. A local run is the reference: the cluster must
write the same files (the ``updated`` timestamp aside), each exactly once, even when a worker
dies or the whole cluster restarts mid-run.
"""

from __future__ import annotations

import contextlib
import json
import os
import random
import signal
import subprocess
import sys
import threading
import tomllib
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import SEEDS, make_ruler_pipeline, needs_install
from tui.cli import main
from tui.core import batch, ner, store
from tui.core import distributed as dist
from tui.core.article import read_article
from tui.core.batch import Event
from tui.core.spans import Entity
from tui.core.workspace import Workspace

ARTICLES = 40


@pytest.fixture(scope="module")
def dask_installed() -> None:
    """Dask's ``distributed``, which every test with a cluster needs (a dev dependency)."""
    try:
        import distributed  # noqa: F401
    except ImportError:
        missing = True
    else:
        missing = False
    if missing:  # outside the except, so the report is the one line, not a chained traceback
        needs_install("Dask distributed", "the cluster tests", "pip install -e '.[dev]'")


needs_dask = pytest.mark.usefixtures("dask_installed")


@pytest.fixture(scope="module")
def client(dask_installed: None) -> Iterator[Any]:
    """Two single-threaded worker processes, as ``--scheduler local:2`` starts them, shared
    by the tests of this module."""
    with dist.connect(dist.Scheduler(workers=2), dashboard_address=":0") as client:
        yield client


@pytest.fixture(scope="module")
def ruler_model(tmp_path_factory: pytest.TempPathFactory) -> str:
    """The entity-ruler pipeline as a folder every worker can load."""
    folder = tmp_path_factory.mktemp("model") / "ruler"
    make_ruler_pipeline().nlp.to_disk(folder)
    return str(folder)


def make_corpus(folder: Path, count: int = ARTICLES) -> list[str]:
    """``count`` articles from the seeds' shuffled paragraphs (some with non-ASCII text), plus
    one empty and one non-UTF-8 file that every run must skip alike."""
    seeds = [
        [p for p in seed.read_text("utf-8").split("\n\n") if p.strip()]
        for seed in sorted(SEEDS.glob("*.txt"))
    ]
    rng = random.Random(14)
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(count):
        paragraphs = rng.choice(seeds)
        kept = rng.sample(paragraphs, rng.randint(1, len(paragraphs)))
        lead = "Ünïcødé 🙂 from Iran. " if i % 3 == 0 else ""
        (folder / f"{i:03d}.txt").write_text(lead + "\n\n".join(kept) + "\n", "utf-8")
    (folder / "empty.txt").write_text("  \n", "utf-8")
    (folder / "latin1.txt").write_bytes("Caf\xe9 in China".encode("latin-1"))
    return sorted(p.name for p in folder.glob("*.txt"))


def contents(annotations: Path) -> dict[str, dict[str, Any]]:
    """Every TOML under ``annotations``, parsed, without the ``updated`` timestamp."""
    found = {}
    for path in sorted(annotations.rglob("*.toml")):
        doc = tomllib.loads(path.read_text("utf-8"))
        doc.pop("updated")
        found[path.relative_to(annotations).as_posix()] = doc
    return found


def local_run(
    articles: Path, annotations: Path, model: str, *, force: bool = False, chrome: bool = False
) -> None:
    workspace = Workspace(articles, annotations)
    ids = batch.pending(workspace, force=force)
    list(batch.suggest_all(workspace, ner.load(model), ids, force=force, chrome=chrome))


def cluster_run(
    client: Any,
    articles: Path,
    annotations: Path,
    model: str,
    *,
    force: bool = False,
    shared_fs: bool = False,
    batch_size: int = 4,
    chrome: bool = False,
) -> Iterator[Event]:
    workspace = Workspace(articles, annotations)
    ids = batch.pending(workspace, force=force)
    label = dist.load_everywhere(client, model)
    return dist.suggest_all(
        client,
        workspace,
        model,
        label,
        ids,
        force=force,
        shared_fs=shared_fs,
        batch_size=batch_size,
        chrome=chrome,
    )


@pytest.fixture
def counted_writes(monkeypatch: pytest.MonkeyPatch) -> Counter[str]:
    """How many times the writer was handed each file."""
    writes: Counter[str] = Counter()
    put = batch.Writer.put

    def counting(self: batch.Writer, item: Any) -> None:
        writes[Path(item.path).name] += 1
        put(self, item)

    monkeypatch.setattr(batch.Writer, "put", counting)
    return writes


@pytest.mark.parametrize("shared_fs", [False, True], ids=["texts-sent", "shared-fs"])
def test_cluster_writes_the_same_files_as_a_local_run(
    tmp_path: Path, client: Any, ruler_model: str, shared_fs: bool
) -> None:
    articles = tmp_path / "articles"
    ids = make_corpus(articles)
    local_run(articles, tmp_path / "local", ruler_model)
    events = list(
        cluster_run(client, articles, tmp_path / "dask", ruler_model, shared_fs=shared_fs)
    )
    outcomes = Counter(e.outcome for e in events)
    assert outcomes == {"suggested": ARTICLES, "skipped": 2}
    assert sorted(e.article for e in events) == ids
    expected = contents(tmp_path / "local")
    assert len(expected) == ARTICLES
    assert contents(tmp_path / "dask") == expected
    assert any(doc["entities"] for doc in expected.values())


def test_force_merges_like_a_local_run(tmp_path: Path, client: Any, ruler_model: str) -> None:
    """With --force the writer merges: people's entities and the review status are kept."""
    articles = tmp_path / "articles"
    make_corpus(articles, 8)
    for folder in ("local", "dask"):
        annotations = tmp_path / folder
        for name in ("000.txt", "001.txt"):
            article = read_article(articles, name)
            user = Entity(0, article.text.index(" "), "PERSON", "user")
            annotation = store.Annotation(name, article.sha256, "accepted", (user,), model="old")
            store.save(store.annotation_path(annotations, name), annotation, article.text)
    local_run(articles, tmp_path / "local", ruler_model, force=True)
    list(cluster_run(client, articles, tmp_path / "dask", ruler_model, force=True))
    expected = contents(tmp_path / "local")
    assert contents(tmp_path / "dask") == expected
    assert expected["000.toml"]["status"] == "accepted"
    assert {e["source"] for e in expected["000.toml"]["entities"]} == {"user", "model"}


def test_files_add_wrote_are_merged_like_a_local_run(
    tmp_path: Path, client: Any, ruler_model: str
) -> None:
    """A TOML with only the [meta] that ``newsmark add`` wrote still awaits suggestions; the
    writer merges them into it (it keeps its [meta]), and the workers render the rest."""
    articles = tmp_path / "articles"
    make_corpus(articles, 8)
    for folder in ("local", "dask"):
        for name in ("003.txt", "004.txt"):
            article = read_article(articles, name)
            meta = {"url": f"https://example.org/{name}"}
            annotation = store.Annotation(name, article.sha256, "unreviewed", (), meta=meta)
            store.save(store.annotation_path(tmp_path / folder, name), annotation, article.text)
    local_run(articles, tmp_path / "local", ruler_model)
    events = list(cluster_run(client, articles, tmp_path / "dask", ruler_model, shared_fs=True))
    assert Counter(e.outcome for e in events) == {"suggested": 8, "skipped": 2}
    expected = contents(tmp_path / "local")
    assert contents(tmp_path / "dask") == expected
    assert expected["003.toml"]["meta"] == {"url": "https://example.org/003.txt"}
    assert expected["003.toml"]["entities"]


def test_chrome_on_the_cluster_is_marked_like_a_local_run(
    tmp_path: Path, client: Any, ruler_model: str
) -> None:
    """New files are rendered by the workers, merged ones by the writer: both mark chrome."""
    articles = tmp_path / "articles"
    make_corpus(articles, 6)
    for seed in SEEDS.glob("*.txt"):
        (articles / seed.name).write_bytes(seed.read_bytes())
    second = sorted(p.name for p in SEEDS.glob("*.txt"))[1]  # it has a header and a tail
    for folder in ("local", "dask"):
        article = read_article(articles, second)
        annotation = store.Annotation(second, article.sha256, "unreviewed", (), meta={"a": "b"})
        store.save(store.annotation_path(tmp_path / folder, second), annotation, article.text)
        (articles / "third.txt").write_bytes(article.text.encode("utf-8"))
    local_run(articles, tmp_path / "local", ruler_model, chrome=True)
    list(cluster_run(client, articles, tmp_path / "dask", ruler_model, chrome=True))
    expected = contents(tmp_path / "local")
    assert contents(tmp_path / "dask") == expected
    merged, rendered = expected[second.replace(".txt", ".toml")], expected["third.toml"]
    assert len(merged["excluded"]) == len(rendered["excluded"]) == 2


def test_real_model_on_the_cluster(tmp_path: Path, client: Any) -> None:
    articles = tmp_path / "articles"
    make_corpus(articles, 10)
    model = ner.resolve_model()
    local_run(articles, tmp_path / "local", model)
    list(cluster_run(client, articles, tmp_path / "dask", model, shared_fs=True))
    expected = contents(tmp_path / "local")
    assert contents(tmp_path / "dask") == expected
    assert sum(len(doc["entities"]) for doc in expected.values()) > 10


class Recording:
    """The client as the run sees it, keeping every future it submits: the scheduler keeps
    the state of a task while a future holds it, so the test can ask about it afterwards."""

    def __init__(self, client: Any) -> None:
        self.client = client
        self.futures: list[Any] = []

    def submit(self, *args: Any, **kwargs: Any) -> Any:
        future = self.client.submit(*args, **kwargs)
        self.futures.append(future)
        return future

    def __getattr__(self, name: str) -> Any:
        return getattr(self.client, name)


@contextlib.contextmanager
def held_batches(client: Any) -> Iterator[tuple[Any, Any]]:
    """Every batch waits on its worker, until the test sets the event it yields, after
    putting its worker's pid in the queue it yields. Workers that start later run freely.

    The wait is put in front of ``pipeline``, which ``run_batch`` looks up on each call, so
    the functions the workers have already deserialized see it too.
    """
    from distributed import Event, Queue

    name = f"held-{uuid.uuid4().hex}"

    def hold(name: str) -> None:
        import os

        from distributed import Event, Queue

        from tui.core import distributed as module

        load = module.pipeline

        def held(model: str, *args: Any) -> Any:
            Queue(f"{name}-pids").put(os.getpid())
            Event(f"{name}-go").wait()
            return load(model, *args)

        held.unheld = load  # type: ignore[attr-defined]
        module.pipeline = held

    def unhold() -> None:
        from tui.core import distributed as module

        module.pipeline = getattr(module.pipeline, "unheld", module.pipeline)

    go = Event(f"{name}-go", client=client)
    client.run(hold, name)
    try:
        yield Queue(f"{name}-pids", client=client), go
    finally:
        go.set()
        client.run(unhold)


def meanwhile(action: Callable[[], None]) -> Callable[[], None]:
    """Run ``action`` in a thread while the run waits on its held batches; the returned
    call joins it and raises what it raised."""
    failed: list[BaseException] = []

    def run() -> None:
        try:
            action()
        except BaseException as exc:
            failed.append(exc)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()

    def join() -> None:
        thread.join(timeout=120)
        assert not thread.is_alive()
        if failed:
            raise failed[0]

    return join


def test_a_killed_worker_loses_nothing_and_writes_each_file_once(
    tmp_path: Path, client: Any, ruler_model: str, counted_writes: Counter[str]
) -> None:
    """The kill lands while a batch runs on that worker and before anything is written;
    Dask runs that batch again elsewhere, and it is still written once."""
    articles = tmp_path / "articles"
    make_corpus(articles, 60)
    local_run(articles, tmp_path / "local", ruler_model)
    counted_writes.clear()
    recording = Recording(client)
    written_at_kill: list[int] = []
    # The model is loaded on every worker here, before batches are held; they start below.
    run = cluster_run(recording, articles, tmp_path / "dask", ruler_model, batch_size=2)
    with held_batches(client) as (pids, go):

        def kill_one_worker() -> None:
            try:
                pid = pids.get(timeout=60)  # a batch is running there, held
                written_at_kill.append(len(list((tmp_path / "dask").glob("*.toml"))))
                os.kill(pid, signal.SIGKILL)  # the nanny starts a new one
            finally:
                go.set()

        join = meanwhile(kill_one_worker)
        events = list(run)
        join()
    assert written_at_kill == [0]
    assert Counter(e.outcome for e in events) == {"suggested": 60, "skipped": 2}
    assert set(counted_writes.values()) == {1}
    assert len(counted_writes) == 60
    assert contents(tmp_path / "dask") == contents(tmp_path / "local")
    keys = [f.key for f in recording.futures]
    assert len(keys) == 30  # no batch was submitted twice: Dask re-ran the lost one itself

    def suspicious(dask_scheduler: Any, keys: list[str]) -> list[int]:
        return [dask_scheduler.tasks[key].suspicious for key in keys]

    assert sorted(client.run_on_scheduler(suspicious, keys=keys))[-1] == 1  # its worker died


def test_a_cluster_restart_mid_run_is_survived(
    tmp_path: Path,
    client: Any,
    ruler_model: str,
    counted_writes: Counter[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The restart lands while batches run and before anything is written; the batches it
    cancelled are submitted again, and each file is still written once."""
    articles = tmp_path / "articles"
    make_corpus(articles, 30)
    resubmitted: list[str] = []
    add = dist._Flight._add

    def counting(self: dist._Flight, jobs: list[dist.Job], tries: int) -> None:
        if tries:
            resubmitted.append(jobs[0].article)
        add(self, jobs, tries)

    monkeypatch.setattr(dist._Flight, "_add", counting)
    written_at_restart: list[int] = []
    run = cluster_run(client, articles, tmp_path / "dask", ruler_model, batch_size=1)
    with held_batches(client) as (pids, go):

        def restart() -> None:
            try:
                pids.get(timeout=60)
                written_at_restart.append(len(list((tmp_path / "dask").glob("*.toml"))))
                client.restart()  # every worker dies; batches in flight are lost and sent again
            finally:
                go.set()

        join = meanwhile(restart)
        events = list(run)
        join()
    assert written_at_restart == [0]
    assert resubmitted, "no batch was lost to the restart and sent again"
    assert Counter(e.outcome for e in events) == {"suggested": 30, "skipped": 2}
    assert set(counted_writes.values()) == {1}
    assert len(contents(tmp_path / "dask")) == 30


def test_a_second_run_does_only_what_is_missing(
    tmp_path: Path, client: Any, ruler_model: str
) -> None:
    articles = tmp_path / "articles"
    make_corpus(articles, 20)
    annotations = tmp_path / "dask"
    first = cluster_run(client, articles, annotations, ruler_model, batch_size=2)
    done = [next(first) for _ in range(5)]
    first.close()  # an interruption: everything handed to the writer is on disk
    written = set(contents(annotations))
    assert len(written) >= sum(e.outcome == "suggested" for e in done)
    workspace = Workspace(articles, annotations)
    missing = batch.pending(workspace, force=False)
    assert len(missing) == 22 - len(written)
    second = list(cluster_run(client, articles, annotations, ruler_model, batch_size=2))
    assert sorted(e.article for e in second) == missing
    assert len(contents(annotations)) == 20


@needs_dask
def test_cli_on_a_local_cluster(
    tmp_path: Path, ruler_model: str, capsys: pytest.CaptureFixture[str]
) -> None:
    articles, annotations = tmp_path / "articles", tmp_path / "annotations"
    make_corpus(articles, 6)
    argv = ["suggest", "--articles", str(articles), "--annotations", str(annotations)]
    assert main([*argv, "--model", ruler_model, "--scheduler", "local:2", "--shared-fs"]) == 0
    out = capsys.readouterr().out
    assert "Dask dashboard: " in out
    assert "Suggesting entities for 8 articles with ruler 0.0.0" in out
    assert "[8/8]" in out or "[7/8]" in out  # a line per article, as without a cluster
    assert "Suggested entities for 6 of 8 articles" in out
    assert len(contents(annotations)) == 6
    assert main([*argv, "--model", ruler_model, "--scheduler", "local:1"]) == 0
    out = capsys.readouterr().out  # resume: only the two unusable articles are still pending
    assert "Suggested entities for 0 of 2 articles" in out and "2 unusable skipped" in out


def test_cli_on_a_running_scheduler_with_force(
    tmp_path: Path, client: Any, ruler_model: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """``--scheduler tcp://…`` joins a cluster that is already up (here, this module's)."""
    articles, annotations = tmp_path / "articles", tmp_path / "annotations"
    make_corpus(articles, 5)
    local_run(articles, tmp_path / "local", ruler_model, force=True)
    argv = ["suggest", "--articles", str(articles), "--annotations", str(annotations)]
    argv += ["--model", ruler_model, "--scheduler", client.scheduler.address, "--force"]
    assert main(argv) == 0
    out = capsys.readouterr().out
    assert "Suggested entities for 5 of 7 articles with ruler 0.0.0" in out
    assert contents(annotations) == contents(tmp_path / "local")
    assert client.status == "running"  # the cluster is still up: it was not ours to stop


@needs_dask
def test_ctrl_c_on_a_local_cluster_is_one_line_and_the_rest_resumes(
    tmp_path: Path, ruler_model: str
) -> None:
    """Ctrl-C reaches the whole process group, as from a terminal: the workers leave it to
    the writer, which saves what it has and says so in one line; a second run finishes."""
    articles, annotations = tmp_path / "articles", tmp_path / "annotations"
    make_corpus(articles, 200)
    argv = [sys.executable, "-m", "tui", "suggest", "--articles", str(articles)]
    argv += ["--annotations", str(annotations), "--model", ruler_model]
    argv += ["--scheduler", "local:2", "--batch-size", "1"]
    proc = subprocess.Popen(
        argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True
    )
    assert proc.stdout is not None and proc.stderr is not None
    for line in proc.stdout:
        if line.startswith("["):  # the first article is written: interrupt
            os.killpg(proc.pid, signal.SIGINT)
            break
    rest = proc.stdout.read()
    err = proc.stderr.read()
    assert proc.wait(timeout=120) == 130
    assert "Traceback" not in err
    assert err.strip().endswith("interrupted; everything written so far is saved.")
    printed = 1 + sum(line.startswith("[") for line in rest.splitlines())
    written = len(contents(annotations))
    assert printed <= written < 200
    assert main([*argv[3:], "--scheduler", "local:1", "--batch-size", "32"]) == 0
    assert len(contents(annotations)) == 200


@needs_dask
def test_evaluate_on_a_local_cluster_scores_like_a_local_run(
    tmp_path: Path, ruler_model: str, capsys: pytest.CaptureFixture[str]
) -> None:
    articles, annotations = tmp_path / "articles", tmp_path / "annotations"
    make_corpus(articles, 6)
    local_run(articles, annotations, ruler_model)
    for path in sorted(annotations.glob("*.toml"))[:4]:
        text = path.read_text("utf-8").replace('status = "unreviewed"', 'status = "accepted"')
        path.write_text(text.replace('label = "GPE"', 'label = "LOC"', 1), "utf-8")
    argv = ["evaluate", "--articles", str(articles), "--annotations", str(annotations)]
    argv += ["--model", ruler_model, "--json"]
    assert main(argv) == 0
    expected = json.loads(capsys.readouterr().out)
    assert main([*argv, "--scheduler", "local:2"]) == 0
    captured = capsys.readouterr()
    assert json.loads(captured.out) == expected
    assert expected["docs"] == 4 and expected["overall"]["fp"] >= 1
    assert "Dask dashboard: " in captured.err


def test_missing_extra_is_one_sentence(
    workdir: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setitem(sys.modules, "distributed", None)  # import fails as if not installed
    for command in ("suggest", "evaluate"):
        assert main([command, "--scheduler", "local:2"]) == 2
        err = capsys.readouterr().err
        assert "pip install 'newsmark[dask]'" in err
        assert err.count("\n") == 1 and "Traceback" not in err
    assert not list((workdir / "annotations").iterdir())


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--scheduler", "local:0"], "at least 1"),
        (["--scheduler", "nowhere"], "tcp://HOST:8786"),
        (["--shared-fs"], "only applies with --scheduler"),
        (["--scheduler", "local", "--n-process", "2"], "local:N"),
    ],
)
def test_bad_cluster_options_are_usage_errors(
    workdir: Path, argv: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["suggest", *argv]) == 2
    assert message in capsys.readouterr().err


def test_a_model_the_workers_lack_is_one_sentence(
    tmp_path: Path, client: Any, ruler_model: str
) -> None:
    with pytest.raises(dist.DistributedError, match="On the cluster's workers: .*not installed"):
        dist.load_everywhere(client, str(tmp_path / "no-such-model"))
    assert dist.load_everywhere(client, ruler_model) == "ruler 0.0.0"


@needs_dask
def test_no_scheduler_at_the_address_is_one_sentence() -> None:
    with (
        pytest.raises(dist.DistributedError, match="No Dask scheduler answers at tcp://127"),
        dist.connect(dist.Scheduler("tcp://127.0.0.1:9"), timeout="1s"),
    ):
        pass


def test_parse_scheduler() -> None:
    assert dist.parse_scheduler("local") == dist.Scheduler()
    assert dist.parse_scheduler("local:3") == dist.Scheduler(workers=3)
    assert dist.parse_scheduler("tcp://10.0.0.5:8786") == dist.Scheduler("tcp://10.0.0.5:8786")
    assert dist.parse_scheduler("head:8786") == dist.Scheduler("tcp://head:8786")

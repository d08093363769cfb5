"""The queue: what the model knows least first, in the CLI, the session and the reader."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tui.cli import main
from tui.core import queue, store
from tui.core.article import read_article
from tui.core.edits import Status
from tui.core.session import Session
from tui.core.spans import Entity
from tui.core.workspace import Workspace

TEXT = "Pezeshkian met Wang Yi in Beijing on Tuesday.\n"  # 46 characters


def corpus(root: Path) -> Workspace:
    """Five articles: a, b, c scored (b least sure, then c, then a), d new, e unscored."""
    arts, anns = root / "articles", root / "annotations"
    arts.mkdir(parents=True)
    anns.mkdir()
    scores: dict[str, tuple[tuple[float, ...], Status]] = {
        "a.txt": ((0.99, 1.0), "unreviewed"),
        "b.txt": ((0.2, 0.5), "unreviewed"),
        "c.txt": ((0.6, 0.9), "in_progress"),
        "e.txt": ((), "unreviewed"),
        "f.txt": ((0.0, 0.0), "accepted"),
    }
    for name in ["a.txt", "b.txt", "c.txt", "d.txt", "e.txt", "f.txt"]:
        (arts / name).write_text(TEXT, "utf-8")
    for name, (found, status) in scores.items():
        article = read_article(arts, name)
        spans = [(0, 10, "PERSON"), (15, 22, "PERSON")]
        entities = tuple(
            Entity(s, e, label, "model", None, score)
            for (s, e, label), score in zip(spans, found, strict=False)
        )
        if not found:
            entities = (Entity(0, 10, "PERSON", "model"),)
        annotation = store.Annotation(name, article.sha256, status, entities, model="m 1")
        store.save(store.annotation_path(anns, name), annotation, TEXT)
    return Workspace(arts, anns)


def test_uncertainty_is_expected_errors_per_thousand_characters() -> None:
    entities = [
        Entity(0, 10, "PERSON", "model", None, 0.5),
        Entity(15, 22, "PERSON", "model", None, 0.75),
        Entity(26, 33, "GPE", "user"),  # a person's: no doubt counted
    ]
    assert queue.uncertainty(entities, 500) == pytest.approx(1000 * 0.75 / 500)
    assert queue.uncertainty([Entity(0, 10, "PERSON", "model")], 500) is None


def test_orders(tmp_path: Path) -> None:
    workspace = corpus(tmp_path)
    ids, summaries = queue.listing(workspace, "uncertain")
    assert ids == ["b.txt", "c.txt", "a.txt", "d.txt", "e.txt"]  # f is accepted: not listed
    assert summaries["e.txt"].uncertainty is None and summaries["d.txt"].status is None
    assert queue.listing(workspace, "file")[0] == ["a.txt", "b.txt", "c.txt", "d.txt", "e.txt"]
    shuffled = queue.listing(workspace, "random", seed=3)[0]
    assert sorted(shuffled) == queue.listing(workspace, "file")[0]
    assert shuffled == queue.listing(workspace, "random", seed=3)[0]  # the same every time
    every = queue.listing(workspace, "uncertain", statuses=queue.parse_statuses("all"))[0]
    assert every[0] == "f.txt"


def test_the_cli_prints_the_queue(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    corpus(tmp_path)
    where = [
        "--articles",
        str(tmp_path / "articles"),
        "--annotations",
        str(tmp_path / "annotations"),
    ]
    assert main(["queue", "--order", "uncertain", *where]) == 0
    assert capsys.readouterr().out.split() == ["b.txt", "c.txt", "a.txt", "d.txt", "e.txt"]
    assert (
        main(
            ["queue", "--order", "uncertain", "--limit", "2", "--status", "new,unreviewed", *where]
        )
        == 0
    )
    assert capsys.readouterr().out.split() == ["b.txt", "a.txt"]
    assert main(["queue", "--status", "done", *where]) == 2
    assert "unknown status 'done'" in capsys.readouterr().err


def test_the_session_offers_the_queue_in_order(tmp_path: Path) -> None:
    session = Session(corpus(tmp_path))
    session.order = "uncertain"
    assert session.queue == session.ids  # nothing known before the summaries are read
    session.merge_summaries(session.read_summaries())
    assert session.queue[:4] == ["f.txt", "b.txt", "c.txt", "a.txt"]  # every article
    assert session.next_unreviewed(None) == "b.txt"
    assert session.next_unreviewed("b.txt") == "c.txt"
    assert session.next_unreviewed("a.txt", shown=["d.txt"]) == "e.txt"


def test_the_order_given_to_open_is_the_projects_from_then_on(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import argparse

    from tui.commands.queue import chosen_order
    from tui.core import project

    corpus(tmp_path)
    anns = tmp_path / "annotations"
    where = ["--articles", str(tmp_path / "articles"), "--annotations", str(anns)]
    opened = argparse.Namespace(annotations=anns, order="uncertain")
    assert chosen_order(opened, remember=True) == "uncertain"  # what `open --order` does
    assert project.load(anns).order == "uncertain"
    assert "uncertain order from now on" in capsys.readouterr().err
    assert main(["queue", *where]) == 0  # no --order: the project's
    assert capsys.readouterr().out.split()[:2] == ["b.txt", "c.txt"]
    assert main(["queue", "--order", "file", *where]) == 0  # a query changes nothing
    assert project.load(anns).order == "uncertain"
    (anns / project.FILE_NAME).write_text('schema = 1\norder = "sideways"\n')
    assert main(["queue", *where]) == 2
    assert "order is 'sideways'" in capsys.readouterr().err


@given(st.lists(st.text(min_size=1), unique=True, max_size=30), st.integers(0, 5), st.data())
def test_the_random_order_of_a_subset_is_the_wholes_restricted(
    ids: list[str], seed: int, data: st.DataObject
) -> None:
    subset = data.draw(st.lists(st.sampled_from(ids), unique=True) if ids else st.just([]))
    whole = queue.ordered(ids, {}, "random", seed)
    assert sorted(whole) == sorted(ids)
    assert queue.ordered(subset, {}, "random", seed) == [i for i in whole if i in set(subset)]


def test_the_queue_never_lists_an_article_that_cannot_be_annotated(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """stats counts them as unusable and team progress as not left to do: queue agrees."""
    corpus(tmp_path)
    (tmp_path / "articles" / "latin1.txt").write_bytes("Café à Paris.".encode("latin-1"))
    (tmp_path / "articles" / "empty.txt").write_bytes(b"")
    where = [
        "--articles",
        str(tmp_path / "articles"),
        "--annotations",
        str(tmp_path / "annotations"),
    ]
    assert main(["queue", "--status", "new", *where]) == 0
    assert capsys.readouterr().out.split() == ["d.txt"]
    assert main(["queue", "--status", "all", "--limit", "6", *where]) == 0
    assert capsys.readouterr().out.split() == ["a.txt", "b.txt", "c.txt", "d.txt", "e.txt", "f.txt"]

"""Selection by status, the deterministic dev split, and the progress bar of big exports."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from test_export_corpus import Spec, make_corpus

from tui.cli import main
from tui.commands._common import PROGRESS_MIN, progress_bar
from tui.core.article import Article
from tui.core.formats.select import ALL_STATUSES, Item, parse_statuses, split


def test_status_lists() -> None:
    assert parse_statuses("accepted") == {"accepted"}
    assert parse_statuses(" accepted , in_progress ") == {"accepted", "in_progress"}
    assert parse_statuses("all") == ALL_STATUSES
    assert "rejected" not in parse_statuses("all")
    assert parse_statuses("all,rejected") == ALL_STATUSES | {"rejected"}
    with pytest.raises(ValueError, match="unknown status 'done'"):
        parse_statuses("accepted,done")
    with pytest.raises(ValueError):
        parse_statuses(" , ")


def items(n: int) -> list[Item]:
    return [
        Item(Article(f"{i:03}.txt", Path(f"{i:03}.txt"), "x", "0" * 64), "accepted", ())
        for i in range(n)
    ]


def test_split_is_by_article_deterministic_and_seeded() -> None:
    corpus = items(40)
    train, dev = split(corpus, 0.25, seed=1)
    assert len(dev) == 10 and len(train) == 30
    assert {i.id for i in train}.isdisjoint({i.id for i in dev})
    assert split(list(reversed(corpus)), 0.25, seed=1)[1] == sorted(
        dev, key=lambda i: -int(i.id[:3])
    )  # the order of the input does not change who is in dev
    assert {i.id for i in split(corpus, 0.25, seed=2)[1]} != {i.id for i in dev}


def test_split_keeps_both_sides_non_empty_when_it_can() -> None:
    assert [len(p) for p in split(items(2), 0.05, 0)] == [1, 1]
    assert [len(p) for p in split(items(2), 0.95, 0)] == [1, 1]
    assert [len(p) for p in split(items(1), 0.5, 0)] == [1, 0]
    assert [len(p) for p in split(items(5), 0.0, 0)] == [5, 0]
    with pytest.raises(ValueError):
        split(items(3), 1.0, 0)


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_bar_only_on_a_terminal_and_for_big_jobs() -> None:
    tty = Terminal()
    with progress_bar(PROGRESS_MIN, "Writing jsonl", tty) as advance:
        for _ in range(PROGRESS_MIN):
            advance(1)
    assert "Writing jsonl" in tty.getvalue()
    assert f"{PROGRESS_MIN}/{PROGRESS_MIN}" in tty.getvalue()
    plain = io.StringIO()
    with progress_bar(PROGRESS_MIN * 10, "Writing jsonl", plain) as advance:
        advance(1)
    assert plain.getvalue() == ""
    small = Terminal()
    with progress_bar(PROGRESS_MIN - 1, "Writing jsonl", small) as advance:
        advance(1)
    assert small.getvalue() == ""


def test_a_large_export_on_a_terminal_shows_the_bar(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    specs = tuple(
        Spec(f"n{i:03}.txt", f"Report {i} from Paris.", "accepted", (("Paris", "GPE"),))
        for i in range(PROGRESS_MIN + 5)
    )
    make_corpus(tmp_path, specs)
    tty = Terminal()
    monkeypatch.setattr("sys.stderr", tty)
    out = tmp_path / "big.jsonl"
    code = main(
        [
            "export",
            "--articles",
            str(tmp_path / "articles"),
            "--annotations",
            str(tmp_path / "annotations"),
            "--format",
            "jsonl",
            "--out",
            str(out),
        ]
    )
    assert code == 0
    assert "Writing jsonl" in tty.getvalue() and "Reading annotations" in tty.getvalue()
    assert len(out.read_text("utf-8").splitlines()) == len(specs)
    assert f"Exported {len(specs)} article(s)" in capsys.readouterr().out


def test_collect_parses_each_file_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A file is read for its status and then loaded from the same parse: a long article's
    TOML took 30 s to select because it was parsed twice."""
    from test_export_corpus import SPECS, make_corpus

    from tui.core import store
    from tui.core.formats.select import collect, parse_statuses

    make_corpus(tmp_path)
    parsed: list[Path] = []
    real = store.parse

    def parse(data: str, path: Path) -> Any:
        parsed.append(path)
        return real(data, path)

    monkeypatch.setattr(store, "parse", parse)
    selection = collect(tmp_path / "articles", tmp_path / "annotations", parse_statuses("all"))
    assert selection.items and not selection.problems
    assert len(parsed) == len(set(parsed)) == len(SPECS)  # each file once

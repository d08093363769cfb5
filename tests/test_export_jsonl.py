"""``export --format jsonl`` (Prodigy) and ``doccano``, read by a plain json loop and tomllib."""

from __future__ import annotations

import json
import tomllib
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from test_export_corpus import SPECS, make_corpus, run_export, selected

from tui.core.article import sha256_bytes


def export(root: Path, fmt: str, out: Path, *args: str) -> int:
    return run_export(root, fmt, out, *args)


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    records = []
    with path.open(encoding="utf-8") as f:
        for line in f:
            records.append(json.loads(line))
    return records


def toml_of(root: Path, article: str) -> dict[str, Any]:
    path = root / "annotations" / (article[: -len(".txt")] + ".toml")
    return tomllib.loads(path.read_text("utf-8"))


ANSWER = {"accepted": "accept", "rejected": "reject"}


def test_prodigy_tasks_match_the_toml_field_by_field(tmp_path: Path) -> None:
    make_corpus(tmp_path)
    out = tmp_path / "tasks.jsonl"
    assert export(tmp_path, "jsonl", out, "--status", "all") == 0
    records = read_jsonl(out)
    specs = selected(SPECS, {"accepted", "in_progress", "skipped", "unreviewed"})
    assert [r["meta"]["article"] for r in records] == [s.article for s in specs]
    for record in records:
        toml = toml_of(tmp_path, record["meta"]["article"])
        raw = (tmp_path / "articles" / toml["article"]).read_bytes()
        assert record["meta"]["sha256"] == toml["sha256"] == sha256_bytes(raw)
        text = record["text"]
        assert raw.decode("utf-8-sig") == text  # exact characters, CRLF and BOM rules kept
        assert record["answer"] == ANSWER.get(toml["status"], "ignore")
        assert record["meta"]["status"] == toml["status"]
        # Tokens tile the text: each at its offsets, whitespace flag right.
        tokens = record["tokens"]
        assert [t["id"] for t in tokens] == list(range(len(tokens)))
        rebuilt = "".join(t["text"] + (" " if t["ws"] else "") for t in tokens)
        assert rebuilt == text
        for t in tokens:
            assert text[t["start"] : t["end"]] == t["text"]
        # Spans equal the TOML entities, with inclusive token indices on exact edges.
        assert len(record["spans"]) == len(toml["entities"])
        for span, entity in zip(record["spans"], toml["entities"], strict=True):
            assert (span["start"], span["end"], span["label"]) == (
                entity["start"],
                entity["end"],
                entity["label"],
            )
            assert text[span["start"] : span["end"]] == entity["text"]
            assert tokens[span["token_start"]]["start"] == span["start"]
            assert tokens[span["token_end"]]["end"] == span["end"]


def test_shafaq_news_is_its_own_tokens_in_the_task(tmp_path: Path) -> None:
    make_corpus(tmp_path)
    out = tmp_path / "tasks.jsonl"
    assert export(tmp_path, "jsonl", out) == 0
    shafaq = next(r for r in read_jsonl(out) if r["text"].startswith("Shafaq"))
    first = shafaq["spans"][0]
    words = [t["text"] for t in shafaq["tokens"][first["token_start"] : first["token_end"] + 1]]
    assert words == ["Shafaq", "News"]
    assert shafaq["tokens"][first["token_end"] + 1]["text"] == "/"


def test_doccano_lines_match_the_toml(tmp_path: Path) -> None:
    make_corpus(tmp_path)
    out = tmp_path / "doccano.jsonl"
    assert export(tmp_path, "doccano", out) == 0
    records = read_jsonl(out)
    assert len(records) == len(selected(SPECS, {"accepted"}))
    for record in records:
        toml = toml_of(tmp_path, record["meta"]["article"])
        assert set(record) == {"text", "label", "meta"}
        assert record["label"] == [[e["start"], e["end"], e["label"]] for e in toml["entities"]]
        for start, end, _ in record["label"]:
            assert record["text"][start:end] in {e["text"] for e in toml["entities"]}


def test_split_writes_train_and_dev_files_deterministically(tmp_path: Path) -> None:
    make_corpus(tmp_path)
    assert export(tmp_path, "jsonl", tmp_path / "one", "--split", "0.5", "--seed", "7") == 0
    assert export(tmp_path, "jsonl", tmp_path / "two", "--split", "0.5", "--seed", "7") == 0
    for part in ("train", "dev"):
        a = (tmp_path / "one" / f"{part}.jsonl").read_bytes()
        assert a == (tmp_path / "two" / f"{part}.jsonl").read_bytes()
    train = read_jsonl(tmp_path / "one" / "train.jsonl")
    dev = read_jsonl(tmp_path / "one" / "dev.jsonl")
    assert len(train) == len(dev) == 2
    articles = {r["meta"]["article"] for r in train} | {r["meta"]["article"] for r in dev}
    assert articles == {s.article for s in selected(SPECS, {"accepted"})}


def test_a_broken_toml_and_a_missing_article_are_reported_and_skipped(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    make_corpus(tmp_path)
    broken = tmp_path / "annotations" / "h_none.toml"
    broken.write_text("schema = 1\nstatus = [", encoding="utf-8")
    (tmp_path / "articles" / "g_skipped.txt").unlink()
    out = tmp_path / "tasks.jsonl"
    assert export(tmp_path, "jsonl", out, "--status", "all") == 1
    err = capsys.readouterr().err
    assert str(broken) in err and "is not valid TOML" in err
    assert "g_skipped.toml" in err and "no longer exists" in err
    exported = {r["meta"]["article"] for r in read_jsonl(out)}
    assert exported == {"a_shafaq.txt", "b_intl.txt", "c_lines.txt", "d_progress.txt"} | {
        "sub/f_nested.txt"
    }


def test_unanchored_spans_are_not_exported(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    make_corpus(tmp_path)
    article = tmp_path / "articles" / "sub" / "f_nested.txt"
    # The article changed on disk: "Brussels" is gone, the other entity moves.
    article.write_text("Yesterday, The European Union met in Strasbourg.", encoding="utf-8")
    out = tmp_path / "tasks.jsonl"
    assert export(tmp_path, "jsonl", out) == 0
    assert "1 unanchored span(s) not exported" in capsys.readouterr().err
    nested = next(r for r in read_jsonl(out) if r["meta"]["article"] == "sub/f_nested.txt")
    assert [(s["start"], s["end"], s["label"]) for s in nested["spans"]] == [(11, 29, "ORG")]


def test_bad_status_is_a_usage_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    make_corpus(tmp_path)
    assert export(tmp_path, "jsonl", tmp_path / "x.jsonl", "--status", "acepted") == 2
    assert "unknown status 'acepted'" in capsys.readouterr().err


def test_a_task_written_a_piece_at_a_time_is_the_same_line(tmp_path: Path) -> None:
    """Streamed, a task's line is the characters ``json.dumps`` gives for the whole task, for
    every seed article and for one cut in pieces (with its excluded text as a gap)."""
    from collections import Counter

    from tui.core.formats import prodigy
    from tui.core.formats.base import jsonl_line
    from tui.core.formats.conll import pipeline
    from tui.core.formats.excluded import parts, with_offset
    from tui.core.formats.select import collect, parse_statuses

    make_corpus(tmp_path)
    nlp = pipeline()
    items = collect(tmp_path / "articles", tmp_path / "annotations", parse_statuses("all")).items
    long = items[0]
    text = (long.text + "\n\n") * 400  # over PIECE_CHARS: tokenized in pieces
    entities = tuple(
        type(e)(e.start + k * (len(long.text) + 2), e.end + k * (len(long.text) + 2), e.label)
        for k in range(400)
        for e in long.entities
    )
    article = type(long.article)(long.article.id, long.article.path, text, long.article.sha256)
    cut = replace(long, article=article, entities=entities, excluded=((3, 9),))
    for item in [*items, cut]:
        for part in parts(item):
            labels: Counter[str] = Counter()
            streamed = "".join(prodigy.task_line(nlp, part, labels))
            assert len(part.item.text) < 20_000 or len(streamed) > 100_000
            assert streamed == jsonl_line(with_offset(prodigy.task(nlp, part.item), part))
            assert labels == Counter(e.label for e in part.item.entities)

"""Prodigy's own output, recipe by recipe: every line it writes is read, and only gold is kept.

The fixtures in tests/data/formats/ are written in Prodigy's documented task format with
every field its NER recipes store (hashes, view id, timestamps, annotator and session,
tokens with ``ws``, spans with and without token indices, model-named sources).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from test_import import run_import

from tui.core import store
from tui.core.article import read_article
from tui.core.spans import Entity
from tui.core.store import Annotation

DATA = Path(__file__).parent / "data" / "formats"


def run(root: Path, file: Path, *args: str) -> int:
    return run_import(root, file, "jsonl", *args)


def loaded(root: Path) -> dict[str, Annotation]:
    """Every imported annotation by its article's text."""
    found = {}
    for path in store.iter_files(root / "annotations"):
        article_id = store.article_id_for(root / "annotations", path)
        article = read_article(root / "articles", article_id)
        found[article.text] = store.load(path, article).annotation
    return found


def spans(annotation: Annotation, text: str) -> list[tuple[str, str, str, str | None]]:
    return [(e.text(text), e.label, e.source, e.origin) for e in annotation.entities]


def test_ner_manual_every_field_and_spans_with_or_without_token_indices(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(tmp_path, DATA / "prodigy_ner_manual.jsonl") == 0
    err = capsys.readouterr().err
    assert "1 record(s) skipped: answer ignore" in err
    found = loaded(tmp_path)
    assert len(found) == 3
    t1 = "Maria Lopez joined Northwind Bank in Lisbon on Tuesday."
    assert found[t1].status == "accepted"
    assert found[t1].annotator == "news_ner-ana"
    assert spans(found[t1], t1) == [
        ("Maria Lopez", "PERSON", "user", None),
        ("Northwind Bank", "ORG", "user", None),
        ("Lisbon", "GPE", "user", None),
    ]
    t2 = "The council of Tromsø met Greenpeace activists."
    assert [s[0] for s in spans(found[t2], t2)] == ["Tromsø", "Greenpeace"]
    t3 = "Kofi Mensah flew from Accra to Geneva."  # first span has token indices only
    assert [s[0] for s in spans(found[t3], t3)] == ["Kofi Mensah", "Accra", "Geneva"]


def test_ner_correct_model_named_sources_become_origins_of_a_persons_spans(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(tmp_path, DATA / "prodigy_ner_correct.jsonl") == 0
    assert "1 record(s) skipped: answer reject (not gold)" in capsys.readouterr().err
    text = "Shares of Contoso fell 4% in Frankfurt."
    (only,) = loaded(tmp_path).values()
    assert spans(only, text) == [
        ("Contoso", "ORG", "user", "en_core_web_sm"),
        ("4%", "PERCENT", "user", "./my-model"),
        ("Frankfurt", "GPE", "user", None),
    ]
    toml = next(store.iter_files(tmp_path / "annotations")).read_text("utf-8")
    assert 'origin = "./my-model"' in toml


def test_ner_teach_binary_answers_are_reported_not_imported(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(tmp_path, DATA / "prodigy_ner_teach.jsonl") == 0
    captured = capsys.readouterr()
    assert "2 record(s) skipped: a binary ner.teach answer (accept) about one span" in captured.err
    assert "1 record(s) skipped: a binary ner.teach answer (reject) about one span" in captured.err
    assert "Imported 0 article(s)" in captured.out
    assert not list(store.iter_files(tmp_path / "annotations"))


def test_ner_make_gold_old_style_sources(tmp_path: Path) -> None:
    assert run(tmp_path, DATA / "prodigy_ner_make_gold.jsonl") == 0
    text = "The council of Tromsø met Greenpeace activists."
    (only,) = loaded(tmp_path).values()
    assert only.status == "accepted"
    assert spans(only, text) == [
        ("Tromsø", "GPE", "user", "core_web_sm"),
        ("Greenpeace", "ORG", "user", "core_web_sm"),
    ]


def test_the_same_text_annotated_differently_is_a_conflict_never_merged(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    file = DATA / "prodigy_conflicts.jsonl"
    assert run(tmp_path, file) == 1
    captured = capsys.readouterr()
    assert f"{file}:1; {file}:2: the same text" in captured.err
    assert "by news-alex, news-sam; none imported" in captured.err
    assert "1 repeated" in captured.out and "1 conflict(s)" in captured.out
    (only,) = loaded(tmp_path)  # the two identical annotations of the other text: one file
    assert only.startswith("Shares of Contoso")


def test_each_annotators_records_go_to_their_own_folder(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    file = DATA / "prodigy_conflicts.jsonl"
    for name in ("news-alex", "news-sam"):
        root = tmp_path / name
        assert run(root, file, "--from-annotator", name) == 0
        found = loaded(root)
        assert len(found) == 2 and {a.annotator for a in found.values()} == {name}
    assert "2 record(s) skipped: not made by news-sam" in capsys.readouterr().err
    text = "Maria Lopez joined Northwind Bank in Lisbon on Tuesday."
    alex, sam = loaded(tmp_path / "news-alex")[text], loaded(tmp_path / "news-sam")[text]
    assert [e.label for e in alex.entities] == ["PERSON", "GPE"]
    assert [e.label for e in sam.entities] == ["PERSON", "LOC"]


def test_every_fixture_line_is_read_without_a_refusal(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for n, file in enumerate(sorted(DATA.glob("prodigy_*.jsonl"))):
        run(tmp_path / str(n), file)
        assert "refused" not in capsys.readouterr().out.replace(" 0 refused", "")


def test_a_malformed_span_names_line_and_field_and_the_rest_import(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    lines = (DATA / "prodigy_ner_manual.jsonl").read_text("utf-8").splitlines()
    bad = json.loads(lines[1])
    bad["spans"][1]["start"] = "16"
    bad2 = json.loads(lines[2])
    bad2["spans"][1]["text"] = "Akra"
    file = tmp_path / "in.jsonl"
    file.write_text("\n".join([lines[0], json.dumps(bad), json.dumps(bad2)]) + "\n", "utf-8")
    assert run(tmp_path, file) == 1
    err = capsys.readouterr().err
    assert f'{file}:2: spans[1].start should be an integer, found "16"' in err
    assert f"{file}:3: spans[1]: text is 'Akra' but the text has 'Accra'" in err
    assert len(loaded(tmp_path)) == 1


def test_newsmark_own_export_keeps_sources_origins_and_statuses(tmp_path: Path) -> None:
    text = "Ada Lovelace met Charles Babbage in London."
    line = {
        "text": text,
        "spans": [
            {"start": 0, "end": 12, "label": "PERSON", "source": "user", "origin": "patterns"},
            {"start": 36, "end": 42, "label": "GPE", "source": "model", "score": 0.43},
        ],
        "answer": "ignore",
        "meta": {"article": "a.txt", "status": "in_progress", "sha256": "0" * 64},
    }
    file = tmp_path / "own.jsonl"
    file.write_text(json.dumps(line) + "\n", "utf-8")
    assert run(tmp_path / "ws", file) == 0
    (only,) = loaded(tmp_path / "ws").values()
    assert only.status == "in_progress"  # not Prodigy's "ignore": newsmark's own line
    assert only.entities == (
        Entity(0, 12, "PERSON", "user", "patterns"),
        Entity(36, 42, "GPE", "model", None, 0.43),  # Prodigy's span score, kept
    )

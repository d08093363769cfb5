"""``newsmark import``: Prodigy and doccano JSONL back into articles and TOML, line by line."""

from __future__ import annotations

import json
import re
import tempfile
import tomllib
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_export_corpus import SPECS, make_corpus

from tui.cli import main
from tui.core import store
from tui.core.article import read_article, sha256_bytes
from tui.core.edits import STATUSES, Status
from tui.core.formats import jsonl_line, lines, prodigy
from tui.core.formats.select import collect, parse_statuses
from tui.core.spans import Entity, trim
from tui.core.store import Annotation

UPDATED = re.compile(r"^updated = .*\n", re.MULTILINE)


def run(root: Path, file: Path, *args: str) -> int:
    return main(
        [
            "import",
            str(file),
            "--articles",
            str(root / "articles"),
            "--annotations",
            str(root / "annotations"),
            *args,
        ]
    )


def run_import(root: Path, file: Path, fmt: str, *args: str) -> int:
    return run(root, file, "--format", fmt, *args)


def tomls(root: Path) -> dict[str, str]:
    folder = root / "annotations"
    return {
        p.relative_to(folder).as_posix(): UPDATED.sub("", p.read_text("utf-8"))
        for p in store.iter_files(folder)
    }


def write_lines(path: Path, records: list[Any]) -> Path:
    path.write_text(
        "".join(r if isinstance(r, str) else json.dumps(r) + "\n" for r in records), "utf-8"
    )
    return path


def test_export_then_import_into_an_empty_folder_gives_the_same_tomls(tmp_path: Path) -> None:
    make_corpus(tmp_path / "a")
    tasks = tmp_path / "tasks.jsonl"
    export = [
        "export",
        "--articles",
        str(tmp_path / "a" / "articles"),
        "--annotations",
        str(tmp_path / "a" / "annotations"),
    ]
    assert (
        main([*export, "--format", "jsonl", "--out", str(tasks), "--status", "all,rejected"]) == 0
    )
    assert run(tmp_path / "b", tasks, "--format", "jsonl") == 0
    assert tomls(tmp_path / "b") == tomls(tmp_path / "a")
    for spec in SPECS:  # the texts are byte for byte the same, BOM included
        a = (tmp_path / "a" / "articles" / spec.article).read_bytes()
        assert (tmp_path / "b" / "articles" / spec.article).read_bytes() == a
    assert not (tmp_path / "b" / "articles" / "h_none.txt").exists()


# -- the round trip as a property --------------------------------------------------------

ALPHABET = st.sampled_from(
    list("abcXYZ019 .,/-’\"'")
    + ["\n", "\r\n", "\t", "  ", "\u00a0"]
    + ["é", "e\u0301", "n\u0303", "東", "京", "タ", "👍", "🏽", "🇫🇷", "Ω", "ß", "İ"]
)


@st.composite
def articles(draw: st.DrawFn) -> tuple[str, list[Entity], Status]:
    text = "".join(draw(st.lists(ALPHABET, min_size=1, max_size=60)))
    if not text.strip():
        text += "x"
    cuts = draw(st.lists(st.integers(0, len(text)), max_size=12))
    labels = st.sampled_from(["ORG", "GPE", "PERSON", "WORK OF ART"])
    entities: list[Entity] = []
    for a, b in zip(cuts[::2], cuts[1::2], strict=False):
        bounds = trim(text, min(a, b), max(a, b))
        if bounds is None or any(e.overlaps(*bounds) for e in entities):
            continue
        source = draw(st.sampled_from(["user", "model"]))
        entities.append(Entity(bounds[0], bounds[1], draw(labels), source))
    return text, sorted(entities), draw(st.sampled_from(STATUSES))


@cache
def blank() -> Any:
    import spacy

    return spacy.blank("en")


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(article=articles(), annotator=st.none() | st.just("kim"))
def test_round_trip_property(
    article: tuple[str, list[Entity], Status], annotator: str | None
) -> None:
    text, entities, status = article
    with tempfile.TemporaryDirectory() as tmp:
        a, b = Path(tmp) / "a", Path(tmp) / "b"
        (a / "articles").mkdir(parents=True)
        (a / "articles" / "doc.txt").write_bytes(text.encode("utf-8"))
        art = read_article(a / "articles", "doc.txt")
        annotation = Annotation(
            "doc.txt", art.sha256, status, tuple(entities), "m 1.0", annotator, store.now()
        )
        store.save(store.annotation_path(a / "annotations", "doc.txt"), annotation, text)
        selection = collect(a / "articles", a / "annotations", parse_statuses("all,rejected"))
        assert not selection.problems
        tasks = Path(tmp) / "tasks.jsonl"
        tasks.write_text(
            "".join(jsonl_line(t) for t in prodigy.tasks(blank(), selection.items)), "utf-8"
        )
        assert run(b, tasks, "--format", "jsonl") == 0
        assert tomls(b) == tomls(a)
        assert (b / "articles" / "doc.txt").read_bytes() == text.encode("utf-8")


# -- line by line ------------------------------------------------------------------------


def test_bad_lines_are_reported_with_their_number_and_the_rest_go_on(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    good = {"text": "Paris is big.", "spans": [{"start": 0, "end": 5, "label": "GPE"}]}
    file = write_lines(
        tmp_path / "in.jsonl",
        [
            good,
            "{not json\n",
            {"text": "Rome and Milan", "spans": [{"start": 0, "end": 40, "label": "GPE"}]},
            {
                "text": "New York City",
                "spans": [
                    {"start": 0, "end": 8, "label": "GPE"},
                    {"start": 4, "end": 13, "label": "GPE"},
                ],
            },
            {"text": "a   b", "spans": [{"start": 1, "end": 4, "label": "X"}]},
            {"text": "Oslo", "answer": "maybe"},
            "\n",
            {"text": " Berlin ", "spans": [{"start": 0, "end": 8, "label": "GPE"}]},
            {"text": "Lyon", "label": [[0, 4, "GPE"]]},
        ],
    )
    assert run(tmp_path, file, "--format", "jsonl") == 1
    err = capsys.readouterr().err
    assert f"{file}:2: is not valid JSON" in err
    assert f"{file}:3: spans[0]: span 0..40 is outside the text (0..14)" in err
    assert f"{file}:4: span 4..13 overlaps 0..8" in err
    assert f"{file}:5: spans[0]: span 1..4 holds only whitespace" in err
    assert f"{file}:6: answer 'maybe'" in err
    assert f"{file}:8: trimmed whitespace from the edges of 1 span(s)" in err
    assert f"{file}:9: " in err and "--format doccano" in err
    assert ":1:" not in err and ":7:" not in err
    imported = {p.read_text("utf-8") for p in (tmp_path / "articles").rglob("*.txt")}
    assert imported == {"Paris is big.", " Berlin "}
    berlin = next(
        p for p in store.iter_files(tmp_path / "annotations") if "Berlin" in p.read_text("utf-8")
    )
    assert 'start = 1\nend = 7\nlabel = "GPE"\ntext = "Berlin"' in berlin.read_text("utf-8")


def test_prodigy_answers_decide_what_is_gold_and_spans_become_a_persons(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    records: list[dict[str, Any]] = [
        {"text": f"Text number {i} about Paris.", "answer": answer, "meta": {"article": name}}
        for i, (answer, name) in enumerate(
            [("accept", "a.txt"), ("reject", "b.txt"), ("ignore", "c.txt"), (None, "d.txt")]
        )
    ]
    for r in records:
        r["spans"] = [{"start": 21, "end": 26, "label": "GPE", "token_start": 4, "token_end": 4}]
    assert run(tmp_path, write_lines(tmp_path / "in.jsonl", records), "--format", "jsonl") == 0
    got = {}
    for name in ("a.txt", "d.txt"):
        path = store.annotation_path(tmp_path / "annotations", name)
        ann = store.load(path, read_article(tmp_path / "articles", name)).annotation
        assert ann.entities == (Entity(21, 26, "GPE", "user"),)
        got[name] = ann.status
    assert got == {"a.txt": "accepted", "d.txt": "in_progress"}
    assert not (tmp_path / "articles" / "b.txt").exists()
    assert not (tmp_path / "articles" / "c.txt").exists()
    err = capsys.readouterr().err
    assert "1 record(s) skipped: answer reject (not gold)" in err
    assert "1 record(s) skipped: answer ignore" in err


def test_meta_status_only_refines_a_matching_answer(tmp_path: Path) -> None:
    record = {"text": "Paris.", "answer": "accept", "meta": {"status": "in_progress"}}
    assert lines.status_from(record) == "accepted"  # edited in Prodigy: the answer wins
    assert lines.status_from({**record, "answer": "ignore"}) == "in_progress"


def test_doccano_gets_a_stable_name_and_the_given_status(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = "Lyon and Nice."
    file = write_lines(
        tmp_path / "doccano.jsonl",
        [
            {"text": text, "label": [[0, 4, "GPE"], [9, 13, "GPE"]]},
            {
                "text": "Marseille.",
                "entities": [{"id": 1, "label": "GPE", "start_offset": 0, "end_offset": 9}],
            },
        ],
    )
    assert run(tmp_path, file, "--format", "doccano") == 0
    name = f"imported/{sha256_bytes(text.encode())[:16]}.txt"
    ann = store.load(
        store.annotation_path(tmp_path / "annotations", name),
        read_article(tmp_path / "articles", name),
    ).annotation
    assert ann.status == "in_progress"
    assert [e.text(text) for e in ann.entities] == ["Lyon", "Nice"]
    assert len(list(store.iter_files(tmp_path / "annotations"))) == 2
    # Importing the same file again changes nothing and is not an error.
    assert run(tmp_path, file, "--format", "doccano") == 0
    assert "2 already identical" in capsys.readouterr().out
    # A different status is a different TOML: refused without --force, written with it.
    assert run(tmp_path, file, "--format", "doccano", "--status", "accepted") == 1
    assert "pass --force" in capsys.readouterr().err
    assert run(tmp_path, file, "--format", "doccano", "--status", "accepted", "--force") == 0
    path = store.annotation_path(tmp_path / "annotations", name)
    assert 'status = "accepted"' in path.read_text("utf-8")


def test_existing_article_with_other_text_is_never_overwritten(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "articles").mkdir()
    (tmp_path / "articles" / "a.txt").write_text("Original text.", "utf-8")
    file = write_lines(
        tmp_path / "in.jsonl", [{"text": "Other text.", "meta": {"article": "a.txt"}}]
    )
    assert run(tmp_path, file, "--format", "jsonl", "--force") == 1
    assert "already exists with other text; not overwritten" in capsys.readouterr().err
    assert (tmp_path / "articles" / "a.txt").read_text("utf-8") == "Original text."
    assert not list(store.iter_files(tmp_path / "annotations"))


def test_an_existing_toml_is_kept_without_force(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    make_corpus(tmp_path)
    path = store.annotation_path(tmp_path / "annotations", "a_shafaq.txt")
    before = path.read_bytes()
    file = write_lines(
        tmp_path / "in.jsonl",
        [{"text": SPECS[0].text, "answer": "accept", "meta": {"article": "a_shafaq.txt"}}],
    )
    assert run(tmp_path, file, "--format", "jsonl") == 1
    assert f"{path} already exists; pass --force" in capsys.readouterr().err
    assert path.read_bytes() == before


def test_unsafe_article_names_are_stored_under_imported(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    file = write_lines(
        tmp_path / "in.jsonl", [{"text": "Escape.", "meta": {"article": "../../evil.txt"}}]
    )
    assert run(tmp_path / "ws", file, "--format", "jsonl") == 0
    assert "stored under imported/" in capsys.readouterr().err
    assert not (tmp_path / "evil.txt").exists()
    assert [p.parent.name for p in (tmp_path / "ws" / "articles").rglob("*.txt")] == ["imported"]


def test_missing_file_is_a_usage_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(tmp_path, tmp_path / "nope.jsonl", "--format", "jsonl") == 2
    assert "nope.jsonl cannot be read" in capsys.readouterr().err


def test_spans_from_other_tools_keep_their_source_as_origin(tmp_path: Path) -> None:
    file = write_lines(
        tmp_path / "in.jsonl",
        [
            {"text": "Paris is big.", "spans": [{"start": 0, "end": 5, "label": "GPE"}]},
            {
                "text": "Rome is old.",
                "spans": [{"start": 0, "end": 4, "label": "GPE", "source": "./my-model"}],
            },
        ],
    )
    assert run(tmp_path / "b", file, "--format", "jsonl") == 0
    rows = {}
    for toml in (tmp_path / "b" / "annotations").rglob("*.toml"):
        (row,) = tomllib.loads(toml.read_text("utf-8"))["entities"]
        rows[row["text"]] = row
    assert rows["Paris"]["source"] == "user" and "origin" not in rows["Paris"]
    # Nobody answered the task: the span is still the model's suggestion.
    assert rows["Rome"]["source"] == "model" and rows["Rome"]["origin"] == "./my-model"


def test_prodigy_meta_is_kept_in_the_toml_and_written_back_on_export(tmp_path: Path) -> None:
    meta = {
        "article": "a.txt",
        "section": "economy",
        "source": "newswire",
        "id": 17,
        "score": 0.5,
        "pinned": True,
        "tags": ["oil", "iraq"],
        "feed": {"name": "wire", "rank": 2, "gone": None},
        "title": 2024,
        "odd key": "kept",
        "nothing": None,
    }
    record = {
        "text": "Oil exports from Basra rose.",
        "answer": "accept",
        "meta": meta,
        "spans": [{"start": 17, "end": 22, "label": "GPE"}],
    }
    assert run(tmp_path, write_lines(tmp_path / "in.jsonl", [record]), "--format", "jsonl") == 0
    path = store.annotation_path(tmp_path / "annotations", "a.txt")
    saved = store.load(path, read_article(tmp_path / "articles", "a.txt")).annotation
    want = {k: v for k, v in meta.items() if k not in ("article", "nothing")}
    want["feed"] = {"name": "wire", "rank": 2}
    want["title"] = "2024"  # a known key holds a string
    assert dict(saved.meta) == want
    out = tmp_path / "out.jsonl"
    folders = ["--articles", str(tmp_path / "articles")]
    folders += ["--annotations", str(tmp_path / "annotations")]
    assert main(["export", "--format", "jsonl", "--out", str(out), *folders]) == 0
    (task,) = [json.loads(line) for line in out.read_text("utf-8").splitlines()]
    assert {k: task["meta"][k] for k in want} == want
    assert task["meta"]["article"] == "a.txt" and task["meta"]["status"] == "accepted"

"""Label Studio JSON: a project's export read in, and our export read back exactly."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_export_corpus import make_corpus, run_export
from test_formats_prodigy import loaded
from test_import import articles, run_import, tomls

from tui.core import store
from tui.core.article import read_article
from tui.core.edits import Status
from tui.core.formats import labelstudio
from tui.core.formats.select import collect, parse_statuses
from tui.core.spans import Entity
from tui.core.store import Annotation

DATA = Path(__file__).parent / "data" / "formats"


def run(root: Path, file: Path, *args: str) -> int:
    return run_import(root, file, "labelstudio", *args)


def test_a_projects_export(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    file = DATA / "labelstudio_export.json"
    assert run(tmp_path, file, "--labels", "PER=PERSON,LOC=GPE") == 1
    captured = capsys.readouterr()
    err = captured.err
    assert f"{file}: task 5 (id 105): annotations[0].result[0].value.labels has 2 labels" in err
    assert f"{file}: task 2 (id 102): the same text" in err
    assert "by ana@example.org, sam@example.org; none imported" in err
    assert "1 record(s) skipped: cancelled in Label Studio (not gold)" in err
    assert f"{file}: task 1 (id 101): 2 region(s) that are not entity labels" in err
    found = loaded(tmp_path)
    t1 = "Maria Lopez joined Northwind Bank in Lisbon on Tuesday."
    assert found[t1].status == "accepted" and found[t1].annotator == "1"
    assert [(e.text(t1), e.label, e.source) for e in found[t1].entities] == [
        ("Maria Lopez", "PERSON", "user"),
        ("Northwind Bank", "ORG", "user"),
        ("Lisbon", "GPE", "user"),
    ]
    t4 = "Shares of Contoso fell 4% in Frankfurt."
    assert found[t4].status == "in_progress"
    assert found[t4].entities == (
        Entity(10, 17, "ORG", "model", "ner-v2"),
        Entity(29, 38, "GPE", "model", "ner-v2"),
    )
    assert found["Nothing to see here, just weather."].status == "unreviewed"
    assert len(found) == 3


def test_export_writes_tasks_label_studio_reads(tmp_path: Path) -> None:
    make_corpus(tmp_path)
    out = tmp_path / "tasks.json"
    assert run_export(tmp_path, "labelstudio", out, "--status", "all,rejected") == 0
    tasks = json.loads(out.read_text("utf-8"))
    for task in tasks:
        text = task["data"]["text"]
        for group in task["annotations"] + task["predictions"]:
            for region in group["result"]:
                assert region["type"] == "labels"
                assert (region["from_name"], region["to_name"]) == ("label", "text")
                value = region["value"]
                assert text[value["start"] : value["end"]] == value["text"]
    statuses = {t["data"]["meta"]["article"]: t for t in tasks}
    assert statuses["e_rejected.txt"]["annotations"][0]["was_cancelled"] is True
    assert statuses["a_shafaq.txt"]["annotations"][0]["was_cancelled"] is False


def test_export_then_import_gives_the_same_tomls(tmp_path: Path) -> None:
    make_corpus(tmp_path / "a")
    out = tmp_path / "tasks.json"
    assert run_export(tmp_path / "a", "labelstudio", out, "--status", "all,rejected") == 0
    assert run(tmp_path / "b", out) == 0
    assert tomls(tmp_path / "b") == tomls(tmp_path / "a")


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    article=articles(),
    origins=st.lists(st.none() | st.sampled_from(["m1", "./x"])),
    scores=st.lists(st.none() | st.floats(0, 1).map(lambda x: round(x, 3))),
)
def test_round_trip_property(
    article: tuple[str, list[Entity], Status],
    origins: list[str | None],
    scores: list[float | None],
) -> None:
    """Sources, origins and the model's scores (Label Studio's region ``score``) come back."""
    text, entities, status = article
    entities = [
        Entity(
            e.start,
            e.end,
            e.label,
            e.source,
            origins[i] if i < len(origins) else None,
            scores[i] if i < len(scores) and e.source == "model" else None,
        )
        for i, e in enumerate(entities)
    ]
    with tempfile.TemporaryDirectory() as tmp:
        a, b = Path(tmp) / "a", Path(tmp) / "b"
        (a / "articles").mkdir(parents=True)
        (a / "articles" / "doc.txt").write_bytes(text.encode("utf-8"))
        art = read_article(a / "articles", "doc.txt")
        annotation = Annotation(
            "doc.txt", art.sha256, status, tuple(entities), "m 1.0", "kim", store.now()
        )
        store.save(store.annotation_path(a / "annotations", "doc.txt"), annotation, text)
        selection = collect(a / "articles", a / "annotations", parse_statuses("all,rejected"))
        tasks = [labelstudio.task(item, n) for n, item in enumerate(selection.items, 1)]
        file = Path(tmp) / "tasks.json"
        file.write_text(json.dumps(tasks, ensure_ascii=False), "utf-8")
        assert run(b, file) == 0
        assert tomls(b) == tomls(a)


def test_json_min_export(tmp_path: Path) -> None:
    text = "Kofi Mensah flew to Geneva."
    tasks = [
        {
            "id": 7,
            "text": text,
            "label": [
                {"start": 0, "end": 11, "text": "Kofi Mensah", "labels": ["PER"]},
                {"start": 20, "end": 26, "text": "Geneva", "labels": ["LOC"]},
            ],
            "sentiment": "Neutral",
            "annotator": 3,
            "annotation_id": 12,
            "created_at": "2026-11-20T10:00:00.000000Z",
            "updated_at": "2026-11-20T10:00:00.000000Z",
            "lead_time": 4.2,
        }
    ]
    file = tmp_path / "min.json"
    file.write_text(json.dumps(tasks), "utf-8")
    assert run(tmp_path / "ws", file) == 0
    (annotation,) = loaded(tmp_path / "ws").values()
    assert annotation.status == "accepted" and annotation.annotator == "3"
    assert [(e.text(text), e.label) for e in annotation.entities] == [
        ("Kofi Mensah", "PER"),
        ("Geneva", "LOC"),
    ]


def test_the_file_is_what_json_dumps_writes_with_indent_1(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Written a task at a time (no string of the whole file: a book's tasks took 525 MB),
    the file is still exactly ``json.dumps(tasks, indent=1)``; with nothing to write, ``[]``."""
    make_corpus(tmp_path)
    out = tmp_path / "tasks.json"
    longest = [0]
    real = json.dumps

    def dumps(value: object, **kw: Any) -> str:
        text = real(value, **kw)
        longest[0] = max(longest[0], len(text))
        return text

    monkeypatch.setattr(json, "dumps", dumps)
    assert run_export(tmp_path, "labelstudio", out, "--status", "all") == 0
    monkeypatch.undo()
    data = out.read_text("utf-8")
    assert longest[0] < len(data) / 2
    tasks = json.loads(data)
    assert len(tasks) > 3
    assert data == json.dumps(tasks, ensure_ascii=False, indent=1) + "\n"
    from tui.core.formats.base import ExportPlan

    empty = ExportPlan.make((), tmp_path / "none.json", frozenset({"accepted"}), dev_fraction=0)
    labelstudio.LabelStudio().write(empty)
    assert (tmp_path / "none.json").read_text("utf-8") == "[]\n"

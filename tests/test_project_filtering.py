"""The project's label set at each entry point: the reader's session, suggest, the memory,
import and export (evaluate and train are in their own test files)."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

import pytest

from tests.conftest import SEED_IDS, make_ruler_pipeline
from tui.cli import main
from tui.core import ner, project
from tui.core.memory import Memory
from tui.core.ner import Pipeline
from tui.core.session import Session
from tui.core.spans import Entity
from tui.core.workspace import Workspace


def labels_on_disk(folder: Path) -> dict[str, set[str]]:
    found = {}
    for path in sorted(folder.glob("[!.]*.toml")):
        doc = tomllib.loads(path.read_text("utf-8"))
        found[path.name] = {e["label"] for e in doc["entities"]}
    return found


@pytest.fixture
def ruler(monkeypatch: pytest.MonkeyPatch) -> Pipeline:
    """A fresh stand-in model per test: suggest --memory installs the memory into it."""
    pipeline = make_ruler_pipeline()
    monkeypatch.setattr(ner, "load", lambda name=None, *_: pipeline)
    return pipeline


def test_the_readers_session_keeps_only_the_projects_suggestions(workdir: Path) -> None:
    project.set_labels(workdir / "annotations", ["PERSON"])
    session = Session(Workspace(workdir / "articles", workdir / "annotations"))
    assert session.lock() is None
    try:
        aid = SEED_IDS[0]
        text = session.open(aid).annotated.article.text  # type: ignore[union-attr]
        china = text.index("China")
        found = [Entity(0, 6, "PERSON", "model"), Entity(china, china + 5, "GPE", "model")]
        session.add_suggestions(aid, found, "m 1")
        assert [e.label for e in session.opened[aid].document.entities] == ["PERSON"]
        session.resuggest(aid, found, "m 1")
        assert [e.label for e in session.opened[aid].document.entities] == ["PERSON"]
    finally:
        session.close()
    assert labels_on_disk(workdir / "annotations") == {aid.replace(".txt", ".toml"): {"PERSON"}}


def test_without_a_project_file_every_label_is_kept(workdir: Path, ruler: Pipeline) -> None:
    assert main(["suggest"]) == 0
    on_disk = set().union(*labels_on_disk(workdir / "annotations").values())
    assert {"ORG", "GPE", "NORP", "PERSON"} <= on_disk
    assert not project.exists(workdir / "annotations")


def test_suggest_labels_writes_the_project_and_saves_only_its_labels(
    workdir: Path, ruler: Pipeline, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["suggest", "--labels", "ORG,PERSON"]) == 0
    assert "the project's labels are now ORG, PERSON" in capsys.readouterr().err
    assert project.load(workdir / "annotations").labels == ("ORG", "PERSON")
    on_disk = labels_on_disk(workdir / "annotations")
    assert len(on_disk) == len(SEED_IDS)
    assert set().union(*on_disk.values()) == {"ORG", "PERSON"}
    # The next command reads the file: --force redoes the suggestions with the same set.
    assert main(["suggest", "--force"]) == 0
    assert set().union(*labels_on_disk(workdir / "annotations").values()) == {"ORG", "PERSON"}


def test_a_bad_labels_value_or_project_file_exits_2(
    workdir: Path, ruler: Pipeline, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["suggest", "--labels", "ORG,NEW YORK"]) == 2
    assert "space or a comma" in capsys.readouterr().err
    (workdir / "annotations" / project.FILE_NAME).write_text("labels = 3\n")
    assert main(["suggest"]) == 2
    err = capsys.readouterr().err
    assert project.FILE_NAME in err and "should be a list" in err and "Traceback" not in err
    assert main(["export", "--format", "jsonl", "--out", "x.jsonl"]) == 2


def test_the_memory_installs_only_the_projects_labels() -> None:
    import spacy

    nlp = spacy.blank("en")
    nlp.add_pipe("entity_ruler").add_patterns(  # type: ignore[attr-defined]
        [{"label": "ORG", "pattern": "Xinhua"}]
    )
    memory = Memory({"Xinhua": "NORP", "Wang Yi": "PERSON"})
    assert memory.patterns(("ORG", "PERSON")) == [{"label": "PERSON", "pattern": "Wang Yi"}]
    memory.install(nlp, ("ORG", "PERSON"))
    doc = nlp("Wang Yi told Xinhua.")
    # NORP is outside the project: it must not take Xinhua away from the model's ORG.
    assert [(e.text, e.label_) for e in doc.ents] == [("Wang Yi", "PERSON"), ("Xinhua", "ORG")]
    memory.install(nlp)
    assert [(e.text, e.label_) for e in nlp("Wang Yi told Xinhua.").ents][1] == ("Xinhua", "NORP")


def test_suggest_memory_keeps_the_projects_labels(workdir: Path, ruler: Pipeline) -> None:
    annotations = workdir / "annotations"
    Memory({"Xinhua": "NORP", "China": "LOC"}, path=Memory.path_in(annotations)).save()
    project.set_labels(annotations, ["ORG", "GPE", "LOC"])
    assert main(["suggest", "--memory"]) == 0
    entities = []
    for path in annotations.glob("[!.]*.toml"):
        entities += tomllib.loads(path.read_text("utf-8"))["entities"]
    by_text = {(e["text"], e["label"]) for e in entities}
    assert ("Xinhua", "ORG") in by_text and ("China", "LOC") in by_text
    assert {e["label"] for e in entities} <= {"ORG", "GPE", "LOC"}


def test_import_keeps_the_projects_labels_and_counts_the_rest(
    workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    lines = [
        {
            "text": "Kim met Lee in Paris on Monday.",
            "label": [[0, 3, "PER"], [8, 11, "PER"], [15, 20, "LOC"], [24, 30, "DATE"]],
        },
    ]
    source = workdir / "in.jsonl"
    source.write_text("".join(json.dumps(line) + "\n" for line in lines), "utf-8")
    project.set_labels(workdir / "annotations", ["PERSON", "GPE"])
    code = main(["import", str(source), "--format", "doccano", "--labels", "PER=PERSON,LOC=GPE"])
    assert code == 0
    err = capsys.readouterr().err
    assert "left out 1 entities in 1 label(s) outside the project's (DATE 1)" in err
    [labels] = labels_on_disk(workdir / "annotations" / "imported").values()
    assert labels == {"PERSON", "GPE"}


def test_export_keeps_the_projects_labels_or_those_given(
    workdir: Path, ruler: Pipeline, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["suggest"]) == 0
    project.set_labels(workdir / "annotations", ["GPE"])
    assert main(["export", "--format", "jsonl", "--status", "all", "--out", "out.jsonl"]) == 0
    err = capsys.readouterr().err
    assert "left out" in err and "outside GPE" in err
    tasks = [json.loads(line) for line in Path("out.jsonl").read_text("utf-8").splitlines()]
    assert {s["label"] for t in tasks for s in t["spans"]} == {"GPE"}
    assert main(["export", "--format", "jsonl", "--status", "all", "--out", "o2.jsonl",
                 "--labels", "ORG,PERSON"]) == 0  # fmt: skip
    tasks = [json.loads(line) for line in Path("o2.jsonl").read_text("utf-8").splitlines()]
    assert {s["label"] for t in tasks for s in t["spans"]} == {"ORG", "PERSON"}

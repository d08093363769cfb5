"""A tuned model takes over: ``suggest --resuggest`` keeps people's work, ``stats`` tells what
became of each model's suggestions."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import SEED_IDS
from tui.cli import main
from tui.core import ner, stats, store, suggested
from tui.core.article import read_article
from tui.core.edits import Document
from tui.core.ner import Pipeline


def ruler(name: str, patterns: list[dict[str, str]]) -> Pipeline:
    import spacy

    nlp = spacy.blank("en")
    nlp.add_pipe("entity_ruler").add_patterns(patterns)  # type: ignore[attr-defined]
    return Pipeline(nlp, name)


def base() -> Pipeline:
    return ruler(
        "base 1.0", [{"label": "GPE", "pattern": "China"}, {"label": "NORP", "pattern": "Iran"}]
    )


def tuned() -> Pipeline:
    """A new one each time: the memory goes into the pipeline it is applied with."""
    return ruler(
        "model-best 0.0.0",
        [{"label": "GPE", "pattern": "Iran"}, {"label": "ORG", "pattern": "Xinhua"}],
    )


ARTICLES = {"a.txt": "China and Iran, said Xinhua.\n", "b.txt": "Iran and China talk.\n"}


def toml(article: str) -> dict[str, Any]:
    return tomllib.loads((Path("annotations") / article.replace(".txt", ".toml")).read_text())


def spans(article: str) -> list[tuple[str, str, str]]:
    return [(e["text"], e["label"], e["source"]) for e in toml(article)["entities"]]


def use(monkeypatch: pytest.MonkeyPatch, pipeline: Pipeline) -> None:
    monkeypatch.setattr(ner, "load", lambda name=None, *_: pipeline)


def edit(article: str, change: Any) -> None:
    """Change an article's TOML as the reader would: through a Document, then save."""
    path = Path("annotations") / article.replace(".txt", ".toml")
    loaded = read_article(Path("articles"), article)
    annotation = store.load(path, loaded).annotation
    document = Document(loaded.text, annotation.entities, annotation.status)
    change(document)
    store.save(
        path,
        store.Annotation(
            article, loaded.sha256, document.status, document.entities, annotation.model
        ),
        loaded.text,
    )


def test_resuggest_keeps_peoples_work_and_puts_the_memory_on_top(
    workdir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name, text in ARTICLES.items():
        (workdir / "articles" / name).write_text(text, "utf-8")
    use(monkeypatch, base())
    assert main(["suggest"]) == 0
    # a: a person added Xinhua as PERSON but left the status unreviewed (an import does that)
    edit("a.txt", lambda d: (d.add(21, 27, "PERSON"), d.set_status("unreviewed")))
    # b: someone is at work on it; the first seed is accepted
    edit("b.txt", lambda d: d.relabel(d.entities[0], "LOC"))
    edit(SEED_IDS[0], lambda d: d.set_status("accepted"))
    before = {
        a: (Path("annotations") / a.replace(".txt", ".toml")).read_bytes()
        for a in ("b.txt", SEED_IDS[0])
    }
    (workdir / "annotations" / ".newsmark-memory.toml").write_text(
        'schema = 1\ndeleted = []\n\n[labels]\nChina = "LOC"\n', "utf-8"
    )
    use(monkeypatch, tuned())
    (workdir / "out" / "model-best").mkdir(parents=True)  # where `newsmark train` puts it
    assert main(["suggest", "--resuggest", "--model", "out/model-best"]) == 0
    assert spans("a.txt") == [
        ("China", "LOC", "memory"),  # the memory on top of the tuned model
        ("Iran", "GPE", "model"),  # the tuned model's reading, not the old NORP
        ("Xinhua", "PERSON", "user"),  # the person's span stays, the model's ORG gives way
    ]
    assert toml("a.txt")["model"] == "model-best 0.0.0"
    for article, data in before.items():  # in progress and reviewed: left alone
        assert (Path("annotations") / article.replace(".txt", ".toml")).read_bytes() == data
    assert toml(SEED_IDS[1])["model"] == "model-best 0.0.0"  # the other seed, unreviewed
    assert main(["suggest", "--resuggest"]) == 0  # again: still the same people's work
    assert ("Xinhua", "PERSON", "user") in spans("a.txt")


def test_stats_tell_what_became_of_each_models_suggestions(
    workdir: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    for name, text in ARTICLES.items():
        (workdir / "articles" / name).write_text(text, "utf-8")
    use(monkeypatch, base())
    assert main(["suggest"]) == 0
    use(monkeypatch, tuned())
    assert main(["suggest", "--resuggest"]) == 0

    def review(d: Document) -> None:
        iran, xinhua = d.entities
        d.resize(xinhua, 21, 28)  # "Xinhua." resized
        d.set_status("accepted")

    edit("a.txt", review)  # tuned: Iran kept, Xinhua resized
    edit("b.txt", lambda d: (d.delete(d.entities[0]), d.set_status("accepted")))  # Iran deleted
    found = stats.collect(Path("articles"), Path("annotations"))
    fates = found.fates.by_model["model-best 0.0.0"]
    assert dict(fates) == {"kept": 1, "resized": 1, "deleted": 1}
    assert "base 1.0" not in found.fates.by_model  # its suggestions were replaced
    assert main(["stats"]) == 0
    out = capsys.readouterr().out
    assert "Model suggestions on accepted articles" in out and "model-best 0.0.0" in out


def test_fates() -> None:
    final = [(0, 5, "ORG"), (10, 15, "GPE"), (20, 30, "PERSON")]
    assert suggested.fate((0, 5, "ORG"), final) == "kept"
    assert suggested.fate((10, 15, "LOC"), final) == "relabelled"
    assert suggested.fate((20, 25, "PERSON"), final) == "resized"
    assert suggested.fate((40, 45, "PERSON"), final) == "deleted"


def test_the_tuned_model_is_the_projects_from_then_on(
    workdir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tui.core import project

    asked: list[str | None] = []

    def load(name: str | None = None, *_: object) -> Pipeline:
        asked.append(name)
        return tuned()

    monkeypatch.setattr(ner, "load", load)
    (workdir / "out" / "model-best").mkdir(parents=True)
    assert main(["suggest", "--resuggest", "--model", "out/model-best"]) == 0
    where = str((workdir / "out" / "model-best").resolve())
    assert project.load(Path("annotations")).model == where
    assert main(["suggest", "--resuggest"]) == 0  # no --model: the project's
    assert asked == ["out/model-best", where]

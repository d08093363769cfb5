"""``newsmark evaluate``: exact-match scores of the real model against accepted articles."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from test_export_corpus import UNANNOTATED

from tui.cli import main
from tui.core import ner, store
from tui.core.article import read_article
from tui.core.edits import Status
from tui.core.evaluate import score
from tui.core.ner import Pipeline
from tui.core.spans import Entity
from tui.core.store import Annotation

TEXTS = {
    "one.txt": "Chinese President Xi Jinping met Masoud Pezeshkian in Kazan on Wednesday.",
    "two.txt": "Wang Yi said China will support Iran, Xinhua reported from Beijing.",
    "draft.txt": "Angela Merkel visited Paris and Berlin last week.",
}


def E(start: int, end: int, label: str) -> Entity:
    return Entity(start, end, label, "user")


def test_only_exact_span_and_label_matches_count() -> None:
    gold = [E(0, 5, "ORG"), E(10, 15, "GPE"), E(20, 25, "PERSON")]
    predicted = [E(0, 5, "ORG"), E(10, 15, "LOC"), E(20, 24, "PERSON"), E(30, 35, "DATE")]
    report = score("m", [(gold, predicted)])
    assert (report.overall.tp, report.overall.fp, report.overall.fn) == (1, 3, 2)
    assert report.overall.precision == pytest.approx(1 / 4)
    assert report.overall.recall == pytest.approx(1 / 3)
    assert report.overall.f1 == pytest.approx(2 * (1 / 4) * (1 / 3) / (1 / 4 + 1 / 3))
    assert (report.labels["ORG"].tp, report.labels["GPE"].fn, report.labels["LOC"].fp) == (1, 1, 1)
    only = score("m", [(gold, predicted)], labels={"ORG", "DATE"})
    assert (only.overall.tp, only.overall.fp, only.overall.fn) == (1, 1, 0)
    empty = score("m", [([], [])])
    assert (empty.overall.precision, empty.overall.recall, empty.overall.f1) == (0, 0, 0)


@pytest.fixture
def gold_from_model(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, real_pipeline: Pipeline
) -> dict[str, list[Entity]]:
    """Accepted gold = the model's own entities, minus one it found, plus one it did not."""
    monkeypatch.setattr(ner, "load", lambda name=None, *_: real_pipeline)
    articles, annotations = tmp_path / "articles", tmp_path / "annotations"
    articles.mkdir()
    (articles / UNANNOTATED).write_text("Nobody read this.", "utf-8")
    predictions = dict(zip(TEXTS, ner.suggest(real_pipeline, TEXTS.values()), strict=True))
    for name, text in TEXTS.items():
        (articles / name).write_text(text, "utf-8")
        entities = [E(e.start, e.end, e.label) for e in predictions[name]]
        if name == "one.txt":
            assert entities, "the model finds entities in this text"
            entities = entities[1:]  # a model entity people removed: a false positive
            met = text.index(" met ") + 1
            assert not any(e.overlaps(met, met + 3) for e in predictions[name])
            entities.append(E(met, met + 3, "EVENT"))  # one the model missed
        status: Status = "in_progress" if name == "draft.txt" else "accepted"
        art = read_article(articles, name)
        ann = Annotation(name, art.sha256, status, tuple(sorted(entities)), updated=store.now())
        store.save(store.annotation_path(annotations, name), ann, text)
    return predictions


def evaluate(root: Path, *args: str) -> int:
    return main(
        [
            "evaluate",
            "--articles",
            str(root / "articles"),
            "--annotations",
            str(root / "annotations"),
            *args,
        ]
    )


def test_json_scores_the_accepted_articles(
    tmp_path: Path,
    gold_from_model: dict[str, list[Entity]],
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert evaluate(tmp_path, "--json") == 0
    result = json.loads(capsys.readouterr().out)
    predicted = len(gold_from_model["one.txt"]) + len(gold_from_model["two.txt"])
    assert result["docs"] == 2  # the in_progress draft is not gold
    overall = result["overall"]
    assert (overall["tp"], overall["fp"], overall["fn"]) == (predicted - 1, 1, 1)
    assert result["labels"]["EVENT"] == {
        "precision": 0.0,
        "recall": 0.0,
        "f1": 0.0,
        "tp": 0,
        "fp": 0,
        "fn": 1,
        "support": 1,
    }
    assert overall["precision"] == round(overall["tp"] / (overall["tp"] + overall["fp"]), 4)


def test_table_lists_each_label_and_overall(
    tmp_path: Path,
    gold_from_model: dict[str, list[Entity]],
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert evaluate(tmp_path) == 0
    out = capsys.readouterr().out
    labels = {e.label for n in ("one.txt", "two.txt") for e in gold_from_model[n]} | {"EVENT"}
    for label in labels:
        assert label in out
    assert "overall" in out and "precision" in out


def test_no_accepted_article_is_reported(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "articles").mkdir()
    (tmp_path / "articles" / "a.txt").write_text("Paris.", "utf-8")
    assert evaluate(tmp_path) == 1
    assert "no accepted article" in capsys.readouterr().err

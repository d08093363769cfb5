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
    removed = gold_from_model["one.txt"][0]  # people removed it: its label may leave the gold
    kept = gold_from_model["one.txt"][1:] + gold_from_model["two.txt"]
    gold = {e.label for e in kept}
    gold.add("EVENT")
    assert result["label_set"] == sorted(gold)
    if removed.label in gold:  # a false positive
        assert (overall["tp"], overall["fp"], overall["fn"]) == (predicted - 1, 1, 1)
        assert result["not_scored"] == {"predictions": 0, "labels": {}}
    else:  # a label nobody used: counted apart, not against the model
        assert (overall["tp"], overall["fp"], overall["fn"]) == (predicted - 1, 0, 1)
        assert result["not_scored"] == {"predictions": 1, "labels": {removed.label: 1}}
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


def test_an_unknown_label_is_named_before_the_missing_gold(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A typo in --labels is the first thing to fix: exit 2 naming it, even with no gold."""
    (tmp_path / "articles").mkdir()
    (tmp_path / "articles" / "a.txt").write_text("Paris.", "utf-8")
    assert evaluate(tmp_path, "--labels", "FOO") == 2
    err = capsys.readouterr().err
    assert "FOO is not a label" in err and "known labels:" in err and "GPE" in err
    assert "no accepted article" not in err and err.count("\n") == 1
    assert evaluate(tmp_path, "--labels", "GPE") == 1  # a known label: then the gold is missing
    assert "no accepted article" in capsys.readouterr().err


def test_predictions_outside_the_gold_labels_are_counted_apart() -> None:
    gold = [E(0, 5, "ORG")]
    predicted = [E(0, 5, "ORG"), E(10, 15, "DATE"), E(20, 25, "CARDINAL"), E(30, 35, "DATE")]
    report = score("m", [(gold, predicted)], labels=("ORG",))
    assert (report.overall.tp, report.overall.fp, report.overall.fn) == (1, 0, 0)
    assert report.unscored == {"DATE": 2, "CARDINAL": 1}
    assert report.not_scored() == (
        "not scored: 3 predictions in 2 labels the gold does not use (CARDINAL, DATE)"
    )


def test_default_labels_are_the_projects_else_the_golds(
    tmp_path: Path,
    gold_from_model: dict[str, list[Entity]],
    capsys: pytest.CaptureFixture[str],
) -> None:
    from tui.core import project

    project.set_labels(tmp_path / "annotations", ["GPE", "EVENT"])
    assert evaluate(tmp_path, "--json") == 0
    result = json.loads(capsys.readouterr().out)
    assert result["label_set"] == ["GPE", "EVENT"]  # in the project's order
    assert set(result["labels"]) == {"EVENT", "GPE"}
    outside = [e for n in ("one.txt", "two.txt") for e in gold_from_model[n]]
    outside = [e for e in outside if e.label not in ("GPE", "EVENT")]
    assert result["not_scored"]["predictions"] == len(outside)
    assert evaluate(tmp_path) == 0
    out = capsys.readouterr().out
    assert "Scored labels: GPE, EVENT." in out
    assert f"in {len({e.label for e in outside})} label" in out and "outside the project" in out


def test_an_unknown_label_exits_2_naming_it_and_the_known_ones(
    tmp_path: Path,
    gold_from_model: dict[str, list[Entity]],
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert evaluate(tmp_path, "--labels", "GPE,FOO") == 2
    err = capsys.readouterr().err
    assert "FOO is not a label" in err and "known labels:" in err
    assert "GPE" in err and "EVENT" in err and "CARDINAL" in err  # the gold's and the model's
    assert err.count("\n") == 1

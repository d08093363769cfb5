"""``newsmark train`` on a label set: the figures it prints are ``newsmark evaluate``'s, the
other labels are kept from the base model, and ``--curve`` trains on growing shares."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from test_export_corpus import make_corpus

from tui.cli import main
from tui.commands.train import chart, check_command
from tui.core import ner
from tui.core.article import Article
from tui.core.evaluate import Report, Score
from tui.core.formats.select import Item, collect, split
from tui.core.ner import Pipeline
from tui.core.spans import Entity
from tui.core.train import Point, curve_share, train, verdict, with_silver

LABELS = ("PERSON", "GPE")


@pytest.fixture
def base(monkeypatch: pytest.MonkeyPatch, real_pipeline: Pipeline) -> Pipeline:
    """The base comes from the session; a trained folder is loaded for real."""
    real_load = ner.load
    default = ner.resolve_model(None)

    def load(name: str | None = None, *_: object) -> Pipeline:
        return real_pipeline if name in (None, default) else real_load(name)

    monkeypatch.setattr(ner, "load", load)
    return real_pipeline


def scores(report: dict[str, dict[str, int]]) -> dict[str, tuple[int, int, int]]:
    return {label: (s["tp"], s["fp"], s["fn"]) for label, s in report.items()}


def test_before_and_after_equal_what_evaluate_prints(
    tmp_path: Path, base: Pipeline, capsys: pytest.CaptureFixture[str]
) -> None:
    make_corpus(tmp_path)
    articles, annotations = tmp_path / "articles", tmp_path / "annotations"
    items = collect(articles, annotations, {"accepted"}).items
    result = train(
        items,
        tmp_path / "run",
        base=ner.resolve_model(None),
        labels=LABELS,
        pipeline=base,
        epochs=1,
        max_steps=2,
        dev_fraction=0.5,
        seed=0,
    )
    assert result.labels == LABELS and set(result.after.labels) == set(LABELS)
    folders = ["--articles", str(articles), "--annotations", str(annotations)]
    split_args = ["--split", "0.5", "--seed", "0", "--labels", ",".join(LABELS), "--json"]
    for model, report in ((None, result.before), (str(result.model_path), result.after)):
        capsys.readouterr()
        assert (
            main(["evaluate", *folders, *split_args, *(["--model", model] if model else [])]) == 0
        )
        printed = json.loads(capsys.readouterr().out)
        assert printed["docs"] == report.docs == len(split(items, 0.5, 0)[1])
        assert printed["label_set"] == list(LABELS)
        assert scores(printed["labels"]) == {
            label: (s.tp, s.fp, s.fn) for label, s in report.labels.items()
        }
        assert printed["overall"] == report.overall.to_json()
    # The base model's other labels (DATE, NORP, ...) come from its own recogniser, kept
    # in the saved model, and are compared with the base's on the dev articles.
    assert result.kept is not None
    assert not set(result.kept.scored) & set(LABELS)
    assert result.kept.overall.tp and result.kept.overall.f1 >= 0.9
    import spacy

    saved = spacy.load(result.model_path)
    assert saved.pipe_names == ["ner", "newsmark_hold_ents", "ner_base", "newsmark_merge_ents"]


def accepted(text: str, excluded: tuple[tuple[int, int], ...] = ()) -> Item:
    """An accepted article in which a person marked "Wang Yi" PERSON and "Monday" DATE."""
    people = (Entity(0, 7, "PERSON", "user"), Entity(20, 26, "DATE", "user"))
    return Item(
        Article("a.txt", Path("a.txt"), text, "0" * 64), "accepted", people, excluded=excluded
    )


def test_silver_spans_fill_other_labels_but_never_touch_a_persons() -> None:
    item = accepted("Wang Yi met them on Monday in 2024.")
    predicted = [
        [
            Entity(0, 3, "ORG", "model"),  # touches the person's PERSON: dropped
            Entity(20, 26, "DATE", "model"),
            Entity(30, 34, "DATE", "model"),
        ]
    ]
    [out], added = with_silver([item], predicted, ("PERSON",))
    assert added == 2
    assert [(e.start, e.end, e.label, e.source) for e in out.entities] == [
        (0, 7, "PERSON", "user"),
        (20, 26, "DATE", "model"),  # the person's DATE left the set; the model's is silver
        (30, 34, "DATE", "model"),
    ]


def test_train_prints_per_label_figures_and_the_evaluate_that_checks_them(
    tmp_path: Path, base: Pipeline, capsys: pytest.CaptureFixture[str]
) -> None:
    make_corpus(tmp_path)
    folders = [
        "--articles",
        str(tmp_path / "articles"),
        "--annotations",
        str(tmp_path / "annotations"),
    ]
    out = tmp_path / "run"
    run = ["train", *folders, "--out", str(out), "--epochs", "1", "--max-steps", "2"]
    assert main([*run, "--split", "0.5", "--labels", "PERSON,GPE"]) == 0
    printed = capsys.readouterr().out
    assert "on PERSON, GPE:" in printed
    assert "per label, before → after" in printed and "overall" in printed
    assert "agrees with the base model at F1" in printed
    check = next(line for line in printed.splitlines() if "check:" in line)
    assert "--labels PERSON,GPE" in check and "--split 0.5 --seed 0" in check
    assert main([*run, "--labels", "PERSON,NOPE"]) == 2
    assert "NOPE is not a label" in capsys.readouterr().err


def test_check_command_names_what_differs_from_the_defaults() -> None:
    import argparse

    args = argparse.Namespace(
        articles=Path("articles"), annotations=Path("my notes"), status="all", seed=3
    )
    assert check_command(args, Path("run/model-best"), ("PER", "LOC"), 0.2) == (
        "newsmark evaluate --model run/model-best --labels PER,LOC --annotations 'my notes' "
        "--status all --split 0.2 --seed 3"
    )


def test_curve_shares_grow_and_nest(tmp_path: Path) -> None:
    from tui.core.article import Article
    from tui.core.formats.select import Item

    items = [
        Item(Article(f"{i}.txt", Path(f"{i}.txt"), "x", "0" * 64), "accepted", ())
        for i in range(10)
    ]
    shares = [curve_share(items, f) for f in (0.25, 0.5, 0.75, 1.0)]
    assert [len(s) for s in shares] == [3, 5, 8, 10]
    for small, big in zip(shares, shares[1:], strict=False):
        assert small == big[: len(small)]
    assert curve_share(items, 0.25) != items[:3] or curve_share(items, 0.25, seed=1) != items[:3]


def point(fraction: float, docs: int, f1: float) -> Point:
    # tp / (tp + fp) = tp / (tp + fn) = f1 with 100 entities
    tp = round(f1 * 100)
    return Point(fraction, docs, Report("m", overall=Score(tp, 100 - tp, 100 - tp)))


def test_verdict_says_whether_more_data_helps() -> None:
    assert verdict([point(0.75, 30, 0.70), point(1.0, 40, 0.75)]).startswith(
        "More data still helps"
    )
    assert verdict([point(0.75, 30, 0.75), point(1.0, 40, 0.754)]).startswith("F1 has levelled")
    assert verdict([point(0.75, 30, 0.80), point(1.0, 40, 0.70)]).startswith("F1 fell")
    assert verdict([point(0.75, 1, 0.80), point(1.0, 1, 0.80)]).startswith("Too few")


def test_chart_bars_are_proportional() -> None:
    lines = chart([("base", 0.5), ("25%", 1.0), ("50%", 0.0)], width=10)
    assert lines[0] == "  base █████      0.500"
    assert lines[1] == "   25% ██████████ 1.000"
    assert lines[2].startswith("   50%  ") and lines[2].endswith("0.000")


def test_curve_runs_each_share_with_progress(
    tmp_path: Path, base: Pipeline, capsys: pytest.CaptureFixture[str]
) -> None:
    make_corpus(tmp_path)
    folders = [
        "--articles",
        str(tmp_path / "articles"),
        "--annotations",
        str(tmp_path / "annotations"),
    ]
    out = tmp_path / "curve"
    run = ["train", *folders, "--out", str(out), "--epochs", "1", "--max-steps", "1", "--curve"]
    assert main([*run, "--split", "0.25", "--labels", "PERSON,GPE"]) == 0
    captured = capsys.readouterr()
    for i, share in enumerate(("25%", "50%", "75%", "100%"), start=1):
        assert f"[{i}/4] training on {share}" in captured.err
        assert (out / f"{share[:-1]}pct" / "config.cfg").is_file()
    assert "Learning curve" in captured.out and "█" in captured.out
    assert any(s in captured.out for s in ("More data", "levelled off", "F1 fell", "Too few"))

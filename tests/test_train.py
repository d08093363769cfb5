"""``newsmark train``: one short real spaCy training run on exported data, loaded back."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from test_export_corpus import SPECS, make_corpus, selected

from tui.cli import main
from tui.core import ner
from tui.core.ner import Pipeline


def test_train_runs_spacy_and_the_result_loads(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    real_pipeline: Pipeline,
    capsys: pytest.CaptureFixture[str],
) -> None:
    import spacy

    real_load = ner.load
    default = ner.resolve_model(None)

    def load(name: str | None = None, *_: object) -> Pipeline:
        # The base comes from the session; the trained folder is loaded for real.
        return real_pipeline if name in (None, default) else real_load(name)

    monkeypatch.setattr(ner, "load", load)
    make_corpus(tmp_path)
    out = tmp_path / "run"
    code = main(
        [
            "train",
            "--articles",
            str(tmp_path / "articles"),
            "--annotations",
            str(tmp_path / "annotations"),
            "--out",
            str(out),
            "--epochs",
            "1",
            "--max-steps",
            "2",
            "--split",
            "0.5",
        ]
    )
    printed = capsys.readouterr().out
    assert code == 0, printed
    for name in ("train.spacy", "dev.spacy", "config.cfg"):
        assert (out / name).is_file()
    model = out / "model-best" if (out / "model-best").is_dir() else out / "model-last"
    nlp = spacy.load(model)
    # The gold's labels come from the tuned recogniser, the base model's others from its own.
    assert nlp.pipe_names == ["ner", "newsmark_hold_ents", "ner_base", "newsmark_merge_ents"]
    assert {"ORG", "GPE", "PERSON"} <= set(getattr(nlp.get_pipe("ner"), "labels", ()))
    text = "Chinese President Xi Jinping met Masoud Pezeshkian in Kazan on Friday."
    doc = nlp(text)
    assert all(e.text == e.text.strip() for e in doc.ents)
    # It loads without newsmark imported first (spaCy finds the components itself).
    code = (
        "import spacy, sys; "
        "print(sorted((e.start_char, e.label_) for e in spacy.load(sys.argv[1])(sys.argv[2]).ents))"
    )
    fresh = subprocess.run(
        [sys.executable, "-c", code, str(model), text], capture_output=True, text=True, check=True
    )
    assert fresh.stdout.strip() == str(sorted((e.start_char, e.label_) for e in doc.ents))
    n = len(selected(SPECS, {"accepted"}))
    assert f"Trained on {n // 2} article(s), scored on {n - n // 2} accepted dev" in printed
    assert "before (" in printed and "after  (" in printed and "F1" in printed


def test_train_with_nothing_selected_says_what_to_do(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    real_pipeline: Pipeline,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setattr(ner, "load", lambda name=None, *_: real_pipeline)
    make_corpus(tmp_path)
    args = ["--articles", str(tmp_path / "articles"), "--annotations", str(tmp_path / "a2")]
    assert main(["train", *args, "--out", str(tmp_path / "run")]) == 1
    assert "nothing to train on" in capsys.readouterr().err
    assert not (tmp_path / "run").exists()

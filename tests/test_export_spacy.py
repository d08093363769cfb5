"""``export --format spacy`` read back by spaCy itself: DocBin, ``spacy debug data``, the config."""

from __future__ import annotations

import os
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
from test_export_corpus import SPECS, find_entities, make_corpus, run_export, selected

from tui.core import ner
from tui.core.ner import Pipeline


@pytest.fixture
def use_real(monkeypatch: pytest.MonkeyPatch, real_pipeline: Pipeline) -> Pipeline:
    """``ner.load`` of the default model returns the session's pipeline (loaded once)."""
    real_load = ner.load

    def load(name: str | None = None, *_: object) -> Pipeline:
        if name is None or ner.resolve_model(name) == ner.resolve_model(None):
            return real_pipeline
        return real_load(name)

    monkeypatch.setattr(ner, "load", load)
    return real_pipeline


def export(root: Path, *args: str) -> int:
    return run_export(root, "spacy", root / "out", *args)


def read_docbin(path: Path) -> list:  # type: ignore[type-arg]
    import spacy
    from spacy.tokens import DocBin

    return list(DocBin().from_disk(path).get_docs(spacy.blank("en").vocab))


def test_docbin_holds_every_entity_with_its_exact_characters(
    tmp_path: Path, use_real: Pipeline, capsys: pytest.CaptureFixture[str]
) -> None:
    make_corpus(tmp_path)
    assert export(tmp_path, "--split", "0.4", "--seed", "3") == 0
    out = capsys.readouterr().out
    docs = read_docbin(tmp_path / "out" / "train.spacy") + read_docbin(
        tmp_path / "out" / "dev.spacy"
    )
    accepted = selected(SPECS, {"accepted"})
    assert sorted(d.text for d in docs) == sorted(s.text for s in accepted)
    by_text = {s.text: s for s in accepted}
    labels: Counter[str] = Counter()
    for doc in docs:
        spec = by_text[doc.text]
        want = [(e.start, e.end, e.label) for e in find_entities(spec.text, spec.entities)]
        got = [(e.start_char, e.end_char, e.label_) for e in doc.ents]
        assert got == want
        assert {t.ent_iob_ for t in doc} <= {"B", "I", "O"}  # accepted: nothing unknown
        labels.update(e.label_ for e in doc.ents)
    # The counts printed are those the TOML holds.
    assert f"Exported {len(accepted)} article(s)" in out
    assert f"with {sum(labels.values())} entities" in out
    for label, n in labels.items():
        assert f"{label} {n}" in out
    # "Shafaq News/" and "東京で習近平氏が…" each had one token split at an entity edge;
    # "東京" also ends inside the token, but a token counts once however many cuts it takes.
    assert "2 token(s) split at entity edges" in out


def test_unfinished_articles_leave_unlabelled_tokens_unknown(
    tmp_path: Path, use_real: Pipeline
) -> None:
    make_corpus(tmp_path)
    assert export(tmp_path, "--status", "in_progress,accepted", "--split", "0.5") == 0
    docs = read_docbin(tmp_path / "out" / "train.spacy") + read_docbin(
        tmp_path / "out" / "dev.spacy"
    )
    progress = next(d for d in docs if d.text.startswith("Angela Merkel"))
    assert [(e.text, e.label_) for e in progress.ents] == [("Angela Merkel", "PERSON")]
    assert {t.ent_iob_ for t in progress if t.ent_type_ == ""} == {""}  # missing, not O
    berlin = next(t for t in progress if t.text == "Berlin")
    assert berlin.ent_iob_ == "" and berlin.ent_type_ == ""
    shafaq = next(d for d in docs if d.text.startswith("Shafaq"))
    assert {t.ent_iob_ for t in shafaq if t.ent_type_ == ""} == {"O"}


def test_spacy_debug_data_finds_no_misaligned_overlapping_or_whitespace_entities(
    tmp_path: Path, use_real: Pipeline
) -> None:
    make_corpus(tmp_path)
    assert export(tmp_path, "--split", "0.4") == 0
    config = tmp_path / "out" / "config.cfg"
    run = subprocess.run(
        [sys.executable, "-m", "spacy", "debug", "data", str(config)],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env={**os.environ, "NO_COLOR": "1"},
        timeout=120,
    )
    report = run.stdout + run.stderr
    assert run.returncode == 0, report
    assert "Corpus is loadable" in report
    assert "misaligned" not in report
    assert "invalid whitespace entity" not in report
    assert "No entities consisting of or starting/ending with whitespace" in report
    assert "No entities crossing sentence boundaries" in report
    assert "0 missing value(s)" in report  # accepted articles only: every token decided
    assert "No overlap between training and evaluation data" in report


def test_config_sources_the_base_ner_and_reads_the_exported_tokens(
    tmp_path: Path, use_real: Pipeline
) -> None:
    from spacy import util

    make_corpus(tmp_path)
    assert export(tmp_path) == 0  # spacy splits 0.2 off for dev by default
    config = util.load_config(tmp_path / "out" / "config.cfg", interpolate=True)
    assert config["nlp"]["pipeline"] == ["ner"]
    assert config["components"]["ner"]["source"] == ner.resolve_model(None)
    assert config["corpora"]["train"]["gold_preproc"] is True
    assert Path(config["paths"]["train"]) == (tmp_path / "out" / "train.spacy").resolve()
    assert read_docbin(tmp_path / "out" / "dev.spacy")  # dev is never empty


def test_nothing_selected_writes_nothing_and_says_so(
    tmp_path: Path, use_real: Pipeline, capsys: pytest.CaptureFixture[str]
) -> None:
    make_corpus(tmp_path)
    assert export(tmp_path, "--status", "unreviewed") == 1
    assert "nothing to export" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


def test_a_single_article_is_both_train_and_dev_and_counted_once(
    tmp_path: Path, use_real: Pipeline, capsys: pytest.CaptureFixture[str]
) -> None:
    make_corpus(tmp_path, SPECS[:1])
    assert export(tmp_path) == 0
    captured = capsys.readouterr()
    assert "dev.spacy holds the training articles too" in captured.err
    assert f"dev the same) with {len(SPECS[0].entities)} entities" in captured.out
    out = tmp_path / "out"
    assert (out / "dev.spacy").read_bytes() == (out / "train.spacy").read_bytes()
    assert len(read_docbin(out / "train.spacy")) == 1

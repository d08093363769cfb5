"""A trained model keeps the base's recogniser beside its own: the project's labels come only
from the tuned one, the others only from the base, never overlapping."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from tui.core import combined, ner
from tui.core.ner import Pipeline
from tui.core.train import with_missing

PROJECT = ("PERSON", "GPE")
LABELS = ("PERSON", "GPE", "DATE", "ORG")
TEXT = "On Friday Wang Yi met 李强 in Paris , 3 km from the Élysée 🇫🇷 ."
WORDS = TEXT.split(" ")


def blank() -> Any:
    import spacy

    return spacy.blank("en")


def spans(doc: Any, raw: list[tuple[int, int, str]]) -> list[Any]:
    """Non-overlapping spans from ``raw`` (a later one touching an earlier one is dropped),
    as one recogniser would find them."""
    from spacy.tokens import Span

    found: list[Any] = []
    taken: set[int] = set()
    for start, length, label in raw:
        end = min(len(doc), start + length)
        if start >= end or taken & set(range(start, end)):
            continue
        taken |= set(range(start, end))
        found.append(Span(doc, start, end, label))
    return found


raw_spans = st.lists(
    st.tuples(st.integers(0, len(WORDS) - 1), st.integers(1, 3), st.sampled_from(LABELS)),
    max_size=8,
)


@given(raw_spans, raw_spans)
def test_merge_takes_project_labels_from_the_tuned_and_others_from_the_base(
    tuned_raw: list[tuple[int, int, str]], base_raw: list[tuple[int, int, str]]
) -> None:
    from spacy.tokens import Doc

    doc = Doc(blank().vocab, words=WORDS)
    tuned, base = spans(doc, tuned_raw), spans(doc, base_raw)
    merged = combined.merge(tuned, base, PROJECT)
    doc.ents = merged  # spaCy refuses overlapping entities
    key = [(s.start, s.end, s.label_) for s in merged]
    tuned_keys = {(s.start, s.end, s.label_) for s in tuned}
    base_keys = {(s.start, s.end, s.label_) for s in base}
    for start, end, label in key:
        assert (start, end, label) in (tuned_keys if label in PROJECT else base_keys)
    # Every tuned entity in a project label is kept; a base one in another label is kept
    # exactly when it overlaps none of those.
    project = [(a, b) for a, b, label in tuned_keys if label in PROJECT]
    assert {k for k in tuned_keys if k[2] in PROJECT} <= set(key)
    for start, end, label in base_keys:
        if label in PROJECT:
            continue
        free = all(end <= a or b <= start for a, b in project)
        assert ((start, end, label) in key) == free
    assert key == sorted(key)


def ruler(nlp: Any, name: str, patterns: list[dict[str, Any]]) -> None:
    nlp.add_pipe("entity_ruler", name=name).add_patterns(patterns)


def test_the_base_reads_the_text_as_if_alone_and_the_saved_pipeline_loads_anywhere(
    tmp_path: Path,
) -> None:
    """A recogniser keeps entities already on a doc; the held ones are out of its way."""
    import spacy

    combined.register()
    nlp = blank()
    # "tuned" finds a PERSON and calls Paris a DATE; "base" finds Paris as an ORG (which
    # it could not if the tuned DATE were still on the doc), one ORG across the tuned
    # PERSON, and two entities in the project's labels, which are not its to decide.
    tuned_patterns = [
        {"label": "PERSON", "pattern": "Wang Yi"},
        {"label": "DATE", "pattern": "Paris"},
    ]
    ruler(nlp, "tuned", tuned_patterns)
    nlp.add_pipe(combined.HOLD)
    base_patterns = [
        {"label": "DATE", "pattern": "On Friday"},
        {"label": "ORG", "pattern": "Yi met"},
        {"label": "ORG", "pattern": "Paris"},
        {"label": "PERSON", "pattern": "李强"},
        {"label": "GPE", "pattern": "Élysée"},
    ]
    ruler(nlp, "base", base_patterns)
    nlp.add_pipe(combined.MERGE, config={"labels": list(PROJECT)})
    text = TEXT
    expected = [("On Friday", "DATE"), ("Wang Yi", "PERSON"), ("Paris", "ORG")]
    doc = nlp(text)
    assert [(e.text, e.label_) for e in doc.ents] == expected
    assert combined.KEY not in doc.spans
    nlp.to_disk(tmp_path / "model")
    code = (
        "import spacy, sys; nlp = spacy.load(sys.argv[1]); "
        "print([(e.text, e.label_) for e in nlp(sys.argv[2]).ents])"
    )
    fresh = subprocess.run(
        [sys.executable, "-c", code, str(tmp_path / "model"), text],
        capture_output=True,
        text=True,
        check=True,
    )
    assert fresh.stdout.strip() == str(expected)
    assert [(e.text, e.label_) for e in spacy.load(tmp_path / "model")(text).ents] == expected


def test_missing_marks_the_bases_other_labels_unknown_but_never_a_persons_entity() -> None:
    from test_train_labels import accepted

    from tui.core.formats.spacy import to_doc
    from tui.core.spans import Entity

    item = accepted("Wang Yi met them on Monday in 2024 in 東京 🇯🇵.", excluded=((27, 29),))
    predicted = [
        [
            Entity(0, 3, "ORG", "model"),  # touches the person's PERSON: left as it is
            Entity(20, 34, "DATE", "model"),  # touches the DATE, which left the set: unknown
            Entity(38, 40, "GPE", "model"),  # a project label: the person's "none" stands
        ]
    ]
    [out], marked = with_missing([item], predicted, PROJECT)
    assert marked == 1
    assert out.entities == (Entity(0, 7, "PERSON", "user"),)
    assert out.excluded == ((20, 34),)  # joined with the excluded range inside it
    doc, _ = to_doc(blank(), out)
    iob = {t.text: t.ent_iob_ for t in doc}
    assert iob["Wang"] == "B" and iob["them"] == "O" and iob["東京"] == "O"
    assert iob["Monday"] == "" and iob["2024"] == ""


def test_each_entity_is_scored_by_the_recogniser_that_found_it(
    tmp_path: Path, real_pipeline: Pipeline
) -> None:
    """The "tuned" recogniser is the base's with its output layer halved: the same greedy
    entities, less sure. The project's labels carry its scores, the others the base's."""
    import spacy

    from tui.core.train import combine_saved

    folder = tmp_path / "model-best"
    copy = spacy.load(ner.resolve_model(None), exclude=["tagger", "parser", "lemmatizer"])
    upper = copy.get_pipe("ner").model.get_ref("upper")
    for param in ("W", "b"):
        upper.set_param(param, upper.get_param(param) * 0.5)
    copy.to_disk(folder)
    combine_saved(folder, real_pipeline, PROJECT)
    model = ner.load(str(folder))
    assert model.scored and model.nlp.pipe_names == [
        "newsmark_beam",
        "ner",
        combined.HOLD,
        "newsmark_beam_ner_base",
        combined.BASE,
        combined.MERGE,
    ]
    texts = [
        "On Friday, Chinese President Xi Jinping met Masoud Pezeshkian in Kazan for 3 hours.",
        "Apple paid $3 billion to 李强 in Paris on 5 May 2024 🇫🇷, about 40 per cent more.",
    ]
    ours, base = list(ner.suggest(model, texts)), list(ner.suggest(real_pipeline, texts))
    key = [[(e.start, e.end, e.label) for e in found] for found in ours]
    assert key == [[(e.start, e.end, e.label) for e in found] for found in base]
    pairs = [(a, b) for x, y in zip(ours, base, strict=True) for a, b in zip(x, y, strict=True)]
    others = [(a, b) for a, b in pairs if a.label not in PROJECT]
    assert others and all(a.score == b.score for a, b in others)
    assert any(a.score != b.score for a, b in pairs if a.label in PROJECT)

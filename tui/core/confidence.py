"""How sure the model is of each suggestion: beam search over spaCy's entity recognizer.

The greedy recognizer commits to one reading. ``EntityRecognizer.beam_parse`` keeps the
``width`` best parses of each text, and ``moves.get_beam_parses`` gives each parse its
probability (they add up to 1). A suggestion's ``score`` is the probability mass of the
parses that hold it (same characters, same label); its ``alternative`` is the reading with the
most mass among those overlapping it with other edges or another label. Two readings that
overlap never occur in one parse, so a score and its alternative's add up to at most 1.

The suggestions stay the greedy recognizer's: the beam's best parse differs from it now and
then, and not for the better (on seed 000, width 16 prefers an ORG running across a paragraph
break to "Pezeshkian" NORP). The component ``newsmark_beam`` runs before the recognizer, with
its weights, and keeps every reading with its mass in ``doc.spans["newsmark_beam"]`` with
``attrs["scores"]``, spaCy's own place for span scores (``spancat``), so the readings travel
with the Doc from ``n_process`` workers and from Dask. A greedy entity no parse in the beam
holds scores 0.

The beam is a second pass over each text: width 8 makes suggesting take 1.8 to 3 times as
long (bench/suggest.py --beam, README). A pipeline whose recognizer is not transition-based (an
``entity_ruler`` alone) has no beam, and its suggestions carry no score. spaCy is imported
only inside the functions that need it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from tui.core.spans import Alternative, Entity, trim

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc

PIPE_NAME = "newsmark_beam"
SPANS_KEY = "newsmark_beam"
"""``doc.spans`` key of every reading in the beam, with ``attrs["scores"]``."""
DEFAULT_WIDTH = 8
LOW = 0.8
"""Suggestions scored under this are drawn apart in the reader and ``w`` stops at them. On the
seeds 10 of 164 suggestions score under it (9 of them under 0.5: the scores cluster at 0 and
1), and 6 of those 10 are real errors; see bench/RESULTS.md."""
DENSITY = 0.0001
"""Parses less likely than this fraction of the best are dropped from the beam (spaCy's
``beam_density``), which saves time on texts the model is sure of."""
MIN_MASS = 0.01
"""Readings with less mass are not kept on the doc: they would never be anyone's alternative."""
DIGITS = 3
"""Scores are rounded to this many decimals, so they read back from the TOML unchanged."""


@dataclass(frozen=True, slots=True)
class Reading:
    """One reading of a span in the beam: character offsets (trimmed), label and mass."""

    start: int
    end: int
    label: str
    score: float


def recognizer(nlp: Language) -> str | None:
    """The name of the enabled transition-based recognizer that writes entities, if any."""
    from spacy.pipeline import EntityRecognizer

    for name, component in nlp.pipeline:
        if isinstance(component, EntityRecognizer):
            return name
    return None


def install(
    nlp: Language,
    width: int = DEFAULT_WIDTH,
    owners: Mapping[str, tuple[Sequence[str], Sequence[str]]] | None = None,
) -> bool:
    """Score ``nlp``'s entities with a beam of ``width``; False when it cannot (no
    transition-based recognizer, or a width under 2, which is the greedy search).

    ``owners`` names, for a pipeline with several recognizers that each decide some labels
    (a trained model's ``ner`` and ``ner_base``, see combined.py), the labels whose readings
    each one's beam keeps and drops; each gets a beam and the readings are pooled.
    """
    if PIPE_NAME in nlp.component_names or width < 2:
        return PIPE_NAME in nlp.pipe_names
    first = recognizer(nlp)
    if first is None:
        return False
    _register()
    names = [n for n in nlp.pipe_names if n in owners] if owners else [first]
    for i, name in enumerate(names):
        keep, drop = owners[name] if owners else ((), ())
        config = {
            "recognizer": name,
            "width": width,
            "keep": list(keep),
            "drop": list(drop),
            "pool": i > 0,
        }
        # Before it: a recognizer respects the entities already on a doc, so after it the
        # beam would only confirm what the greedy search found.
        pipe_name = PIPE_NAME if i == 0 else f"{PIPE_NAME}_{name}"
        nlp.add_pipe(PIPE_NAME, name=pipe_name, before=name, config=config)
    return True


class BeamScorer:
    """The pipeline component: every reading in the recognizer's beam, with its mass."""

    def __init__(
        self,
        nlp: Language,
        recognizer_name: str,
        width: int,
        keep: Sequence[str] = (),
        drop: Sequence[str] = (),
        pool: bool = False,
    ) -> None:
        self.recognizer_name = recognizer_name
        self.recognizer: Any = nlp.get_pipe(recognizer_name)
        self.width = width
        # Labels whose readings are kept (empty: all) and dropped.
        self.keep, self.drop = frozenset(keep), frozenset(drop)
        # Add to the readings an earlier beam left on the doc instead of replacing them.
        self.pool = pool

    @property
    def labels(self) -> tuple[str, ...]:
        return tuple(self.recognizer.labels)

    def __call__(self, doc: Doc) -> Doc:
        self._process([doc])
        return doc

    def pipe(self, stream: Iterable[Doc], batch_size: int = 128) -> Iterator[Doc]:
        from itertools import islice

        it = iter(stream)
        while batch := list(islice(it, batch_size)):
            self._process(batch)
            yield from batch

    def _process(self, docs: list[Doc]) -> None:
        from spacy.tokens import SpanGroup

        ner = self.recognizer
        todo = [doc for doc in docs if len(doc)]
        if not todo:
            return
        beams = ner.beam_parse(todo, beam_width=self.width, beam_density=DENSITY)
        for doc, beam in zip(todo, beams, strict=True):
            mass: dict[tuple[int, int, str], float] = {}
            for prob, parse in ner.moves.get_beam_parses(beam):
                for start, end, label in parse:
                    key = (start, end, label)
                    mass[key] = mass.get(key, 0.0) + prob
            kept = [(k, p) for k, p in mass.items() if p >= MIN_MASS and self._owns(k[2])]
            spans = [doc[s:e] for (s, e, _), _ in kept]
            for span, ((_, _, label), _) in zip(spans, kept, strict=True):
                span.label_ = label
            scores = [round(min(1.0, p), 6) for _, p in kept]
            if self.pool and SPANS_KEY in doc.spans:
                earlier = doc.spans[SPANS_KEY]
                spans = [*earlier, *spans]
                scores = [*earlier.attrs.get("scores", []), *scores]
            group = SpanGroup(doc, name=SPANS_KEY, spans=spans)
            group.attrs["scores"] = scores
            doc.spans[SPANS_KEY] = group

    def _owns(self, label: str) -> bool:
        return (not self.keep or label in self.keep) and label not in self.drop


_registered = False


def _register() -> None:
    """Register the factory with spaCy once (at first use: the core stays spaCy-free)."""
    global _registered
    if _registered:
        return
    from spacy.language import Language

    if not Language.has_factory(PIPE_NAME):
        Language.factory(
            PIPE_NAME,
            default_config={
                "recognizer": "ner",
                "width": DEFAULT_WIDTH,
                "keep": [],
                "drop": [],
                "pool": False,
            },
            func=lambda nlp, name, recognizer, width, keep, drop, pool: BeamScorer(
                nlp, recognizer, width, keep, drop, pool
            ),
        )
    _registered = True


_PARAGRAPH_BREAK = re.compile(r"\n[^\S\n]*\n")


def readings(doc: Doc, text: str) -> list[Reading]:
    """Every reading kept in the beam, trimmed of edge whitespace as suggestions are, and
    merged where trimming makes two the same; empty when the doc was not scored.

    Readings across a paragraph break are left out: the beam proposes them (an ORG from the
    end of one paragraph to the first name of the next) and no one would take one."""
    if SPANS_KEY not in doc.spans:
        return []
    group = doc.spans[SPANS_KEY]
    scores = group.attrs.get("scores", [])
    merged: dict[tuple[int, int, str], float] = {}
    for span, score in zip(group, scores, strict=False):
        bounds = trim(text, span.start_char, span.end_char)
        if bounds is not None and not _PARAGRAPH_BREAK.search(text, bounds[0], bounds[1]):
            key = (bounds[0], bounds[1], span.label_)
            merged[key] = merged.get(key, 0.0) + float(score)
    return [Reading(s, e, label, min(1.0, p)) for (s, e, label), p in merged.items()]


class Scores:
    """Look-ups over one doc's readings: a span's score and its strongest alternative."""

    def __init__(self, found: Iterable[Reading]) -> None:
        self._found = sorted(found, key=lambda r: (r.start, r.end))
        self._by_key = {(r.start, r.end, r.label): r.score for r in self._found}

    def __bool__(self) -> bool:
        return bool(self._found)

    def score(self, start: int, end: int, label: str) -> float:
        """The mass of the parses holding this span with this label (0 when none does)."""
        return round(self._by_key.get((start, end, label), 0.0), DIGITS)

    def alternative(self, start: int, end: int, label: str) -> Alternative | None:
        """The strongest reading overlapping ``[start, end)`` that is not this one."""
        best: Reading | None = None
        for r in self._found:
            if r.start >= end:
                break
            if r.end <= start or (r.start, r.end, r.label) == (start, end, label):
                continue
            if best is None or r.score > best.score:
                best = r
        if best is None:
            return None
        # Rounded so the two rounded scores never add up to more than 1.
        alt = round(min(best.score, 1 - self.score(start, end, label)), DIGITS)
        return Alternative(best.start, best.end, best.label, alt) if alt > 0 else None


__all__ = [
    "DEFAULT_WIDTH",
    "LOW",
    "PIPE_NAME",
    "BeamScorer",
    "Reading",
    "Scores",
    "install",
    "readings",
    "recognizer",
    "uncertainty",
]


def uncertainty(entities: Iterable[Entity], length: int) -> float | None:
    """Expected errors per 1,000 characters among the model's scored suggestions; ``None``
    when none is scored (nothing is known)."""
    doubts = [1 - e.score for e in entities if e.source == "model" and e.score is not None]
    if not doubts:
        return None
    return 1000 * sum(doubts) / max(length, 1)

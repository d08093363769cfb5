"""spaCy tokens that every entity edge falls on, so no format drops or moves a span.

People label what they see ("Shafaq News" inside "Shafaq News/"), while spaCy's tokenizer
may glue an entity to its neighbour ("News/"). Rather than snapping the span, the token is
split at the entity edge; the characters of the text never change.
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from tui.core.spans import Entity

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc


class AlignmentError(RuntimeError):
    """An entity that still does not sit on token edges; a bug, never a user error."""


@dataclass(frozen=True)
class Aligned:
    doc: Doc
    split_tokens: int  # tokenizer tokens cut at an entity edge


def _whitespace_cuts(text: str, start: int, end: int) -> list[int]:
    """Edges of whitespace runs strictly inside ``text[start:end]``."""
    cuts = []
    for i in range(start + 1, end):
        if text[i].isspace() != text[i - 1].isspace():
            cuts.append(i)
    return cuts


def tokenize(nlp: Language, text: str, entities: Sequence[Entity] = ()) -> Doc:
    """``nlp``'s tokens for ``text``; a text over ``nlp.max_length`` (which ``make_doc``
    refuses) is tokenized in pieces cut between entities, then joined, characters unchanged."""
    if len(text) <= nlp.max_length:
        return nlp.make_doc(text)
    from spacy.tokens import Doc

    from tui.core.ner import pieces

    keep = [(e.start, e.end) for e in entities]
    docs = [nlp.tokenizer(text[s:e]) for s, e in pieces(text, nlp.max_length, keep)]
    return Doc.from_docs(docs, ensure_whitespace=False)


def align(
    nlp: Language,
    text: str,
    entities: Sequence[Entity],
    *,
    split_whitespace: bool = False,
) -> Aligned:
    """Tokenize ``text`` with ``nlp``'s tokenizer, splitting tokens at every entity edge.

    ``split_whitespace`` also separates whitespace inside a token (rare: spaCy keeps
    ``"a\\u2028b"`` whole), for line formats where a token must not contain a line break.
    """
    from spacy.tokens import Doc

    doc = tokenize(nlp, text, entities)
    cuts = sorted({e.start for e in entities} | {e.end for e in entities})
    words: list[str] = []
    spaces: list[bool] = []
    split_tokens = 0
    changed = False
    for token in doc:
        start = token.idx
        end = start + len(token.text)
        lo = bisect.bisect_right(cuts, start)
        hi = bisect.bisect_left(cuts, end)
        inner = set(cuts[lo:hi])
        if inner:
            split_tokens += 1
        if split_whitespace and not token.is_space:
            inner.update(_whitespace_cuts(text, start, end))
        edges = [start, *sorted(inner), end]
        changed = changed or len(edges) > 2
        for a, b in zip(edges, edges[1:], strict=False):
            words.append(text[a:b])
            spaces.append(False)
        spaces[-1] = bool(token.whitespace_)
    if changed:
        doc = Doc(nlp.vocab, words=words, spaces=spaces)
    if doc.text != text:
        raise AlignmentError("re-tokenizing changed the text")
    return Aligned(doc, split_tokens)


def entity_spans(doc: Doc, entities: Sequence[Entity]) -> list[tuple[int, int]]:
    """Token ``[start, end)`` of each entity in an aligned doc."""
    found = []
    for e in entities:
        span = doc.char_span(e.start, e.end, alignment_mode="strict")
        if span is None:
            raise AlignmentError(f"entity {e.start}..{e.end} is not on token edges")
        found.append((span.start, span.end))
    return found


def set_entities(doc: Doc, entities: Sequence[Entity], *, complete: bool) -> None:
    """Put ``entities`` on ``doc.ents``; other tokens are outside (O) only when ``complete``.

    For an article that is not accepted, an unlabelled token may still be an entity nobody
    marked yet, so it is left *missing*: spaCy then neither rewards nor punishes it.
    """
    from spacy.tokens import Span

    spans = [
        Span(doc, start, end, label=e.label)
        for (start, end), e in zip(entity_spans(doc, entities), entities, strict=True)
    ]
    doc.set_ents(spans, default="outside" if complete else "missing")

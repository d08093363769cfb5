"""CoNLL IOB2: ``token<TAB>tag`` a line, a blank line between sentences, ``-DOCSTART-`` per article.

Sentences come from spaCy's rule-based sentencizer plus line breaks (headlines and datelines
have no full stop), but never inside an entity, so an entity is never cut in two. Whitespace
tokens are left out because a line cannot hold them; CoNLL has no way to say "unknown", so
unlabelled tokens of articles that are not accepted are written as ``O`` too.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from functools import cache
from typing import TYPE_CHECKING

from tui.core.formats.align import align, entity_spans
from tui.core.formats.excluded import cut_points, excluded_tokens
from tui.core.formats.select import Item

if TYPE_CHECKING:
    from spacy.language import Language

DOCSTART = "-DOCSTART-\tO\n\n"


@cache
def pipeline() -> Language:
    """spaCy's English tokenizer with the sentencizer: fast, no model needed, built once."""
    import spacy

    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")
    return nlp


def sentences(nlp: Language, item: Item) -> list[list[tuple[str, str]]]:
    """The article's sentences as ``(token, IOB2 tag)`` pairs."""
    doc = align(nlp, item.text, cut_points(item), split_whitespace=True).doc
    left_out = excluded_tokens(doc, item.excluded)  # not article text: a sentence break
    if "sentencizer" in nlp.pipe_names:
        doc = nlp.get_pipe("sentencizer")(doc)
    tags = ["O"] * len(doc)
    inside: set[int] = set()
    for entity, (start, end) in zip(item.entities, entity_spans(doc, item.entities), strict=True):
        tags[start] = f"B-{entity.label}"
        for i in range(start + 1, end):
            tags[i] = f"I-{entity.label}"
            inside.add(i)
    starts = {sent.start for sent in doc.sents} if doc.has_annotation("SENT_START") else {0}
    starts.update(t.i + 1 for t in doc if t.is_space and "\n" in t.text)
    result: list[list[tuple[str, str]]] = []
    current: list[tuple[str, str]] = []
    for token in doc:
        if token.i in starts and token.i not in inside and current:
            result.append(current)
            current = []
        if token.i in left_out and current:
            result.append(current)
            current = []
        if token.is_space or not token.text.strip() or token.i in left_out:
            continue
        current.append((token.text, tags[token.i]))
    if current:
        result.append(current)
    return result


def lines(
    nlp: Language, items: Sequence[Item], progress: Callable[[int], None] | None = None
) -> Iterator[str]:
    for item in items:
        yield DOCSTART
        for sentence in sentences(nlp, item):
            yield "".join(f"{text}\t{tag}\n" for text, tag in sentence) + "\n"
        if progress is not None:
            progress(1)

"""CoNLL IOB2: ``token<TAB>tag`` a line, a blank line between sentences, ``-DOCSTART-`` per article.

Reading takes CoNLL-2003's four columns or two (the token first, the tag last) in IOB2,
IOB1, IOBES or BILOU. CoNLL keeps no spacing, so an imported article is its tokens joined
with single spaces, one sentence a line, and ``-DOCSTART-`` starts a new article.

Sentences come from spaCy's rule-based sentencizer plus line breaks (headlines and datelines
have no full stop), but never inside an entity, so an entity is never cut in two. Whitespace
tokens are left out because a line cannot hold them; CoNLL has no way to say "unknown", so
unlabelled tokens of articles that are not accepted are written as ``O`` too.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from tui.core.formats.align import align, entity_spans
from tui.core.formats.base import (
    ExportPlan,
    Format,
    Progress,
    ReadOptions,
    Written,
    no_progress,
    register,
    write_parts,
)
from tui.core.formats.excluded import cut_points, excluded_tokens
from tui.core.formats.records import LineError, RawSpan, Record, entities_of, parsed_with_meta
from tui.core.formats.select import Item, long_pieces

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
    nlp: Language,
    items: Sequence[Item],
    progress: Callable[[int], None] | None = None,
    labels: Counter[str] | None = None,
) -> Iterator[str]:
    """A document per article, a sentence at a time (a long article a piece at a time, see
    :func:`~tui.core.formats.select.long_pieces`); ``labels`` counts the entities written."""
    for item in items:
        yield DOCSTART
        for _, piece in long_pieces(item):
            for sentence in sentences(nlp, piece):
                if labels is not None:
                    labels.update(tag[2:] for _, tag in sentence if tag.startswith("B-"))
                yield "".join(f"{text}\t{tag}\n" for text, tag in sentence) + "\n"
        if progress is not None:
            progress(1)


_TAG = re.compile(r"([BIESLU])-(\S+)")


class _Bad(ValueError):
    def __init__(self, line: int, message: str) -> None:
        super().__init__(message)
        self.line = line


@dataclass
class _Doc:
    first: int
    sentences: list[list[tuple[str, str, int]]] = field(default_factory=list)


def _documents(text: str) -> Iterator[_Doc]:
    """Documents (split at ``-DOCSTART-``) of sentences (split at blank lines) of tokens."""
    doc: _Doc | None = None
    sentence: list[tuple[str, str, int]] = []
    for number, line in enumerate(text.split("\n"), start=1):
        cols = line.split()
        if not cols or cols[0] == "-DOCSTART-":
            if sentence:
                assert doc is not None
                doc.sentences.append(sentence)
                sentence = []
            if cols and doc is not None and doc.sentences:
                yield doc
                doc = None
            continue
        if doc is None:
            doc = _Doc(number)
        sentence.append((cols[0], cols[-1] if len(cols) > 1 else "", number))
    if sentence and doc is not None:
        doc.sentences.append(sentence)
    if doc is not None and doc.sentences:
        yield doc


def decode(doc: _Doc, labels: dict[str, str]) -> tuple[str, list[tuple[int, int, str]]]:
    """The article text and its ``(start, end, label)`` spans; :class:`_Bad` names a line.

    One decoder for every scheme: ``B``/``S``/``U`` always start an entity, ``I``/``E``/``L``
    continue one of the same label (or start one, as IOB1 does), ``E``/``L``/``S``/``U``
    close it.
    """
    parts: list[str] = []
    spans: list[tuple[int, int, str]] = []
    offset = 0
    for s_index, sentence in enumerate(doc.sentences):
        if s_index:
            parts.append("\n")
            offset += 1
        open_span: tuple[int, int, str] | None = None
        for t_index, (token, tag, number) in enumerate(sentence):
            if t_index:
                parts.append(" ")
                offset += 1
            start, end = offset, offset + len(token)
            parts.append(token)
            offset = end
            if tag == "O":
                if open_span is not None:
                    spans.append(open_span)
                open_span = None
                continue
            match = _TAG.fullmatch(tag)
            if match is None:
                what = "has no tag column" if not tag else f"tag {tag!r} in the last column"
                raise _Bad(
                    number,
                    f"{what}: use O or B-, I-, E-, S- (or L-, U-) and a label, e.g. B-PER",
                )
            prefix, label = match[1], labels.get(match[2], match[2])
            if prefix in "BSU" or open_span is None or open_span[2] != label:
                if open_span is not None:
                    spans.append(open_span)
                open_span = (start, end, label)
            else:
                open_span = (open_span[0], end, label)
            if prefix in "ESLU":
                spans.append(open_span)
                open_span = None
        if open_span is not None:
            spans.append(open_span)
    return "".join(parts), spans


def read(path: Path, text: str, options: ReadOptions) -> Iterator[Record]:

    for doc in _documents(text):
        where = f"{path}:{doc.first}"
        try:
            article, spans = decode(doc, options.labels)
            raw = [RawSpan(s, e, label) for s, e, label in spans]
            entities, _ = entities_of(article, raw)
        except _Bad as exc:
            yield Record(f"{path}:{exc.line}", refused=f"{exc}; its document is not imported")
            continue
        except LineError as exc:
            yield Record(where, refused=str(exc))
            continue
        parsed = parsed_with_meta(article, entities, options.status or "in_progress", {})
        yield Record(where, parsed)


@register
class Conll(Format):
    name = "conll"
    help = "CoNLL IOB2 (token and tag a line)"
    suffix = ".conll"
    marks_unknown = False

    def write(self, plan: ExportPlan, progress: Progress = no_progress) -> Written:
        nlp = pipeline()

        def render(items: tuple[Item, ...], labels: Counter[str]) -> Iterator[str]:
            return lines(nlp, items, progress, labels)

        return write_parts(plan, self.suffix, render)

    def read(self, path: Path, options: ReadOptions) -> Iterator[Record]:

        try:
            text = path.read_bytes().decode("utf-8-sig").replace("\r\n", "\n")
        except UnicodeDecodeError:
            yield Record(str(path), refused="is not UTF-8 text")
            return
        yield from read(path, text, options)

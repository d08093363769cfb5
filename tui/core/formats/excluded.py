"""Leaving text marked as not article text out of every export, in one place.

Each format needs one of three shapes, and each writer calls one helper here:

- token formats (spaCy, CoNLL) cut tokens at the edges of every excluded range
  (:func:`cut_points`), then spaCy marks the tokens inside as *missing* — neither entity nor
  O, so a menu teaches the model nothing (:func:`mark_missing`), and CoNLL drops them with a
  sentence break where they were (:func:`excluded_tokens`);
- task formats (Prodigy JSONL, doccano, Label Studio) write one task per piece of article
  text (:func:`parts`), with its ``offset`` in the article in ``meta`` so an import can put
  the pieces back together (:func:`merge_parts`);
- whole-text formats (brat) blank the excluded characters, so offsets stay as they are
  (:func:`~tui.core.spans.blank`).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tui.core.article import Article, ArticleError, read_article
from tui.core.formats.records import LineError, Parsed, Record
from tui.core.formats.select import Item
from tui.core.spans import Entity, Range, SpanError, check_ranges, segments, trim

if TYPE_CHECKING:
    from spacy.tokens import Doc


OFFSET_KEY = "offset"  # in a task's meta: where its text starts in the article


def cut_points(item: Item) -> list[Entity]:
    """The item's entities plus zero-label markers at excluded edges, for ``align``.

    ``align`` splits tokens at every start and end it is given, so each token then lies
    wholly inside or wholly outside every excluded range.
    """
    marks = [Entity(start, end, "-") for start, end in item.excluded]
    return [*item.entities, *marks] if marks else list(item.entities)


def token_ranges(doc: Doc, ranges: Sequence[Range]) -> list[tuple[int, int]]:
    """Token ``[start, end)`` of each range in a doc aligned with :func:`cut_points`."""
    found = []
    for start, end in ranges:
        span = doc.char_span(start, end, alignment_mode="contract")
        if span is not None and len(span):
            found.append((span.start, span.end))
    return found


def excluded_tokens(doc: Doc, ranges: Sequence[Range]) -> set[int]:
    """Indices of the tokens inside excluded text."""
    return {i for start, end in token_ranges(doc, ranges) for i in range(start, end)}


def mark_missing(doc: Doc, ranges: Sequence[Range]) -> None:
    """Make the tokens of excluded text *missing* (not O), keeping every entity as it is."""
    if not ranges:
        return
    from spacy.tokens import Span

    missing = [Span(doc, start, end) for start, end in token_ranges(doc, ranges)]
    doc.set_ents(list(doc.ents), missing=missing, default="unmodified")


@dataclass(frozen=True)
class Part:
    """One piece of article text as an item of its own, and where it starts in the article."""

    item: Item
    offset: int
    cut: bool = False  # the article had excluded text: say where this piece starts


def parts(item: Item) -> list[Part]:
    """The item itself when nothing is excluded, else one item per non-blank piece of text.

    Each piece keeps the article's id and sha256, and its entities are shifted to the piece.
    """
    if not item.excluded:
        return [Part(item, 0)]
    found = []
    for start, end in segments(len(item.text), item.excluded):
        text = item.text[start:end]
        if not text.strip():
            continue
        entities = tuple(
            Entity(e.start - start, e.end - start, e.label, e.source)
            for e in item.entities
            if start <= e.start and e.end <= end
        )
        article = Article(item.article.id, item.article.path, text, item.article.sha256)
        piece = replace(item, article=article, entities=entities, excluded=())
        found.append(Part(piece, start, cut=True))
    return found


def with_offset(record: dict[str, Any], part: Part, meta_key: str = "meta") -> dict[str, Any]:
    """``record`` with the part's offset in its meta, when the article was cut in pieces."""
    if part.cut:
        record.setdefault(meta_key, {})[OFFSET_KEY] = part.offset
    return record


@dataclass(frozen=True)
class Piece:
    """One imported task that was a piece of an article."""

    offset: int
    text: str
    entities: tuple[Entity, ...]


def merge_parts(text: str, pieces: Sequence[Piece]) -> tuple[tuple[Entity, ...], tuple[Range, ...]]:
    """Entities in article offsets and the excluded ranges between the pieces.

    :class:`ValueError` when a piece's text is not the article's text at its offset, or
    pieces overlap: then the article is not the one that was exported.
    """
    entities: list[Entity] = []
    covered: list[Range] = []
    for piece in sorted(pieces, key=lambda p: p.offset):
        end = piece.offset + len(piece.text)
        if text[piece.offset : end] != piece.text:
            raise ValueError(f"the text at offset {piece.offset} is not the article's text there")
        if covered and piece.offset < covered[-1][1]:
            raise ValueError(f"the piece at offset {piece.offset} overlaps the one before")
        covered.append((piece.offset, end))
        entities.extend(
            Entity(e.start + piece.offset, e.end + piece.offset, e.label, e.source)
            for e in piece.entities
        )
    gaps = (trim(text, *gap) for gap in segments(len(text), covered))
    excluded = tuple(g for g in gaps if g is not None)
    return tuple(sorted(entities)), excluded


def join_records(records: Iterable[Record], articles: Path) -> Iterator[Record]:
    """``records`` with the pieces of each article joined into one record (after the rest).

    A piece refused on its own stays refused; the article's other pieces are then joined
    without it only if they still match the article, which :func:`join_pieces` checks.
    """

    pieces: dict[str | None, list[Record]] = {}
    for record in records:
        if record.parsed is not None and record.parsed.offset is not None:
            pieces.setdefault(record.parsed.article, []).append(record)
        else:
            yield record
    for group in pieces.values():
        where = ", ".join(r.where for r in group)
        try:
            joined = join_pieces([r.parsed for r in group if r.parsed is not None], articles)
        except LineError as exc:
            yield Record(where, refused=str(exc))
            continue
        notes = tuple(n for r in group for n in r.notes)
        yield Record(where, parsed=joined, notes=notes, who=group[0].who)


def join_pieces(pieces: Sequence[Parsed], articles: Path) -> Parsed:
    """Imported pieces of one article as the whole article, with the text between excluded.

    The excluded text was never exported, so the article must be in ``articles`` already;
    :class:`~tui.core.formats.records.LineError` says so when it is not.
    """

    first = pieces[0]
    if first.article is None:  # pragma: no cover - parse refuses an offset without one
        raise LineError("meta.offset needs a meta.article")
    try:
        article = read_article(articles, first.article)
    except ArticleError as exc:
        raise LineError(
            f"{exc}; these lines are pieces of that article (its excluded text was left out), "
            "so it must be in the articles folder to import them"
        ) from None
    got = [Piece(p.offset or 0, p.text, p.entities) for p in pieces]
    try:
        entities, excluded = merge_parts(article.text, got)
        check_ranges(article.text, excluded, entities)
    except (ValueError, SpanError) as exc:
        raise LineError(f"{article.path}: {exc}; not imported") from None
    return replace(
        first,
        text=article.text,
        entities=entities,
        excluded=excluded,
        offset=None,
        trimmed=sum(p.trimmed for p in pieces),
    )

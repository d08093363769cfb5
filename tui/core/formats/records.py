"""What every format's reader produces: a :class:`Record` per article of input, holding the
:class:`Parsed` article or why there is none, and the checks that make one.

This module imports no format, so every format and :mod:`~tui.core.formats.importing` (which
writes the records) can use it.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import Any

from tui.core.article import BOM, SUFFIX
from tui.core.edits import Status
from tui.core.spans import Entity, Range, Source, SpanError, check_entities, trim

IMPORTED_DIR = "imported"


class LineError(ValueError):
    """Why one input record cannot be imported; shown after its file and line."""


class Skipped(Exception):
    """A well-formed record that is not gold (rejected, ignored, a binary answer); counted."""


@dataclass(frozen=True)
class Parsed:
    text: str
    entities: tuple[Entity, ...]
    status: Status
    article: str | None = None
    sha256: str | None = None
    model: str | None = None
    annotator: str | None = None
    trimmed: int = 0
    note: str | None = None
    offset: int | None = None  # a piece of an article with excluded text (see formats.excluded)
    excluded: tuple[Range, ...] = ()
    meta: dict[str, Any] = field(default_factory=dict)  # the task's other meta: the TOML's [meta]


@dataclass(frozen=True)
class Record:
    """One article's worth of input, or why there is none; ``where`` is ``file:line``."""

    where: str
    parsed: Parsed | None = None
    refused: str | None = None
    skipped: str | None = None
    notes: tuple[str, ...] = ()
    who: str | None = None  # annotator or session, to tell conflicting records apart


def integer(value: Any, where: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise LineError(f"{where} should be an integer, found {json.dumps(value)}")
    return value


def string(value: Any, where: str) -> str:
    if not isinstance(value, str):
        raise LineError(f"{where} should be a string, found {json.dumps(value)}")
    return value


@dataclass(frozen=True)
class RawSpan:
    start: int
    end: int
    label: str
    source: Source = "user"
    origin: str | None = None
    text: str | None = None  # what the input says the span covers, checked when given
    where: str = ""
    score: float | None = None  # how sure the model was: kept on a suggestion only


def score_of(value: Any, where: str) -> float | None:
    """A span's ``score`` (Prodigy's, Label Studio's): absent, or a number from 0 to 1."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 1:
        raise LineError(f"{where} should be a number from 0 to 1, found {json.dumps(value)}")
    return round(float(value), 3)


def check_text(text: Any, field_name: str = '"text"') -> str:
    if not isinstance(text, str) or not text.strip():
        raise LineError(f"{field_name} is missing or empty")
    if "\x00" in text:
        raise LineError(f"{field_name} contains NUL characters")
    if text.startswith(BOM):
        raise LineError(f"{field_name} starts with a byte-order mark (U+FEFF); remove it")
    return text


def entities_of(
    text: str, raw: Iterable[RawSpan], labels: dict[str, str] | None = None
) -> tuple[tuple[Entity, ...], int]:
    """Checked, trimmed, sorted entities; :class:`LineError` names the first bad span."""
    found: dict[tuple[int, int, str], Entity] = {}
    trimmed = 0
    for span in raw:
        start, end = span.start, span.end
        where = f"{span.where}: " if span.where else ""
        if not 0 <= start < end <= len(text):
            raise LineError(f"{where}span {start}..{end} is outside the text (0..{len(text)})")
        if span.text is not None and span.text != text[start:end]:
            raise LineError(
                f"{where}text is {span.text!r} but the text has {text[start:end]!r} at "
                f"{start}..{end}; are the offsets in characters?"
            )
        label = (labels or {}).get(span.label, span.label)
        if not label.strip() or label != label.strip():
            raise LineError(
                f"{where}span {start}..{end} has an empty label or one with edge spaces"
            )
        bounds = trim(text, start, end)
        if bounds is None:
            raise LineError(f"{where}span {start}..{end} holds only whitespace")
        trimmed += bounds != (start, end)
        score = span.score if span.source == "model" else None
        entity = Entity(bounds[0], bounds[1], label, span.source, span.origin, score)
        found.setdefault((entity.start, entity.end, entity.label), entity)
    entities = tuple(sorted(found.values(), key=lambda e: (e.start, e.end, e.label)))
    try:
        check_entities(text, entities)
    except SpanError as exc:
        raise LineError(str(exc)) from None
    return entities, trimmed


def name_of(value: Any) -> str | None:
    return value if isinstance(value, str) and value.strip() else None


def parsed_with_meta(
    text: str,
    entities: tuple[Entity, ...],
    status: Status,
    meta: dict[str, Any],
    trimmed: int = 0,
    annotator: str | None = None,
) -> Parsed:
    """A parsed record; newsmark's own ``meta`` (article, sha256, model) restores the TOML."""
    note = None
    name = meta.get("article")
    article = safe_article_id(name)
    if name is not None and article is None:
        note = f"meta.article {name!r} is not a relative .txt path; stored under {IMPORTED_DIR}/"
    sha = meta.get("sha256")
    offset = meta.get("offset")  # a piece of an article with excluded text
    if offset is not None and (article is None or integer(offset, "meta.offset") < 0):
        raise LineError("meta.offset needs a meta.article and should be 0 or more")
    return Parsed(
        offset=offset,
        text=text,
        entities=entities,
        status=status,
        article=article,
        sha256=sha if isinstance(sha, str) else None,
        model=name_of(meta.get("model")),
        annotator=annotator or name_of(meta.get("annotator")),
        trimmed=trimmed,
        note=note,
        meta=page_meta(meta),
    )


OWN_META = ("article", "sha256", "status", "model", "annotator", "offset")
"""The keys of a task's ``meta`` that newsmark itself writes and reads; the rest is the
article's ``[meta]``."""


def page_meta(meta: dict[str, Any]) -> dict[str, Any]:
    """A task's ``meta`` without newsmark's own keys, as the TOML can hold it: no nulls (TOML
    has none), the known keys as strings."""
    from tui.core.store import META_KEYS

    kept: dict[str, Any] = {}
    for key, value in meta.items():
        if key in OWN_META or not isinstance(key, str):
            continue
        clean = _tomlable(value)
        if clean is None:
            continue
        kept[key] = clean if key not in META_KEYS or isinstance(clean, str) else str(clean)
    return kept


def _tomlable(value: Any) -> Any:
    """``value`` without JSON nulls (dropped from lists and tables), ``None`` if nothing is left."""
    if isinstance(value, dict):
        found = {str(k): _tomlable(v) for k, v in value.items()}
        return {k: v for k, v in found.items() if v is not None}
    if isinstance(value, list):
        return [v for v in (_tomlable(x) for x in value) if v is not None]
    return value


def safe_article_id(name: object) -> str | None:
    """``name`` if it is a relative ``.txt`` path that stays inside the articles folder."""
    if not isinstance(name, str) or not name.endswith(SUFFIX) or "\\" in name:
        return None
    path = PurePosixPath(name)
    if path.is_absolute() or any(p in ("", ".", "..") or p.startswith(".") for p in path.parts):
        return None
    if path.as_posix() != name:
        return None
    return name

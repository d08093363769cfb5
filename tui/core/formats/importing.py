"""Reading Prodigy and doccano JSONL back into articles and TOML annotations.

Each line is checked on its own and either fully written (article, then TOML) or reported
with the reason, so one bad line never costs the others. Spans with whitespace at an edge
are trimmed (as the reader trims a selection) and counted; spans that overlap, fall outside
the text or hold only whitespace reject the line, because there is no safe guess.
Nothing is overwritten: an article with the same name but other text is refused, and an
existing TOML only with ``force``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from pathlib import Path, PurePosixPath
from typing import Any, cast

from tui.core import store
from tui.core.article import BOM, SUFFIX, ArticleError, read_article, sha256_bytes
from tui.core.edits import STATUSES, Status
from tui.core.formats import prodigy
from tui.core.fsutil import atomic_write
from tui.core.spans import SOURCES, Entity, Range, Source, SpanError, check_entities, trim
from tui.core.store import Annotation, StoreError

IMPORTED_DIR = "imported"


class LineError(ValueError):
    """Why one input line cannot be imported; the message is shown after its line number."""


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


@dataclass(frozen=True)
class Placed:
    article: str
    toml: Path
    wrote_article: bool
    wrote_toml: bool


def _int(value: Any, where: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise LineError(f"{where} should be an integer, found {json.dumps(value)}")
    return value


def _str(value: Any, where: str) -> str:
    if not isinstance(value, str):
        raise LineError(f"{where} should be a string, found {json.dumps(value)}")
    return value


RawSpan = tuple[int, int, str, Source]


def _source(value: Any, where: str) -> Source:
    """A span's ``source`` as newsmark exports it; anything imported without one is a person's."""
    if value is None:
        return "user"
    if value not in SOURCES:
        raise LineError(f"{where} should be one of {', '.join(SOURCES)}, found {json.dumps(value)}")
    return cast(Source, value)


def _objects(raw: Any, key: str, start: str, end: str) -> list[RawSpan]:
    """Spans given as a list of objects (Prodigy's ``spans``, doccano's ``entities``)."""
    if not isinstance(raw, list):
        raise LineError(f'"{key}" should be a list')
    spans = []
    for i, item in enumerate(raw):
        if not isinstance(item, dict):
            raise LineError(f"{key}[{i}] should be an object")
        spans.append(
            (
                _int(item.get(start), f"{key}[{i}].{start}"),
                _int(item.get(end), f"{key}[{i}].{end}"),
                _str(item.get("label"), f"{key}[{i}].label"),
                _source(item.get("source"), f"{key}[{i}].source"),
            )
        )
    return spans


def _raw_spans(record: dict[str, Any], fmt: str) -> list[RawSpan]:
    if fmt == "jsonl":
        if "spans" not in record and isinstance(record.get("label"), list) and record["label"]:
            raise LineError('has no "spans" but a "label" list; for doccano pass --format doccano')
        return _objects(record.get("spans", []), "spans", "start", "end")
    if "entities" in record and "label" not in record:  # doccano's newer export
        return _objects(record["entities"], "entities", "start_offset", "end_offset")
    raw = record.get("label", [])
    if not isinstance(raw, list):
        raise LineError('"label" should be a list of [start, end, "LABEL"]')
    spans: list[RawSpan] = []
    for i, item in enumerate(raw):
        if not isinstance(item, list) or len(item) != 3:
            raise LineError(f'label[{i}] should be [start, end, "LABEL"]')
        spans.append(
            (
                _int(item[0], f"label[{i}][0]"),
                _int(item[1], f"label[{i}][1]"),
                _str(item[2], f"label[{i}][2]"),
                "user",
            )
        )
    return spans


def _entities(text: str, raw: list[RawSpan]) -> tuple[tuple[Entity, ...], int]:
    found: set[Entity] = set()
    trimmed = 0
    for start, end, label, source in raw:
        if not 0 <= start < end <= len(text):
            raise LineError(f"span {start}..{end} is outside the text (0..{len(text)})")
        if not label.strip() or label != label.strip():
            raise LineError(f"span {start}..{end} has an empty label or one with edge spaces")
        bounds = trim(text, start, end)
        if bounds is None:
            raise LineError(f"span {start}..{end} holds only whitespace")
        trimmed += bounds != (start, end)
        found.add(Entity(bounds[0], bounds[1], label, source))
    entities = tuple(sorted(found))
    try:
        check_entities(text, entities)
    except SpanError as exc:
        raise LineError(str(exc)) from None
    return entities, trimmed


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


def stable_id(text: str) -> str:
    return f"{IMPORTED_DIR}/{sha256_bytes(text.encode('utf-8'))[:16]}{SUFFIX}"


def parse(line: str, fmt: str, status: Status | None = None) -> Parsed:
    """One input line; :class:`LineError` says what is wrong with it.

    ``status`` forces the status (doccano has none of its own); otherwise Prodigy's
    ``answer`` decides, or our ``meta.status`` for doccano, else ``in_progress``.
    """
    try:
        record = json.loads(line)
    except json.JSONDecodeError as exc:
        raise LineError(f"is not valid JSON ({exc.msg} at column {exc.colno})") from None
    if not isinstance(record, dict):
        raise LineError("should be a JSON object")
    text = record.get("text")
    if not isinstance(text, str) or not text.strip():
        raise LineError('"text" is missing or empty')
    if "\x00" in text:
        raise LineError('"text" contains NUL characters')
    if text.startswith(BOM):
        raise LineError('"text" starts with a byte-order mark (U+FEFF); remove it')
    entities, trimmed = _entities(text, _raw_spans(record, fmt))
    meta = record.get("meta")
    meta = meta if isinstance(meta, dict) else {}
    chosen: Status
    if status is not None:
        chosen = status
    elif fmt == "jsonl":
        try:
            chosen = prodigy.status_from(record)
        except ValueError as exc:
            raise LineError(str(exc)) from None
    else:
        known = [s for s in STATUSES if s == meta.get("status")]
        chosen = known[0] if known else "in_progress"
    note = None
    name = meta.get("article")
    article = safe_article_id(name)
    if name is not None and article is None:
        note = f"meta.article {name!r} is not a relative .txt path; stored under {IMPORTED_DIR}/"
    sha = meta.get("sha256")
    offset = meta.get("offset")
    if offset is not None and (article is None or _int(offset, "meta.offset") < 0):
        raise LineError("meta.offset needs a meta.article and should be 0 or more")
    return Parsed(
        offset=offset,
        text=text,
        entities=entities,
        status=chosen,
        article=article,
        sha256=sha if isinstance(sha, str) else None,
        model=meta.get("model") if isinstance(meta.get("model"), str) else None,
        annotator=meta.get("annotator") if isinstance(meta.get("annotator"), str) else None,
        trimmed=trimmed,
        note=note,
    )


def _same(a: Annotation, b: Annotation) -> bool:
    return replace(a, updated=None) == replace(b, updated=None)


def place(
    parsed: Parsed,
    articles: Path,
    annotations: Path,
    *,
    force: bool = False,
    annotator: str | None = None,
) -> Placed:
    """Write the article (unless identical text is there) and its TOML."""
    article_id = parsed.article or stable_id(parsed.text)
    data = parsed.text.encode("utf-8")
    if parsed.sha256 is not None and sha256_bytes(BOM.encode() + data) == parsed.sha256:
        data = BOM.encode() + data  # the original file had a BOM: keep its bytes and sha256
    path = articles / article_id
    wrote_article = False
    if path.exists():
        try:
            existing = read_article(articles, article_id)
        except ArticleError as exc:
            raise LineError(f"{exc}; not overwritten") from None
        if existing.text != parsed.text:
            raise LineError(f"{path} already exists with other text; not overwritten")
        sha = existing.sha256
    else:
        atomic_write(path, data)
        sha = sha256_bytes(data)
        wrote_article = True
    annotation = Annotation(
        article=article_id,
        sha256=sha,
        status=parsed.status,
        entities=parsed.entities,
        model=parsed.model,
        annotator=parsed.annotator or annotator,
        updated=store.now(),
        excluded=parsed.excluded,
    )
    toml = store.annotation_path(annotations, article_id)
    if toml.exists() and not force:
        try:
            current = store.load(toml, read_article(articles, article_id)).annotation
        except (StoreError, ArticleError):
            current = None
        if current is not None and _same(current, annotation):
            return Placed(article_id, toml, wrote_article, False)
        raise LineError(f"{toml} already exists; pass --force to overwrite it")
    store.save(toml, annotation, parsed.text)
    return Placed(article_id, toml, wrote_article, True)

"""Bringing annotations made elsewhere into articles and TOML files, record by record.

A format's reader turns its input into :class:`Record` objects: a parsed article, or the
reason it is refused (malformed: named by file, line and field) or skipped (not gold, such
as a rejected Prodigy task). :func:`bring_in` then writes each parsed record on its own, so
one bad record never costs the others. Records holding the same text but different
annotations (two annotators, two sessions) are conflicts: none of them is written, and all
are reported, because merging would invent decisions nobody made.

Spans with whitespace at an edge are trimmed (as the reader trims a selection) and counted;
spans that overlap, fall outside the text or hold only whitespace refuse the record.
Nothing is overwritten: an article with the same name but other text is refused, and an
existing TOML only with ``force``.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path, PurePosixPath
from typing import Any

from tui.core import store
from tui.core.article import BOM, SUFFIX, ArticleError, read_article, sha256_bytes
from tui.core.edits import STATUSES, Status
from tui.core.formats import prodigy
from tui.core.fsutil import atomic_write
from tui.core.spans import SOURCES, Entity, Range, Source, SpanError, check_entities, trim
from tui.core.store import Annotation, StoreError

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


@dataclass(frozen=True)
class Record:
    """One article's worth of input, or why there is none; ``where`` is ``file:line``."""

    where: str
    parsed: Parsed | None = None
    refused: str | None = None
    skipped: str | None = None
    notes: tuple[str, ...] = ()
    who: str | None = None  # annotator or session, to tell conflicting records apart


@dataclass(frozen=True)
class Placed:
    article: str
    toml: Path
    wrote_article: bool
    wrote_toml: bool


@dataclass(frozen=True)
class Conflict:
    """Records with the same text and different annotations; none of them was written."""

    wheres: tuple[str, ...]
    who: tuple[str, ...]
    text: str


@dataclass
class Report:
    imported: int = 0
    unchanged: int = 0
    new_articles: int = 0
    duplicates: int = 0
    refused: list[tuple[str, str]] = field(default_factory=list)
    skipped: Counter[str] = field(default_factory=Counter)
    conflicts: list[Conflict] = field(default_factory=list)
    notes: list[tuple[str, str]] = field(default_factory=list)

    @property
    def failed(self) -> bool:
        return bool(self.refused or self.conflicts)


def _int(value: Any, where: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise LineError(f"{where} should be an integer, found {json.dumps(value)}")
    return value


def _str(value: Any, where: str) -> str:
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
        entity = Entity(bounds[0], bounds[1], label, span.source, span.origin)
        found.setdefault((entity.start, entity.end, entity.label), entity)
    entities = tuple(sorted(found.values(), key=lambda e: (e.start, e.end, e.label)))
    try:
        check_entities(text, entities)
    except SpanError as exc:
        raise LineError(str(exc)) from None
    return entities, trimmed


def _objects(raw: Any, key: str, start: str, end: str) -> list[RawSpan]:
    """doccano's newer ``entities``: a list of objects with offsets and a label."""
    if not isinstance(raw, list):
        raise LineError(f'"{key}" should be a list')
    spans = []
    for i, item in enumerate(raw):
        if not isinstance(item, dict):
            raise LineError(f"{key}[{i}] should be an object")
        spans.append(
            RawSpan(
                _int(item.get(start), f"{key}[{i}].{start}"),
                _int(item.get(end), f"{key}[{i}].{end}"),
                _str(item.get("label"), f"{key}[{i}].label"),
            )
        )
    return spans


def _doccano_spans(record: dict[str, Any]) -> list[RawSpan]:
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
            RawSpan(
                _int(item[0], f"label[{i}][0]"),
                _int(item[1], f"label[{i}][1]"),
                _str(item[2], f"label[{i}][2]"),
            )
        )
    return spans


def _name(value: Any) -> str | None:
    return value if isinstance(value, str) and value.strip() else None


def _token_offset(tokens: Any, index: Any, key: str, where: str) -> int:
    """A span given by token indices only: its offset from Prodigy's ``tokens``."""
    if not isinstance(tokens, list):
        raise LineError(f"{where} has no start/end and the task has no tokens to find them")
    i = _int(index, where)
    if not 0 <= i < len(tokens) or not isinstance(tokens[i], dict):
        raise LineError(f"{where} {i} is not a token of this task (0..{len(tokens) - 1})")
    return _int(tokens[i].get(key), f"tokens[{i}].{key}")


def _prodigy_span(item: Any, i: int, tokens: Any, *, own: bool, accepted: bool) -> RawSpan:
    """One of Prodigy's ``spans``; its ``source`` becomes ``origin`` when it is a name.

    In Prodigy ``source`` names whatever suggested the span (``en_core_web_sm``,
    ``./my-model``, ``patterns.jsonl``). Once someone accepted the task the span is theirs;
    before that it is still a suggestion. newsmark's own export says ``user`` or ``model``.
    """
    where = f"spans[{i}]"
    if not isinstance(item, dict):
        raise LineError(f"{where} should be an object")
    if "start" in item or "token_start" not in item:
        start = _int(item.get("start"), f"{where}.start")
    else:
        start = _token_offset(tokens, item["token_start"], "start", f"{where}.token_start")
    if "end" in item or "token_end" not in item:
        end = _int(item.get("end"), f"{where}.end")
    else:
        end = _token_offset(tokens, item["token_end"], "end", f"{where}.token_end")
    label = _str(item.get("label"), f"{where}.label")
    raw_source = item.get("source")
    source: Source
    origin = _name(item.get("origin")) if own else None
    if own and raw_source in SOURCES:
        source = "user" if raw_source == "user" else "model"
    else:
        name = _name(raw_source)
        source = "user" if accepted or name in (None, "user") else "model"
        origin = name if name not in (None, "user", "model") else origin
    text = item.get("text") if isinstance(item.get("text"), str) else None
    return RawSpan(start, end, label, source, origin, text, where)


def is_own(meta: dict[str, Any]) -> bool:
    """Written by newsmark's export (its ``meta`` names a status and the article's sha256), so
    statuses and span sources are ours and round-trip as they are."""
    sha = meta.get("sha256")
    return meta.get("status") in STATUSES and isinstance(sha, str) and len(sha) == 64


def _binary(record: dict[str, Any], spans: list[Any]) -> bool:
    """A ``ner.teach`` answer: yes or no about one suggested span, not a full annotation."""
    if record.get("_view_id") == "ner":
        return True
    if any(isinstance(s, dict) and "answer" in s for s in spans):
        return True
    return isinstance(record.get("label"), str) and len(spans) == 1


def _prodigy(
    record: dict[str, Any], text: str, meta: dict[str, Any], status: Status | None
) -> tuple[list[RawSpan], Status]:
    answer = record.get("answer")
    if answer is not None and answer not in prodigy.STATUS_FOR_ANSWER:
        raise LineError(f"answer {answer!r} is not accept, reject or ignore")
    raw = record.get("spans", [])
    if "spans" not in record and isinstance(record.get("label"), list) and record["label"]:
        raise LineError('has no "spans" but a "label" list; for doccano pass --format doccano')
    if raw is None:
        raw = []
    if not isinstance(raw, list):
        raise LineError('"spans" should be a list')
    own = is_own(meta)
    if not own:
        if answer == "ignore":
            raise Skipped("answer ignore (skipped in Prodigy)")
        if _binary(record, raw):
            raise Skipped(f"a binary ner.teach answer ({answer or 'none'}) about one span")
        if answer == "reject":
            raise Skipped("answer reject (not gold)")
    tokens = record.get("tokens")
    spans = [
        _prodigy_span(item, i, tokens, own=own, accepted=answer == "accept")
        for i, item in enumerate(raw)
    ]
    if status is not None:
        return spans, status
    if own:
        return spans, prodigy.status_from(record)
    return spans, "accepted" if answer == "accept" else "in_progress"


def parse(line: str, fmt: str, status: Status | None = None) -> Parsed:
    """One JSONL line; :class:`LineError` says what is wrong, :class:`Skipped` why it is not gold.

    ``status`` forces the status (doccano has none of its own); otherwise Prodigy's
    ``answer`` decides, or our ``meta.status`` for doccano, else ``in_progress``.
    """
    try:
        record = json.loads(line)
    except json.JSONDecodeError as exc:
        raise LineError(f"is not valid JSON ({exc.msg} at column {exc.colno})") from None
    if not isinstance(record, dict):
        raise LineError("should be a JSON object")
    return from_record(record, fmt, status)


def from_record(record: dict[str, Any], fmt: str, status: Status | None = None) -> Parsed:
    text = check_text(record.get("text"))
    meta = record.get("meta")
    meta = meta if isinstance(meta, dict) else {}
    chosen: Status
    if fmt == "jsonl":
        raw, chosen = _prodigy(record, text, meta, status)
        annotator = _name(meta.get("annotator")) or _name(record.get("_annotator_id"))
    else:
        raw = _doccano_spans(record)
        known = [s for s in STATUSES if s == meta.get("status")]
        chosen = status or (known[0] if known else "in_progress")
        annotator = _name(meta.get("annotator"))
    entities, trimmed = entities_of(text, raw)
    return parsed_with_meta(text, entities, chosen, meta, trimmed, annotator)


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
    if offset is not None and (article is None or _int(offset, "meta.offset") < 0):
        raise LineError("meta.offset needs a meta.article and should be 0 or more")
    return Parsed(
        offset=offset,
        text=text,
        entities=entities,
        status=status,
        article=article,
        sha256=sha if isinstance(sha, str) else None,
        model=_name(meta.get("model")),
        annotator=annotator or _name(meta.get("annotator")),
        trimmed=trimmed,
        note=note,
    )


def who_of(record: dict[str, Any]) -> str | None:
    """Prodigy's annotator or session, to tell people which tasks disagree."""
    for key in ("_annotator_id", "_session_id"):
        if _name(record.get(key)):
            return str(record[key])
    return None


def read_lines(path: Path, data: bytes, fmt: str, status: Status | None) -> list[Record]:
    """JSONL: one record a line, each refused or skipped on its own."""
    records: list[Record] = []
    for number, raw in enumerate(data.split(b"\n"), start=1):
        if number == 1 and raw.startswith(b"\xef\xbb\xbf"):
            raw = raw[3:]
        if not raw.strip():
            continue
        where = f"{path}:{number}"
        try:
            try:
                line = raw.decode("utf-8")
            except UnicodeDecodeError:
                raise LineError("is not UTF-8 text") from None
            record = json.loads(line)
            if not isinstance(record, dict):
                raise LineError("should be a JSON object")
            who = who_of(record)
            parsed = from_record(record, fmt, status)
        except json.JSONDecodeError as exc:
            records.append(
                Record(where, refused=f"is not valid JSON ({exc.msg} at column {exc.colno})")
            )
            continue
        except LineError as exc:
            records.append(Record(where, refused=str(exc)))
            continue
        except Skipped as exc:
            records.append(Record(where, skipped=str(exc)))
            continue
        records.append(Record(where, parsed, who=who))
    return records


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


def _preview(text: str) -> str:
    first = " ".join(text.split())
    return first if len(first) <= 40 else first[:39] + "…"


def bring_in(
    records: Iterable[Record],
    articles: Path,
    annotations: Path,
    *,
    force: bool = False,
    annotator: str | None = None,
) -> Report:
    """Write every parsed record that no other record contradicts; report everything else."""
    from tui.core.formats.excluded import join_records

    report = Report()
    groups: dict[tuple[str, str], list[Record]] = defaultdict(list)
    for record in join_records(records, articles):
        report.notes.extend((record.where, n) for n in record.notes)
        if record.refused is not None:
            report.refused.append((record.where, record.refused))
        elif record.skipped is not None:
            report.skipped[record.skipped] += 1
        elif record.parsed is not None:
            groups[(record.parsed.article or "", record.parsed.text)].append(record)
    for (_, text), group in groups.items():
        decisions = {(r.parsed.entities, r.parsed.status) for r in group if r.parsed}
        if len(decisions) > 1:
            who = tuple(sorted({r.who for r in group if r.who}))
            report.conflicts.append(Conflict(tuple(r.where for r in group), who, _preview(text)))
            continue
        report.duplicates += len(group) - 1
        _place_one(group[0], articles, annotations, force, annotator, report)
    return report


def _place_one(
    record: Record,
    articles: Path,
    annotations: Path,
    force: bool,
    annotator: str | None,
    report: Report,
) -> None:
    parsed = record.parsed
    assert parsed is not None
    try:
        placed = place(parsed, articles, annotations, force=force, annotator=annotator)
    except LineError as exc:
        report.refused.append((record.where, str(exc)))
        return
    except OSError as exc:
        report.refused.append((record.where, f"could not write ({exc}); skipped"))
        return
    if parsed.note:
        report.notes.append((record.where, parsed.note))
    if parsed.trimmed:
        report.notes.append(
            (
                record.where,
                f"trimmed whitespace from the edges of {parsed.trimmed} span(s)",
            )
        )
    report.new_articles += placed.wrote_article
    report.imported += placed.wrote_toml
    report.unchanged += not placed.wrote_toml

"""Reading JSON lines: Prodigy's tasks and doccano's records, one record a line.

Each line is refused (malformed: named by field), skipped (not gold, such as a rejected or
binary Prodigy answer) or parsed on its own. Prodigy's answers and newsmark's statuses are
mapped here, for reading and for the export alike.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tui.core.edits import STATUSES, Status
from tui.core.formats.records import (
    LineError,
    Parsed,
    RawSpan,
    Record,
    Skipped,
    check_text,
    entities_of,
    integer,
    name_of,
    parsed_with_meta,
    score_of,
    string,
)
from tui.core.spans import SOURCES, Source

ANSWERS: dict[Status, str] = {
    "accepted": "accept",
    "rejected": "reject",
    "skipped": "ignore",
    "in_progress": "ignore",
    "unreviewed": "ignore",
}
STATUS_FOR_ANSWER: dict[str, Status] = {
    "accept": "accepted",
    "reject": "rejected",
    "ignore": "skipped",
}


def status_from(record: dict[str, Any]) -> Status:
    """The answer decides; ``meta.status`` only refines ``ignore`` (e.g. in_progress).

    A file edited in Prodigy may change the answer but not our meta, so meta never
    overrides a different answer. No answer at all means nobody has reviewed it yet.
    """
    answer = record.get("answer")
    if answer is None:
        return "in_progress"
    if answer not in STATUS_FOR_ANSWER:
        raise ValueError(f"answer {answer!r} is not accept, reject or ignore")
    meta = record.get("meta")
    if isinstance(meta, dict):
        for status, its_answer in ANSWERS.items():
            if meta.get("status") == status and its_answer == answer:
                return status
    return STATUS_FOR_ANSWER[answer]


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
                integer(item.get(start), f"{key}[{i}].{start}"),
                integer(item.get(end), f"{key}[{i}].{end}"),
                string(item.get("label"), f"{key}[{i}].label"),
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
                integer(item[0], f"label[{i}][0]"),
                integer(item[1], f"label[{i}][1]"),
                string(item[2], f"label[{i}][2]"),
            )
        )
    return spans


def _token_offset(tokens: Any, index: Any, key: str, where: str) -> int:
    """A span given by token indices only: its offset from Prodigy's ``tokens``."""
    if not isinstance(tokens, list):
        raise LineError(f"{where} has no start/end and the task has no tokens to find them")
    i = integer(index, where)
    if not 0 <= i < len(tokens) or not isinstance(tokens[i], dict):
        raise LineError(f"{where} {i} is not a token of this task (0..{len(tokens) - 1})")
    return integer(tokens[i].get(key), f"tokens[{i}].{key}")


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
        start = integer(item.get("start"), f"{where}.start")
    else:
        start = _token_offset(tokens, item["token_start"], "start", f"{where}.token_start")
    if "end" in item or "token_end" not in item:
        end = integer(item.get("end"), f"{where}.end")
    else:
        end = _token_offset(tokens, item["token_end"], "end", f"{where}.token_end")
    label = string(item.get("label"), f"{where}.label")
    raw_source = item.get("source")
    source: Source
    origin = name_of(item.get("origin")) if own else None
    if own and raw_source in SOURCES:
        source = "user" if raw_source == "user" else "model"
    else:
        name = name_of(raw_source)
        source = "user" if accepted or name in (None, "user") else "model"
        origin = name if name not in (None, "user", "model") else origin
    text = item.get("text") if isinstance(item.get("text"), str) else None
    score = score_of(item.get("score"), f"{where}.score")
    return RawSpan(start, end, label, source, origin, text, where, score)


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
    if answer is not None and answer not in STATUS_FOR_ANSWER:
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
        return spans, status_from(record)
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


def from_record(
    record: dict[str, Any],
    fmt: str,
    status: Status | None = None,
    labels: dict[str, str] | None = None,
) -> Parsed:
    text = check_text(record.get("text"))
    meta = record.get("meta")
    meta = meta if isinstance(meta, dict) else {}
    chosen: Status
    if fmt == "jsonl":
        raw, chosen = _prodigy(record, text, meta, status)
        annotator = name_of(meta.get("annotator")) or name_of(record.get("_annotator_id"))
    else:
        raw = _doccano_spans(record)
        known = [s for s in STATUSES if s == meta.get("status")]
        chosen = status or (known[0] if known else "in_progress")
        annotator = name_of(meta.get("annotator"))
    entities, trimmed = entities_of(text, raw, labels)
    return parsed_with_meta(text, entities, chosen, meta, trimmed, annotator)


def who_of(record: dict[str, Any]) -> str | None:
    """Prodigy's annotator or session, to tell people which tasks disagree."""
    for key in ("_annotator_id", "_session_id"):
        if name_of(record.get(key)):
            return str(record[key])
    return None


def read_lines(
    path: Path,
    data: bytes,
    fmt: str,
    status: Status | None,
    labels: dict[str, str] | None = None,
) -> list[Record]:
    """JSONL: one record a line, each refused or skipped on its own; ``labels`` renames."""
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
            parsed = from_record(record, fmt, status, labels)
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

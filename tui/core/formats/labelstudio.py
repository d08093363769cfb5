"""Label Studio's JSON tasks: ``data.text`` with ``annotations`` and ``predictions``.

Each task's ``result`` regions are ``{"type": "labels", "value": {"start", "end", "text",
"labels": [LABEL]}, "from_name": "label", "to_name": "text"}`` with code-point offsets, as
ours. A person's entities are written as the task's one annotation (cancelled when the
article was rejected or skipped) and the model's as a prediction; ``data.meta`` keeps the
article id, sha256 and status so an import restores the TOML exactly.

Reading a project's export (``JSON``, or ``JSON_MIN`` with ``text`` and the regions beside
it): each annotation that was not cancelled is an accepted article;
a task annotated by several people differently is a conflict (see ``importing``); a task
with only predictions is in_progress with the model's spans; regions of other types
(choices, relations, text areas) are counted and skipped.
"""

from __future__ import annotations

import itertools
import json
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

from tui.core.formats.base import (
    ExportPlan,
    Format,
    Progress,
    ReadOptions,
    Written,
    no_progress,
    register,
)
from tui.core.formats.excluded import parts, with_offset
from tui.core.formats.lines import is_own
from tui.core.formats.records import (
    LineError,
    RawSpan,
    Record,
    check_text,
    entities_of,
    integer,
    parsed_with_meta,
    score_of,
    string,
)
from tui.core.formats.select import Item
from tui.core.fsutil import atomic_write_chunks
from tui.core.spans import Entity, Source

FROM_NAME = "label"
TO_NAME = "text"


def labeling_config(labels: Sequence[str]) -> str:
    """The project's labelling interface that matches these tasks."""
    body = "".join(f'    <Label value="{label}"/>\n' for label in sorted(set(labels)))
    return (
        f'<View>\n  <Labels name="{FROM_NAME}" toName="{TO_NAME}">\n{body}  </Labels>\n'
        f'  <Text name="{TO_NAME}" value="$text"/>\n</View>\n'
    )


def _region(task_id: int, n: int, text: str, entity: Entity) -> dict[str, Any]:
    region: dict[str, Any] = {
        "id": f"{task_id}-{n}",
        "from_name": FROM_NAME,
        "to_name": TO_NAME,
        "type": "labels",
        "origin": "manual" if entity.source == "user" else "prediction",
        "value": {
            "start": entity.start,
            "end": entity.end,
            "text": text[entity.start : entity.end],
            "labels": [entity.label],
        },
    }
    if entity.origin is not None:
        region["meta"] = {"origin": entity.origin}
    if entity.score is not None and entity.source == "model":
        region["score"] = entity.score
    return region


def task(item: Item, task_id: int) -> dict[str, Any]:
    meta = item.meta()
    user = [e for e in item.entities if e.source == "user"]
    model = [e for e in item.entities if e.source == "model"]
    result: dict[str, Any] = {"id": task_id, "data": {"text": item.text, "meta": meta}}
    result["annotations"] = (
        [
            {
                "id": task_id,
                "result": [_region(task_id, n, item.text, e) for n, e in enumerate(user)],
                "was_cancelled": item.status in ("rejected", "skipped"),
                "ground_truth": False,
                "lead_time": 0,
            }
        ]
        if item.status != "unreviewed" or user
        else []
    )
    result["predictions"] = (
        [
            {
                "id": task_id,
                "model_version": item.model or "unknown",
                "result": [
                    _region(task_id, n, item.text, e) for n, e in enumerate(model, len(user))
                ],
            }
        ]
        if model
        else []
    )
    return result


# -- reading ------------------------------------------------------------------------------


def _regions(raw: Any, where: str, source: Source, origin: str | None) -> tuple[list[RawSpan], int]:
    """The ``labels`` regions of one result list, and how many regions of other types."""

    if raw is None:
        return [], 0
    if not isinstance(raw, list):
        raise LineError(f"{where} should be a list")
    spans: list[RawSpan] = []
    others = 0
    for i, region in enumerate(raw):
        at = f"{where}[{i}]"
        if not isinstance(region, dict):
            raise LineError(f"{at} should be an object")
        if region.get("type", "labels") != "labels":
            others += 1
            continue
        value = region.get("value")
        if not isinstance(value, dict):
            raise LineError(f"{at}.value should be an object")
        labels = value.get("labels")
        if not isinstance(labels, list) or not labels:
            raise LineError(f"{at}.value.labels should be a list of one label")
        if len(labels) > 1:
            raise LineError(
                f"{at}.value.labels has {len(labels)} labels; newsmark gives a span one"
            )
        meta = region.get("meta")
        kept = meta.get("origin") if isinstance(meta, dict) else None
        text = value.get("text") if isinstance(value.get("text"), str) else None
        spans.append(
            RawSpan(
                integer(value.get("start"), f"{at}.value.start"),
                integer(value.get("end"), f"{at}.value.end"),
                string(labels[0], f"{at}.value.labels[0]"),
                source,
                kept if isinstance(kept, str) and kept.strip() else origin,
                text,
                at,
                score_of(region.get("score"), f"{at}.score"),
            )
        )
    return spans, others


def _who(annotation: dict[str, Any]) -> str | None:
    person = annotation.get("completed_by")
    if isinstance(person, dict):
        person = person.get("email") or person.get("id")
    if isinstance(person, bool) or person is None:
        return None
    return str(person)


def _text(data: Any) -> str:

    if not isinstance(data, dict):
        raise LineError("data should be an object holding the text")
    if "text" in data:
        return check_text(data["text"], "data.text")
    strings = [v for v in data.values() if isinstance(v, str)]
    if len(strings) != 1:
        raise LineError("data.text is missing (name the text field 'text' in the project)")
    return check_text(strings[0], "data")


def _from_min(raw: dict[str, Any]) -> dict[str, Any]:
    """Label Studio's ``JSON_MIN`` export (``text`` and a list of regions per control) as a
    full task with one annotation."""
    regions = [
        {"type": "labels", "value": region}
        for key, value in raw.items()
        if key != "data" and isinstance(value, list)
        for region in value
        if isinstance(region, dict) and "labels" in region
    ]
    annotation = {"result": regions, "completed_by": raw.get("annotator")}
    return {"id": raw.get("id"), "data": {"text": raw["text"]}, "annotations": [annotation]}


def read_task(where: str, raw: Any, options: ReadOptions) -> Iterator[Record]:
    """The records of one task: one per annotation that was not cancelled."""

    try:
        if not isinstance(raw, dict):
            raise LineError("should be a JSON object (a Label Studio task)")
        if "data" not in raw and isinstance(raw.get("text"), str):
            raw = _from_min(raw)
        text = _text(raw.get("data"))
        data = raw["data"]
        meta = data.get("meta") if isinstance(data.get("meta"), dict) else raw.get("meta")
        meta = meta if isinstance(meta, dict) else {}
        annotations = raw.get("annotations", raw.get("completions")) or []
        predictions = raw.get("predictions") or []
        if not isinstance(annotations, list) or not isinstance(predictions, list):
            raise LineError("annotations and predictions should be lists")
        if is_own(meta):
            spans, others = [], 0
            sides: tuple[tuple[str, list[Any], Source], ...] = (
                ("annotations", annotations, "user"),
                ("predictions", predictions, "model"),
            )
            for key, items, source in sides:
                if items and isinstance(items[0], dict):
                    found, n = _regions(items[0].get("result"), f"{key}[0].result", source, None)
                    spans += found
                    others += n
            entities, trimmed = entities_of(text, spans, options.labels)
            parsed = parsed_with_meta(
                text, entities, options.status or meta["status"], meta, trimmed
            )
            yield Record(where, parsed, notes=_skipped_regions(others))
            return
        live = [
            (i, a)
            for i, a in enumerate(annotations)
            if isinstance(a, dict) and not a.get("was_cancelled")
        ]
        if not live and annotations:
            yield Record(where, skipped="cancelled in Label Studio (not gold)")
            return
        if not live:
            first = predictions[0] if predictions and isinstance(predictions[0], dict) else {}
            version = first.get("model_version")
            origin = version if isinstance(version, str) and version.strip() else None
            spans, others = _regions(first.get("result"), "predictions[0].result", "model", origin)
            entities, trimmed = entities_of(text, spans, options.labels)
            status = options.status or ("in_progress" if entities else "unreviewed")
            parsed = parsed_with_meta(text, entities, status, meta, trimmed)
            yield Record(where, parsed, notes=_skipped_regions(others))
            return
        for i, annotation in live:
            spans, others = _regions(
                annotation.get("result"), f"annotations[{i}].result", "user", None
            )
            entities, trimmed = entities_of(text, spans, options.labels)
            who = _who(annotation)
            parsed = parsed_with_meta(
                text, entities, options.status or "accepted", meta, trimmed, who
            )
            yield Record(where, parsed, notes=_skipped_regions(others), who=who)
    except LineError as exc:
        yield Record(where, refused=str(exc))


def _skipped_regions(n: int) -> tuple[str, ...]:
    if not n:
        return ()
    return (f"{n} region(s) that are not entity labels (choices, relations...) skipped",)


def read(path: Path, data: bytes, options: ReadOptions) -> Iterator[Record]:

    try:
        tasks = json.loads(data.decode("utf-8-sig"))
    except UnicodeDecodeError:
        yield Record(str(path), refused="is not UTF-8 text")
        return
    except json.JSONDecodeError as exc:
        yield Record(
            f"{path}:{exc.lineno}",
            refused=f"is not valid JSON ({exc.msg} at column {exc.colno}); "
            "export the project as JSON from Label Studio",
        )
        return
    if isinstance(tasks, dict):
        tasks = [tasks]
    if not isinstance(tasks, list):
        yield Record(str(path), refused="should hold a list of Label Studio tasks")
        return
    for number, raw in enumerate(tasks, start=1):
        task_id = raw.get("id") if isinstance(raw, dict) else None
        named = f" (id {task_id})" if isinstance(task_id, int | str) else ""
        yield from read_task(f"{path}: task {number}{named}", raw, options)


@register
class LabelStudio(Format):
    name = "labelstudio"
    help = "Label Studio JSON tasks (annotations and predictions)"
    suffix = ".json"

    def write(self, plan: ExportPlan, progress: Progress = no_progress) -> Written:
        written = Written()
        task_ids = itertools.count(1)

        encoder = json.JSONEncoder(ensure_ascii=False, indent=1)

        def body(items: Sequence[Item]) -> Iterator[bytes]:
            """``json.dumps(tasks, indent=1)``, encoded as it goes: a whole book's task as
            one string (built from millions of pieces) took 525 MB."""
            opening = "[\n "
            for item in items:
                for piece in parts(item):  # one task per piece of article text
                    record = task(piece.item, next(task_ids))
                    with_offset(record["data"], piece)
                    yield opening.encode("utf-8")
                    for text in _batched(encoder.iterencode(record)):
                        # JSON strings hold no raw line break: indenting by one is safe
                        yield text.replace("\n", "\n ").encode("utf-8")
                    opening = ",\n "
                written.labels.update(e.label for e in item.entities)
                progress(1)
            yield b"[]\n" if opening == "[\n " else b"\n]\n"

        for part, items in plan.parts.items():
            path = plan.path_for(part, self.suffix)
            atomic_write_chunks(path, body(items))
            written.paths.append(path)
        labels = sorted(written.labels)
        written.lines.append(
            "labelling config for the Label Studio project: "
            + " ".join(labeling_config(labels).split())
        )
        return written

    def read(self, path: Path, options: ReadOptions) -> Iterator[Record]:
        yield from read(path, path.read_bytes(), options)


def _batched(pieces: Iterable[str], size: int = 1 << 16) -> Iterator[str]:
    """Many small strings as fewer of about ``size`` characters."""
    batch: list[str] = []
    length = 0
    for piece in pieces:
        batch.append(piece)
        length += len(piece)
        if length >= size:
            yield "".join(batch)
            batch, length = [], 0
    if batch:
        yield "".join(batch)


def written_labels(tasks: list[dict[str, Any]]) -> Counter[str]:
    """Labels in exported tasks, for tests and the export's own check."""
    return Counter(
        region["value"]["labels"][0]
        for t in tasks
        for key in ("annotations", "predictions")
        for group in t[key]
        for region in group["result"]
    )

"""brat standoff: per article ``<id>.txt`` (the text, byte for byte) and ``<id>.ann``.

brat offsets are code points into the ``.txt``, as ours are. brat cannot show a span across
a line break, so such an entity is written as discontinuous fragments (``T1\\tORG 0 3;4 8``)
split at line breaks and tabs; its first and last offsets are still the entity's. brat type
names cannot contain spaces, so spaces in labels become underscores (the count is reported).

Reading takes a folder of ``.txt`` files and their ``.ann``: text-bound annotations
(``T``) become entities. Fragments separated only by a line break are what this writer
makes of one entity and are joined back; other discontinuous spans, and relations, events,
attributes, normalisations and notes, have no place in newsmark and are reported, not read.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from tui.core.article import SUFFIX
from tui.core.formats.base import ExportPlan, Format, Progress, ReadOptions, no_progress, register
from tui.core.formats.base import Written as PlanWritten
from tui.core.formats.records import (
    LineError,
    RawSpan,
    Record,
    entities_of,
    parsed_with_meta,
    safe_article_id,
)
from tui.core.formats.select import Item
from tui.core.fsutil import atomic_write
from tui.core.spans import Entity, blank

# Every character str.splitlines() breaks on, and tab (the .ann field separator).
_BREAKS = frozenset("\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029\t")


@dataclass
class Written:
    files: int = 0
    labels: Counter[str] = field(default_factory=Counter)
    renamed_labels: set[str] = field(default_factory=set)
    fragmented: int = 0


def brat_type(label: str) -> str:
    return "_".join(label.split())


def fragments(text: str, entity: Entity) -> list[tuple[int, int]]:
    """``[start, end)`` pieces of the entity with no line break in them, edges trimmed."""
    pieces: list[tuple[int, int]] = []
    start = entity.start
    for i in range(entity.start, entity.end + 1):
        if i == entity.end or text[i] in _BREAKS:
            s, e = start, i
            while s < e and text[s].isspace():
                s += 1
            while e > s and text[e - 1].isspace():
                e -= 1
            if s < e:
                pieces.append((s, e))
            start = i + 1
    return pieces


def ann_text(text: str, entities: Sequence[Entity], written: Written | None = None) -> str:
    lines = []
    for n, entity in enumerate(entities, start=1):
        pieces = fragments(text, entity)
        offsets = ";".join(f"{s} {e}" for s, e in pieces)
        # brat compares the text field with the fragments joined by a space.
        covered = " ".join(text[s:e] for s, e in pieces)
        label = brat_type(entity.label)
        if written is not None:
            written.labels[label] += 1
            written.fragmented += len(pieces) > 1
            if label != entity.label:
                written.renamed_labels.add(entity.label)
        lines.append(f"T{n}\t{label} {offsets}\t{covered}\n")
    return "".join(lines)


def annotation_conf(labels: Sequence[str]) -> str:
    """brat refuses a collection whose entity types are not declared."""
    body = "".join(f"{label}\n" for label in sorted(set(labels)))
    return f"[entities]\n{body}\n[relations]\n\n[events]\n\n[attributes]\n"


def write(
    out: Path, items: Sequence[Item], progress: Callable[[int], None] | None = None
) -> Written:
    written = Written()
    for item in items:
        stem = item.id[: -len(SUFFIX)] if item.id.endswith(SUFFIX) else item.id
        text = blank(item.text, item.excluded)  # not article text: spaces, offsets kept
        atomic_write(out / f"{stem}.txt", text.encode("utf-8"))
        atomic_write(
            out / f"{stem}.ann", ann_text(item.text, item.entities, written).encode("utf-8")
        )
        written.files += 1
        if progress is not None:
            progress(1)
    atomic_write(out / "annotation.conf", annotation_conf(list(written.labels)).encode("utf-8"))
    return written


_OTHER = {
    "R": "a brat relation",
    "E": "a brat event",
    "A": "a brat attribute",
    "M": "a brat attribute",
    "N": "a brat normalisation",
    "#": "a brat note",
    "*": "a brat equivalence",
}


def _text_bound(line: str, text: str) -> tuple[int, int, str, str | None]:
    """``T1<TAB>TYPE 0 5;6 10<TAB>text`` as (start, end, type, skip reason or None)."""
    fields = line.split("\t")
    if len(fields) < 2 or not fields[1].strip():
        raise ValueError("should be T<n>, a tab, the type and offsets, a tab and the text")
    kind, _, offsets = fields[1].partition(" ")
    pieces: list[tuple[int, int]] = []
    for piece in offsets.split(";"):
        bounds = piece.split()
        if len(bounds) != 2 or not all(b.isdigit() for b in bounds):
            raise ValueError(f"offsets {offsets!r} should be START END, or START END;START END")
        pieces.append((int(bounds[0]), int(bounds[1])))
    if any(not 0 <= a < b <= len(text) for a, b in pieces):
        raise ValueError(f"offsets {offsets} are outside the text (0..{len(text)})")
    covered = " ".join(text[a:b] for a, b in pieces)
    if len(fields) > 2 and fields[2] != covered:
        raise ValueError(f"text is {fields[2]!r} but the .txt has {covered!r} there")
    gaps = [text[b:a] for (_, b), (a, _) in zip(pieces, pieces[1:], strict=False)]
    joined = all(not g.strip() and any(c in _BREAKS for c in g) for g in gaps)
    skip = None if joined else f"a discontinuous brat span ({offsets})"
    return pieces[0][0], pieces[-1][1], kind, skip


def read_document(
    ann_path: Path, ann: str, text: str, options: ReadOptions
) -> tuple[list[RawSpan], list[Record]]:
    """The entities of one ``.ann``, and a record for each line refused or skipped."""

    spans: list[RawSpan] = []
    others: list[Record] = []
    for number, line in enumerate(ann.split("\n"), start=1):
        line = line.rstrip("\r")
        if not line.strip():
            continue
        where = f"{ann_path}:{number}"
        kind = line[0]
        if kind != "T":
            reason = _OTHER.get(kind)
            if reason is None:
                others.append(Record(where, refused=f"{line.split()[0]!r} is not a brat id"))
            else:
                others.append(Record(where, skipped=f"{reason} (newsmark keeps entities only)"))
            continue
        try:
            start, end, kind_name, skip = _text_bound(line, text)
        except ValueError as exc:
            others.append(Record(where, refused=str(exc)))
            continue
        if skip is not None:
            others.append(Record(where, skipped=skip))
            continue
        label = options.labels.get(kind_name, kind_name)
        clash = next((s for s in spans if s.start < end and start < s.end), None)
        if clash is not None:
            others.append(
                Record(
                    where,
                    refused=f"{start}..{end} overlaps {clash.where} ({clash.start}..{clash.end}); "
                    "newsmark keeps no overlapping entities",
                )
            )
            continue
        spans.append(RawSpan(start, end, label, where=f"line {number}"))
    return spans, others


def read(folder: Path, options: ReadOptions) -> Iterator[Record]:

    if not folder.is_dir():
        yield Record(str(folder), refused="is not a folder of brat .txt and .ann files")
        return
    texts = sorted(p for p in folder.rglob(f"*{SUFFIX}") if not p.name.startswith("."))
    if not texts:
        yield Record(str(folder), refused="holds no .txt file; brat keeps each text in one")
    for txt in texts:
        rel = txt.relative_to(folder).as_posix()
        try:
            text = txt.read_bytes().decode("utf-8-sig")
        except UnicodeDecodeError:
            yield Record(str(txt), refused="is not UTF-8 text")
            continue
        ann_path = txt.with_suffix(".ann")
        notes: tuple[str, ...] = ()
        if ann_path.is_file():
            ann = ann_path.read_bytes().decode("utf-8", errors="replace")
            spans, others = read_document(ann_path, ann, text, options)
            yield from others
        else:
            spans, notes = [], (f"no {ann_path.name} beside it: imported without entities",)
        try:
            entities, trimmed = entities_of(text, spans)
            if not text.strip():
                raise LineError("is empty")
        except LineError as exc:
            yield Record(str(txt), refused=str(exc))
            continue
        meta = {"article": rel} if safe_article_id(rel) else {}
        status = options.status or "in_progress"
        yield Record(str(txt), parsed_with_meta(text, entities, status, meta, trimmed), notes=notes)


@register
class Brat(Format):
    name = "brat"
    help = "brat standoff (a folder of .txt and .ann)"
    marks_unknown = False

    def expected(self, plan: ExportPlan) -> Counter[str]:
        renamed: Counter[str] = Counter()
        for label, n in plan.labels.items():
            renamed[brat_type(label)] += n
        return renamed

    def write(self, plan: ExportPlan, progress: Progress = no_progress) -> PlanWritten:
        result = PlanWritten()
        renamed: set[str] = set()
        for part, items in plan.parts.items():
            folder = plan.out if not plan.split else plan.out / part
            written = write(folder, items, progress)
            result.paths.append(folder)
            result.labels.update(written.labels)
            renamed |= written.renamed_labels
        if renamed:
            result.notes.append(
                "brat types cannot hold spaces; written with underscores: "
                + ", ".join(sorted(renamed))
            )
        return result

    def read(self, path: Path, options: ReadOptions) -> Iterator[Record]:
        yield from read(path, options)

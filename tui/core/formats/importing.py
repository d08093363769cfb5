"""Bringing annotations made elsewhere into articles and TOML files, record by record.

A format's reader turns its input into :class:`~tui.core.formats.records.Record` objects: a
parsed article, or the reason it is refused (malformed: named by file, line and field) or
skipped (not gold, such as a rejected Prodigy task). :func:`bring_in` then writes each parsed
record on its own, so one bad record never costs the others. Records holding the same text but
different annotations (two annotators, two sessions) are conflicts: none of them is written,
and all are reported, because merging would invent decisions nobody made.

Spans with whitespace at an edge are trimmed (as the reader trims a selection) and counted;
spans that overlap, fall outside the text or hold only whitespace refuse the record. Nothing is
overwritten: an article with the same name but other text is refused, and an existing TOML only
with ``force``.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path

from tui.core import store
from tui.core.article import BOM, SUFFIX, ArticleError, read_article, sha256_bytes
from tui.core.formats.excluded import join_records
from tui.core.formats.records import IMPORTED_DIR, LineError, Parsed, Record
from tui.core.fsutil import atomic_write
from tui.core.store import Annotation, StoreError


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
        meta=parsed.meta,
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

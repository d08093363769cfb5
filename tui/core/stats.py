"""Corpus counts for ``newsmark stats``: articles by status, entities by label and source,
how often people kept what the memory of their corrections changed, and, per model, what
became of its suggestions on accepted articles (:mod:`tui.core.suggested`).

Counts come from the TOML files (an article is read only when it has none, to name one that
cannot be used), so stats stay quick on big corpora; a file that cannot be parsed is counted
as unreadable rather than guessed at, and ``newsmark validate`` is the place that explains it.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from tui.core import memory, store, suggested
from tui.core.article import ArticleError, Corpus
from tui.core.edits import STATUSES
from tui.core.spans import SOURCES
from tui.core.validate import open_annotations, unusable

NO_ANNOTATION = "no annotation"
UNREADABLE = "unreadable"
UNUSABLE = "unusable article"  # not UTF-8, binary or empty: there is nothing to annotate


@dataclass
class Stats:
    articles: int = 0
    by_status: Counter[str] = field(default_factory=Counter)
    by_label: Counter[str] = field(default_factory=Counter)
    by_source: Counter[str] = field(default_factory=Counter)
    orphans: int = 0  # annotation files whose article is gone
    unusable: list[ArticleError] = field(default_factory=list)
    """Articles without an annotation file that cannot be used: not counted as waiting."""
    excluded_chars: int = 0  # characters marked as not article text ([[excluded]])
    excluded_articles: int = 0
    memory_changes: int = 0
    """Changes the memory made to the model's spans, on accepted articles."""
    memory_kept: int = 0
    """Of those, how many the person kept (the memory's precision, with the above)."""
    memory_removed: int = 0
    """Of ``memory_changes``, model spans the memory removed (deletions), and of those,"""
    memory_removed_kept: int = 0
    """how many stayed removed."""
    remembered: Counter[str] = field(default_factory=Counter)
    """What the memory holds: ``labels``, ``deleted here`` (one place), ``deleted everywhere``,
    ``resized``; so a deletion that now applies everywhere is seen before it surprises."""
    memory_error: str | None = None
    fates: suggested.Fates = field(default_factory=suggested.Fates)
    """Per model, its suggestions on accepted articles kept, relabelled, resized, deleted."""

    @property
    def memory_precision(self) -> float | None:
        return self.memory_kept / self.memory_changes if self.memory_changes else None

    @property
    def unreadable(self) -> int:
        return self.by_status[UNREADABLE]

    def status_rows(self) -> list[tuple[str, int]]:
        """Every status in workflow order, so a zero is visible too."""
        rows = [(s, self.by_status[s]) for s in (*STATUSES, NO_ANNOTATION)]
        if self.unreadable:
            rows.append((UNREADABLE, self.unreadable))
        if self.unusable:
            rows.append((UNUSABLE, len(self.unusable)))
        return rows

    def label_rows(self) -> list[tuple[str, int]]:
        return sorted(self.by_label.items(), key=lambda item: (-item[1], item[0]))

    def source_rows(self) -> list[tuple[str, int]]:
        """Every source, except ``memory`` in a corpus that never used the memory."""
        return [(s, self.by_source[s]) for s in SOURCES if s != "memory" or self.by_source[s]]


def _read(path: Path) -> tuple[str, list[store.Unanchored], int] | None:
    """Status, spans and excluded characters of one file, or ``None`` if it is not usable."""
    try:
        annotation, spans = store.read(path)
    except store.StoreError:
        return None
    excluded = sum(end - start for start, end in annotation.excluded)
    return annotation.status, spans, excluded


def collect(articles: Path, annotations: Path) -> Stats:
    """Count the corpus; raises :class:`CorpusError` for a missing or empty folder."""
    corpus = Corpus.open(articles)
    open_annotations(annotations)
    stats = Stats(articles=len(corpus.ids))
    ids = set(corpus.ids)
    seen: set[str] = set()
    changed = memory.read_log(annotations)
    logged = suggested.read(annotations)
    for path in store.iter_files(annotations):
        article_id = store.article_id_for(annotations, path)
        if article_id not in ids:
            stats.orphans += 1
            continue
        seen.add(article_id)
        read = _read(path)
        if read is None:
            stats.by_status[UNREADABLE] += 1
            continue
        status, spans, excluded = read
        stats.by_status[status] += 1
        stats.excluded_chars += excluded
        stats.excluded_articles += excluded > 0
        for span in spans:
            stats.by_label[span.label] += 1
            stats.by_source[span.source] += 1
        if status == "accepted" and article_id in changed:
            final = {(s.start, s.end, s.label) for s in spans}
            stats.memory_changes += len(changed[article_id])
            stats.memory_kept += sum(c.kept(final) for c in changed[article_id])
            removed = [c for c in changed[article_id] if c.label is None]
            stats.memory_removed += len(removed)
            stats.memory_removed_kept += sum(c.kept(final) for c in removed)
        if status == "accepted" and article_id in logged:
            made = logged[article_id]
            stats.fates.add(made.model, made.spans, [(s.start, s.end, s.label) for s in spans])
    stats.unusable = list(unusable(corpus, ids - seen))
    stats.by_status[NO_ANNOTATION] = len(ids - seen) - len(stats.unusable)
    _remembered(stats, annotations)
    return stats


def _remembered(stats: Stats, annotations: Path) -> None:
    try:
        held = memory.Memory.load(annotations)
    except memory.MemoryError as exc:
        stats.memory_error = str(exc)
        return
    everywhere = held.everywhere()
    stats.remembered["labels"] = len(held.labels)
    stats.remembered["deleted here"] = len({r for r in held.rejected if r.text not in everywhere})
    stats.remembered["deleted everywhere"] = len(everywhere)
    stats.remembered["resized"] = len(held.resized)

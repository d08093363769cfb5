"""Corpus counts for ``newsmark stats``: articles by status, entities by label and source.

Counts come from the TOML files alone (no article is read or hashed), so stats stay quick on
big corpora; a file that cannot be parsed is counted as unreadable rather than guessed at,
and ``newsmark validate`` is the place that explains it.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from tui.core import store
from tui.core.article import Corpus
from tui.core.edits import STATUSES
from tui.core.spans import SOURCES
from tui.core.validate import open_annotations

NO_ANNOTATION = "no annotation"
UNREADABLE = "unreadable"


@dataclass
class Stats:
    articles: int = 0
    by_status: Counter[str] = field(default_factory=Counter)
    by_label: Counter[str] = field(default_factory=Counter)
    by_source: Counter[str] = field(default_factory=Counter)
    orphans: int = 0  # annotation files whose article is gone
    excluded_chars: int = 0  # characters marked as not article text ([[excluded]])
    excluded_articles: int = 0

    @property
    def unreadable(self) -> int:
        return self.by_status[UNREADABLE]

    def status_rows(self) -> list[tuple[str, int]]:
        """Every status in workflow order, so a zero is visible too."""
        rows = [(s, self.by_status[s]) for s in (*STATUSES, NO_ANNOTATION)]
        if self.unreadable:
            rows.append((UNREADABLE, self.unreadable))
        return rows

    def label_rows(self) -> list[tuple[str, int]]:
        return sorted(self.by_label.items(), key=lambda item: (-item[1], item[0]))

    def source_rows(self) -> list[tuple[str, int]]:
        return [(s, self.by_source[s]) for s in SOURCES]


def _read(path: Path) -> tuple[str, list[tuple[str, str]], int] | None:
    """Status, (label, source) pairs and excluded characters of one file, or ``None``."""
    try:
        annotation, spans = store.read(path)
    except store.StoreError:
        return None
    excluded = sum(end - start for start, end in annotation.excluded)
    return annotation.status, [(span.label, span.source) for span in spans], excluded


def collect(articles: Path, annotations: Path) -> Stats:
    """Count the corpus; raises :class:`CorpusError` for a missing or empty folder."""
    corpus = Corpus.open(articles)
    open_annotations(annotations)
    stats = Stats(articles=len(corpus.ids))
    ids = set(corpus.ids)
    seen: set[str] = set()
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
        status, pairs, excluded = read
        stats.by_status[status] += 1
        stats.excluded_chars += excluded
        stats.excluded_articles += excluded > 0
        for label, source in pairs:
            stats.by_label[label] += 1
            stats.by_source[source] += 1
    stats.by_status[NO_ANNOTATION] = len(ids - seen)
    return stats

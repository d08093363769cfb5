"""Which annotated articles an export, an evaluation or a training run uses, and the dev split.

Only articles with a TOML are selected: an article nobody opened has no decisions to learn
from. Files that cannot be used are reported, never silently dropped, and the split is by
article (never by sentence) so no text leaks from train into dev.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from tui.core import store
from tui.core.article import Article, ArticleError, Corpus
from tui.core.edits import STATUSES, Status
from tui.core.spans import Entity, Range
from tui.core.store import StoreError

DEFAULT_STATUSES: frozenset[Status] = frozenset({"accepted"})
# ``all`` means every article someone worked on except those they threw away.
ALL_STATUSES: frozenset[Status] = frozenset(s for s in STATUSES if s != "rejected")


@dataclass(frozen=True)
class Item:
    """One selected article with its anchored entities (unanchored spans are never exported)."""

    article: Article
    status: Status
    entities: tuple[Entity, ...]
    model: str | None = None
    annotator: str | None = None
    unanchored: int = 0
    excluded: tuple[Range, ...] = ()  # not article text: no format exports it
    page: Mapping[str, Any] = field(default_factory=dict)  # the TOML's [meta]

    @property
    def id(self) -> str:
        return self.article.id

    @property
    def text(self) -> str:
        return self.article.text

    @property
    def complete(self) -> bool:
        """Only an accepted article says that every unlabelled token is not an entity."""
        return self.status == "accepted"

    def meta(self) -> dict[str, Any]:
        """What a task line carries about its article, so that import can restore it."""
        meta: dict[str, Any] = {
            "article": self.id,
            "sha256": self.article.sha256,
            "status": self.status,
        }
        if self.model is not None:
            meta["model"] = self.model
        if self.annotator is not None:
            meta["annotator"] = self.annotator
        return {**self.page, **meta}  # the article's [meta] goes back out; ours wins a clash


@dataclass
class Selection:
    items: list[Item] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def parse_statuses(value: str) -> frozenset[Status]:
    """``accepted``, ``accepted,in_progress`` or ``all``; :class:`ValueError` names a bad one."""
    wanted: set[Status] = set()
    for raw in value.split(","):
        name = raw.strip()
        if not name:
            continue
        if name == "all":
            wanted.update(ALL_STATUSES)
            continue
        match = [s for s in STATUSES if s == name]
        if not match:
            raise ValueError(
                f"unknown status {name!r}; use a comma list of {', '.join(STATUSES)} or 'all'"
            )
        wanted.add(match[0])
    if not wanted:
        raise ValueError("no status given; use for example --status accepted")
    return frozenset(wanted)


def collect(
    articles: Path,
    annotations: Path,
    statuses: Iterable[Status] = DEFAULT_STATUSES,
    progress: Callable[[int], None] | None = None,
) -> Selection:
    """Load every TOML whose status is wanted; unusable files become ``problems``.

    Raises :class:`~tui.core.article.CorpusError` when the articles folder is missing.
    """
    corpus = Corpus.open(articles)
    wanted = frozenset(statuses)
    selection = Selection()
    for path in store.iter_files(annotations):
        if progress is not None:
            progress(1)
        try:
            parsed = store.read(path)  # once: unselected files are never matched to articles
            if parsed[0].status not in wanted:
                continue
            article_id = store.article_id_for(annotations, path)
            article = corpus.read(article_id)
            loaded = store.against(path, parsed, article)
        except StoreError as exc:
            selection.problems.append(f"{exc}; skipped")
            continue
        except ArticleError as exc:
            selection.problems.append(f"{path}: skipped, its article {exc.path} {exc.reason}")
            continue
        ann = loaded.annotation
        if ann.unanchored:
            selection.notes.append(
                f"{path}: {len(ann.unanchored)} unanchored span(s) not exported; "
                "place them again in the reader"
            )
        selection.items.append(
            Item(
                article,
                ann.status,
                ann.entities,
                ann.model,
                ann.annotator,
                len(ann.unanchored),
                ann.excluded,
                ann.meta,
            )
        )
    return selection


def count_files(annotations: Path) -> int:
    return sum(1 for _ in store.iter_files(annotations))


def _key(seed: int, article_id: str) -> str:
    return hashlib.sha256(f"{seed}\0{article_id}".encode()).hexdigest()


def split(items: Sequence[Item], dev_fraction: float, seed: int) -> tuple[list[Item], list[Item]]:
    """Deterministic train/dev split by article id.

    Articles are ranked by a hash of seed and id, and the first ``round(n * fraction)`` go to
    dev, so the same corpus and seed always give the same split and adding articles rarely
    moves an old one. With a fraction above 0 and two or more articles both sides get at
    least one, because spaCy cannot train without a dev set.
    """
    if not 0 <= dev_fraction < 1:
        raise ValueError(f"the dev fraction must be at least 0 and below 1, not {dev_fraction}")
    n = len(items)
    k = round(n * dev_fraction)
    if dev_fraction > 0 and n >= 2:
        k = min(max(k, 1), n - 1)
    ranked = sorted(items, key=lambda it: _key(seed, it.id))
    dev_ids = {it.id for it in ranked[:k]}
    train = [it for it in items if it.id not in dev_ids]
    dev = [it for it in items if it.id in dev_ids]
    return train, dev


def label_counts(items: Iterable[Item]) -> Counter[str]:
    """Entities per label as the TOML holds them; every format must write exactly these."""
    counts: Counter[str] = Counter()
    for item in items:
        counts.update(e.label for e in item.entities)
    return counts


def only_labels(items: Iterable[Item], labels: Collection[str]) -> tuple[list[Item], Counter[str]]:
    """The items with only the entities in ``labels`` (every entity when it is empty), and
    how many of each other label were left out."""
    kept: list[Item] = []
    left_out: Counter[str] = Counter()
    for item in items:
        if labels:
            left_out.update(e.label for e in item.entities if e.label not in labels)
            item = replace(item, entities=tuple(e for e in item.entities if e.label in labels))
        kept.append(item)
    return kept, left_out


def long_pieces(item: Item, limit: int | None = None) -> list[tuple[int, Item]]:
    """The item, or when it is longer than ``limit`` (the model's piece size) one item per
    piece of it with its offset in the article, cut at paragraph (else sentence) breaks and
    never inside an entity: a Doc of a whole book would take gigabytes, so every format that
    builds Docs (spaCy, CoNLL, Prodigy's tokens) takes a long article a piece at a time."""
    from tui.core.ner import PIECE_CHARS, pieces

    cuts = pieces(item.text, limit or PIECE_CHARS, [(e.start, e.end) for e in item.entities])
    if len(cuts) == 1:
        return [(0, item)]
    found = []
    for start, end in cuts:
        text = item.text[start:end]
        entities = tuple(
            Entity(e.start - start, e.end - start, e.label, e.source, e.origin, e.score)
            for e in item.entities
            if start <= e.start and e.end <= end
        )
        excluded = tuple(
            (max(a, start) - start, min(b, end) - start)
            for a, b in item.excluded
            if a < end and b > start
        )
        article = Article(item.article.id, item.article.path, text, item.article.sha256)
        found.append((start, replace(item, article=article, entities=entities, excluded=excluded)))
    return found

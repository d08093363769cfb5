"""Checking every annotation file against its article, without changing anything.

``newsmark validate`` is what a script or CI runs before training, so every problem is a
line ``path: field: message`` and files are only read: a stale or broken file is left for a
person to look at, exactly as :func:`tui.core.store.load` would refuse or re-anchor it.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from tui.core import store
from tui.core.article import ArticleError, Corpus, CorpusError, read_article

WHOLE_FILE = "file"  # the field named when the file as a whole is at fault


@dataclass(frozen=True, slots=True)
class Problem:
    path: Path
    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.field}: {self.message}"


@dataclass(frozen=True)
class Report:
    files: int
    problems: tuple[Problem, ...]
    unusable: tuple[ArticleError, ...] = ()
    """Articles with no annotation file that cannot be used (not UTF-8, binary, empty)."""

    @property
    def ok(self) -> int:
        """Files with no problem."""
        return self.files - len({p.path for p in self.problems})


def open_annotations(annotations: Path) -> None:
    """Refuse a missing annotations folder: there would be nothing to check or count."""
    if not annotations.exists():
        raise CorpusError(
            f"The annotations folder {annotations} does not exist; run `newsmark suggest` "
            "to create it, or pass --annotations DIR."
        )
    if not annotations.is_dir():
        raise CorpusError(
            f"{annotations} is not a folder; pass the folder of TOML files with --annotations DIR."
        )


def check_file(corpus: Corpus, annotations: Path, path: Path, ids: set[str]) -> Iterator[Problem]:
    """The problems of one annotation file (none when it loads cleanly)."""
    article_id = store.article_id_for(annotations, path)
    if article_id not in ids:
        yield Problem(
            path,
            "article",
            f"the article {corpus.root / article_id} no longer exists; this file was left "
            "alone (restore the article, or delete the file)",
        )
        return
    try:
        article = read_article(corpus.root, article_id)
    except ArticleError as exc:
        yield Problem(path, "article", f"{exc}")
        return
    try:
        loaded = store.load(path, article)
    except store.StoreError as exc:
        yield Problem(path, exc.field or WHOLE_FILE, exc.message)
        return
    if loaded.stale:
        placed = len(loaded.annotation.entities)
        yield Problem(
            path,
            "sha256",
            f"article changed on disk; {placed} spans would be re-anchored, "
            f"{len(loaded.lost)} cannot be"
            + (
                f", {loaded.dropped_excluded} excluded range(s) dropped"
                if loaded.dropped_excluded
                else ""
            ),
        )
    elif loaded.annotation.unanchored:
        yield Problem(
            path,
            "unanchored",
            f"{len(loaded.annotation.unanchored)} spans could not be placed after the article "
            "changed; label them again in newsmark",
        )


def validate(articles: Path, annotations: Path) -> Report:
    """Check every TOML under ``annotations``; raises :class:`CorpusError` for bad folders."""
    corpus = Corpus.open(articles)
    open_annotations(annotations)
    ids = set(corpus.ids)
    files = 0
    problems: list[Problem] = []
    seen: set[str] = set()
    for path in store.iter_files(annotations):
        files += 1
        seen.add(store.article_id_for(annotations, path))
        problems.extend(check_file(corpus, annotations, path, ids))
    return Report(files, tuple(problems), tuple(unusable(corpus, ids - seen)))


def unusable(corpus: Corpus, ids: set[str]) -> Iterator[ArticleError]:
    """Why each of ``ids`` (articles without an annotation file) cannot be used, if it cannot:
    an article with a file was checked with it; one without is otherwise only found when
    someone opens it."""
    for article_id in sorted(ids):
        try:
            read_article(corpus.root, article_id)
        except ArticleError as exc:
            yield exc

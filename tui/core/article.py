"""The article corpus: discovery, decoding rules and identity.

An article's id is its path relative to the articles root with ``/`` separators. Its text is
the file's bytes decoded as UTF-8 with a leading BOM dropped and no newline translation, so
offsets match what spaCy sees; its ``sha256`` is of the bytes, to notice edits on disk.
"""

from __future__ import annotations

import hashlib
import os
import stat
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

BOM = "\ufeff"
SUFFIX = ".txt"


class CorpusError(Exception):
    """A problem with the corpus as a whole (missing folder, no articles)."""


class ArticleError(Exception):
    """One article that cannot be used; ``str()`` is a sentence naming the file."""

    def __init__(self, path: Path, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.reason = reason


@dataclass(frozen=True, slots=True)
class Article:
    id: str
    path: Path
    text: str
    sha256: str


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def decode(data: bytes, path: Path) -> str:
    """Decode article bytes, refusing binary files and non-UTF-8 text."""
    if b"\x00" in data:
        raise ArticleError(path, "looks like a binary file (it contains NUL bytes); skipped")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ArticleError(
            path, f"is not UTF-8 text (bad byte at offset {exc.start}); re-save it as UTF-8"
        ) from None
    return text[1:] if text.startswith(BOM) else text


def opening(text: str, lines: int = 3, limit: int = 240) -> str:
    """The first ``lines`` lines with text in them, joined by `` · ``: the title of most news
    text, also when a site header or a dateline comes before it."""
    found = [x.strip() for x in text.splitlines() if x.strip()][:lines]
    return " · ".join(found)[:limit]


def read_opening(root: Path, article_id: str) -> str:
    """:func:`opening` from the file's first few KiB only; ``""`` if it cannot be read."""
    try:
        with (root / article_id).open("rb") as f:
            head = f.read(4096)
    except OSError:
        return ""
    return opening(head.decode("utf-8", "ignore").lstrip(BOM))


def article_id(root: Path, path: Path) -> str:
    return path.relative_to(root).as_posix()


def read_article(root: Path, article_id: str) -> Article:
    """Load one article; :class:`ArticleError` says why it cannot be used."""
    path = root / article_id
    try:
        if not stat.S_ISREG(path.stat().st_mode):
            # A named pipe or a device would block or never end; only plain files are read.
            raise ArticleError(path, "is not a regular file; skipped")
        data = path.read_bytes()
    except FileNotFoundError:
        raise ArticleError(path, "no longer exists") from None
    except OSError as exc:
        raise ArticleError(path, f"cannot be read ({exc.strerror})") from None
    text = decode(data, path)
    if not text.strip():
        raise ArticleError(path, "is empty; there is nothing to annotate")
    return Article(article_id, path, text, sha256_bytes(data))


def _ids(root: Path) -> list[str]:
    """Ids of the ``.txt`` files under ``root``, skipping hidden names, not following
    symlinked folders, and passing over folders that cannot be listed (as ``os.walk`` does).

    Strings all the way (no ``Path`` per file): 10,000 files are listed in a few ms.
    """
    found: list[str] = []
    pending = [("", os.fspath(root))]
    while pending:
        prefix, folder = pending.pop()
        try:
            with os.scandir(folder) as entries:
                for entry in entries:
                    name = entry.name
                    if name.startswith("."):
                        continue
                    try:
                        is_dir = entry.is_dir()
                    except OSError:
                        is_dir = False
                    if is_dir:
                        if not entry.is_symlink():
                            pending.append((f"{prefix}{name}/", entry.path))
                    elif name.endswith(SUFFIX):
                        found.append(prefix + name)
        except OSError:
            continue
    found.sort()
    return found


@dataclass
class Corpus:
    """The ``.txt`` files under one folder, listed without reading them (fast on 10k files)."""

    root: Path
    ids: list[str] = field(default_factory=list)

    @classmethod
    def open(cls, root: Path) -> Corpus:
        if not root.exists():
            raise CorpusError(
                f"The articles folder {root} does not exist; create it or pass --articles DIR."
            )
        if not root.is_dir():
            raise CorpusError(
                f"{root} is not a folder; pass the folder of .txt articles with --articles DIR."
            )
        ids = _ids(root)
        if not ids:
            raise CorpusError(
                f"The articles folder {root} has no .txt files; add some articles to it."
            )
        return cls(root, ids)

    def read(self, article_id: str) -> Article:
        return read_article(self.root, article_id)

    def read_all(self) -> Iterator[Article | ArticleError]:
        """Every article in order, with unusable ones yielded as their error."""
        for aid in self.ids:
            try:
                yield self.read(aid)
            except ArticleError as exc:
                yield exc

"""News pages in: the main text and metadata of an HTML page, as an article and its ``[meta]``.

Extraction is trafilatura's (menus, cookie banners, related links and footers are its job,
not ours); this module only decides names, refuses what is not an article, and writes
``<articles>/<site>/<slug>.txt`` with a TOML holding ``[meta]``. Nothing is overwritten: an
article whose file already holds the same text is reported as there already, and another
page with the same title gets ``-2``, ``-3``... A URL is fetched only when one is given.
"""

from __future__ import annotations

import re
import unicodedata
import urllib.error
import urllib.request
from collections.abc import Mapping
from configparser import ConfigParser
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit

from tui.core import store
from tui.core.article import SUFFIX, ArticleError, read_article, sha256_bytes
from tui.core.fsutil import atomic_write
from tui.core.store import Annotation

MIN_TEXT = 100  # characters: below this a page is a menu or an error page, not an article
MAX_BYTES = 20_000_000  # a news page is far smaller; anything bigger is not one
TIMEOUT = 30.0
USER_AGENT = "newsmark (+https://pypi.org/project/newsmark/)"
HTML_SUFFIXES = (".html", ".htm", ".xhtml")
_SLUG_MAX = 80


class PageError(Exception):
    """A page that gives no article; ``str()`` names it and says why."""


@dataclass(frozen=True)
class Page:
    """What trafilatura found: the text (paragraphs apart by a blank line) and metadata."""

    text: str
    meta: Mapping[str, str] = field(default_factory=dict)


Outcome = Literal["added", "exists", "skipped"]


@dataclass(frozen=True)
class Added:
    source: str
    outcome: Outcome
    article: str | None = None  # the article id written or found
    message: str = ""


@cache
def _config() -> ConfigParser:
    """trafilatura's settings, with a floor under what counts as article text."""
    from trafilatura.settings import use_config

    config = use_config()
    config["DEFAULT"]["MIN_OUTPUT_SIZE"] = str(MIN_TEXT)
    return config


def extract(data: bytes, source: str, url: str | None = None) -> Page:
    """The article in ``data``; :class:`PageError` when there is none (binary, empty, a menu)."""
    if not data.strip():
        raise PageError(f"{source} is empty; skipped")
    if b"\x00" in data[:4096]:
        raise PageError(f"{source} is a binary file, not an HTML page; skipped")
    import trafilatura

    found = trafilatura.bare_extraction(
        data, url=url, with_metadata=True, include_comments=False, config=_config()
    )
    text = (getattr(found, "text", None) or "").replace("\x00", "")
    lines = [" ".join(line.split()) for line in text.splitlines()]
    body = "\n\n".join(line for line in lines if line)
    if len(body) < MIN_TEXT:
        raise PageError(f"{source} has no article text that could be extracted; skipped")
    meta: dict[str, str] = {}
    for key, attr in (
        ("title", "title"),
        ("author", "author"),
        ("date", "date"),
        ("site", "sitename"),
        ("url", "url"),
        ("description", "description"),
        ("language", "language"),
    ):
        value = getattr(found, attr, None)
        if isinstance(value, str) and value.strip():
            meta[key] = " ".join(value.split())
    if url and "url" not in meta:
        meta["url"] = url
    return Page(body + "\n", meta)


def fetch(url: str, timeout: float = TIMEOUT) -> bytes:
    """The bytes at ``url`` (http or https); :class:`PageError` says why not."""
    if urlsplit(url).scheme not in ("http", "https"):
        raise PageError(f"{url} is not an http or https address; skipped")
    request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
            data: bytes = response.read(MAX_BYTES + 1)
    except urllib.error.HTTPError as exc:
        raise PageError(f"{url} answered {exc.code} {exc.reason}; skipped") from None
    except (urllib.error.URLError, OSError, ValueError) as exc:
        reason = getattr(exc, "reason", None) or exc
        raise PageError(f"{url} could not be fetched ({reason}); skipped") from None
    if len(data) > MAX_BYTES:
        raise PageError(f"{url} is over {MAX_BYTES // 1_000_000} MB, not a news page; skipped")
    return data


def slug(value: str, limit: int = _SLUG_MAX) -> str:
    """Lowercase ASCII words joined by ``-``: a file or folder name that travels well."""
    ascii_text = unicodedata.normalize("NFKD", value).encode("ascii", "ignore").decode()
    words = re.findall(r"[a-z0-9]+", ascii_text.lower())
    out = "-".join(words)[:limit].strip("-")
    return out


def site_of(page: Page, fallback: str = "local") -> str:
    """The folder for a page: its host (without ``www.``), else its site name, else ``local``."""
    host = urlsplit(page.meta.get("url", "")).hostname or ""
    host = host.removeprefix("www.")
    if host:
        return ".".join(p for p in (slug(part, 63) for part in host.split(".")) if p) or fallback
    return slug(page.meta.get("site", "")) or fallback


def name_of(page: Page, fallback: str) -> str:
    """The file stem: the title's slug, else ``fallback``'s, else a hash of the text."""
    return (
        slug(page.meta.get("title", ""))
        or slug(fallback)
        or sha256_bytes(page.text.encode("utf-8"))[:16]
    )


def save(page: Page, articles: Path, annotations: Path, source: str, fallback: str) -> Added:
    """Write the article and a TOML with its ``[meta]``; never overwrite either."""
    folder = site_of(page)
    stem = name_of(page, fallback)
    data = page.text.encode("utf-8")
    for n in range(1, 1000):
        article_id = f"{folder}/{stem}{'' if n == 1 else f'-{n}'}{SUFFIX}"
        path = articles / article_id
        if not path.exists():
            break
        try:
            same = read_article(articles, article_id).text == page.text
        except ArticleError:
            same = False
        if same:
            return Added(source, "exists", article_id, f"{path} already holds this page; kept")
    else:  # pragma: no cover - a thousand pages with one title
        return Added(source, "skipped", None, f"{source}: too many pages named {stem}; skipped")
    atomic_write(path, data)
    toml = store.annotation_path(annotations, article_id)
    if not toml.exists():
        annotation = Annotation(article_id, sha256_bytes(data), meta=dict(page.meta))
        store.save(toml, annotation, page.text)
    return Added(source, "added", article_id, f"{path}")


def add(source: str, articles: Path, annotations: Path, *, is_url: bool) -> Added:
    """Extract one file or URL and save it; a page that gives no article is ``skipped``."""
    try:
        if is_url:
            data = fetch(source)
            fallback = Path(urlsplit(source).path).stem
        else:
            path = Path(source)
            try:
                data = path.read_bytes()
            except OSError as exc:
                raise PageError(f"{source} cannot be read ({exc.strerror}); skipped") from None
            fallback = path.stem
        page = extract(data, source, source if is_url else None)
        if is_url:
            page = Page(page.text, {**page.meta, "fetched": store.now().isoformat()})
    except PageError as exc:
        return Added(source, "skipped", None, str(exc))
    return save(page, articles, annotations, source, fallback)


def html_files(folder: Path) -> list[Path]:
    """The HTML pages under ``folder``, in name order, hidden ones left out."""
    return sorted(
        p
        for p in folder.rglob("*")
        if p.suffix.lower() in HTML_SUFFIXES
        and p.is_file()
        and not any(part.startswith(".") for part in p.relative_to(folder).parts)
    )

"""News pages in: the main text and metadata of an HTML page, as an article and its ``[meta]``.

Extraction is trafilatura's (menus, cookie banners, related links and footers are its job,
not ours); this module only decides names, refuses what is not an article, and writes
``<articles>/<site>/<slug>.txt`` with a TOML holding ``[meta]``. Nothing is overwritten: an
article whose file already holds the same text is reported as there already, and another
page with the same title gets ``-2``, ``-3``... A URL is fetched only when one is given.
"""

from __future__ import annotations

import codecs
import re
import unicodedata
import urllib.error
import urllib.request
from collections.abc import Mapping
from configparser import ConfigParser
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any, Literal
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


_META_CHARSET = re.compile(
    rb"""<meta\s[^>]*?charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.IGNORECASE
)
# What browsers do (the WHATWG encoding standard): these labels mean windows-1252.
_AS_CP1252 = {"iso-8859-1", "iso8859-1", "latin1", "latin-1", "l1", "ascii", "us-ascii"}


def _codec(label: str | None) -> str | None:
    """Python's codec for a declared charset label, or ``None`` for one it does not know."""
    if not label:
        return None
    label = label.strip().lower()
    if label in _AS_CP1252:
        return "cp1252"
    try:
        info = codecs.lookup(label)
    except LookupError:
        return None
    if not getattr(info, "_is_text_encoding", True):  # base64, zlib, rot13: not a charset
        return None
    if info.name.startswith("utf-16") or info.name.startswith("utf-32"):
        return "utf-8"  # a <meta> cannot be read in these: browsers take it as UTF-8
    return info.name


def decode(data: bytes, declared: str | None = None) -> str:
    """The page as text: a byte-order mark, else UTF-8 when the bytes are valid UTF-8 (a page
    that says latin-1 but is UTF-8 is common; the reverse cannot decode), else the charset the
    server (``declared``) or a ``<meta>`` tag names, else a guess from the bytes."""
    if data.startswith(codecs.BOM_UTF8):
        return data[len(codecs.BOM_UTF8) :].decode("utf-8", errors="replace")
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16", errors="replace")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    meta = _META_CHARSET.search(data[:65536])
    labels = [declared, meta.group(1).decode("ascii") if meta else None]
    for codec in (_codec(label) for label in labels):
        if codec is not None and codec != "utf-8":
            try:
                return data.decode(codec)
            except (UnicodeDecodeError, LookupError):
                continue
    return _guess(data)


# Single-byte encodings of news in Europe, commonest first; what else charset_normalizer
# proposes wins only where its words look better.
_CANDIDATES = ("cp1252", "iso8859_2", "cp1250", "iso8859_15", "cp1251", "koi8_r", "cp1253")
_WORD = re.compile(r"[^\s\d!-/:-@\[-`{-~«»“”„‘’]+")  # letters and whatever sits among them
_TAGS = re.compile(rb"<(script|style)\b.*?</\1\s*>|<[^>]*>", re.IGNORECASE | re.DOTALL)


def _guess(data: bytes) -> str:
    """Decode bytes with no usable declaration. Detectors look at the whole page, which is
    mostly ASCII markup, and confuse ISO-8859-2 with windows-1250 ("dziesi±tej"); so the
    page's visible text is decoded with each candidate and the one whose words hold letters,
    not symbols, wins ("dziesiątej")."""
    from charset_normalizer import from_bytes

    visible = _TAGS.sub(b" ", data)
    proposed = [m.encoding for m in from_bytes(visible)][:8]
    best, best_score = "cp1252", -1.0
    for codec in dict.fromkeys([*_CANDIDATES, *proposed]):  # a tie goes to the commoner
        try:
            text = visible.decode(codec)
        except (UnicodeDecodeError, LookupError):
            continue
        score = _wordlike(text)
        if score > best_score:
            best, best_score = codec, score
    return data.decode(best, errors="replace")


def _wordlike(text: str) -> float:
    """How much the words look like words: each non-ASCII letter counts +1, but -1 in a Latin
    word with no ASCII letter at all ("Ïðèâåò" is Cyrillic read as windows-1252) and -2 beside
    ASCII letters in another script ("Crиme"); a symbol,
    a control or a superscript inside a word -2 ("dziesi±tej"), and so does a capital after a
    small letter ("пРИВЕТ" is koi8-r read as windows-1251)."""
    score = 0.0
    for word in _WORD.findall(text):
        if word.isascii():
            continue
        letters = [ch for ch in word if ch.isalpha() and not ch.isascii()]
        odd = sum(1 for ch in word if not ch.isalpha() and not ch.isascii())
        latin = any(unicodedata.name(ch, "").startswith("LATIN") for ch in letters)
        plain = any(ch.isascii() and ch.isalpha() for ch in word)
        foreign = sum(not unicodedata.name(ch, "").startswith("LATIN") for ch in letters)
        if plain and foreign:  # "Crиme": Latin and Cyrillic in one word
            score -= 2 * foreign
        elif latin and not plain and len(letters) > 1:
            score -= len(letters)
        else:
            score += len(letters)
        score -= 2 * odd
        score -= 2 * sum(
            1 for a, b in zip(word, word[1:], strict=False) if a.islower() and b.isupper()
        )
    return score


def _site_name(html: str) -> str | None:
    """The page's ``og:site_name``: the site's own name for itself, unlike a guess from the
    title or the copyright line."""
    import lxml.html

    try:
        tree = lxml.html.document_fromstring(html.encode("utf-8"), parser=_utf8_parser())
    except (ValueError, TypeError, lxml.etree.ParserError):
        return None
    for value in tree.xpath('//meta[@property="og:site_name" or @name="og:site_name"]/@content'):
        name = " ".join(str(value).split())
        if name:
            return name
    return None


@cache
def _utf8_parser() -> Any:
    import lxml.html

    return lxml.html.HTMLParser(encoding="utf-8")


def extract(data: bytes, source: str, url: str | None = None, charset: str | None = None) -> Page:
    """The article in ``data``; :class:`PageError` when there is none (binary, empty, a menu).

    ``charset`` is what the server said the page is in, if it said.
    """
    if not data.strip():
        raise PageError(f"{source} is empty; skipped")
    if b"\x00" in data[:4096] and not data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise PageError(f"{source} is a binary file, not an HTML page; skipped")
    import trafilatura

    html = decode(data, charset)
    found = trafilatura.bare_extraction(
        html, url=url, with_metadata=True, include_comments=False, config=_config()
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
        ("url", "url"),
        ("description", "description"),
        ("language", "language"),
    ):
        value = getattr(found, attr, None)
        if isinstance(value, str) and value.strip():
            meta[key] = " ".join(value.split())
    if url and "url" not in meta:
        meta["url"] = url
    site = _site_name(html) or _host(meta.get("url", ""))
    if site:
        meta["site"] = site
    return Page(body + "\n", meta)


def _host(url: str) -> str:
    return (urlsplit(url).hostname or "").removeprefix("www.")


def fetch(url: str, timeout: float = TIMEOUT) -> bytes:
    """The bytes at ``url`` (http or https); :class:`PageError` says why not."""
    return fetch_page(url, timeout)[0]


def fetch_page(url: str, timeout: float = TIMEOUT) -> tuple[bytes, str | None]:
    """The bytes at ``url`` and the charset its server named, if any."""
    if urlsplit(url).scheme not in ("http", "https"):
        raise PageError(f"{url} is not an http or https address; skipped")
    request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
            data: bytes = response.read(MAX_BYTES + 1)
            charset: str | None = response.headers.get_content_charset()
    except urllib.error.HTTPError as exc:
        raise PageError(f"{url} answered {exc.code} {exc.reason}; skipped") from None
    except (urllib.error.URLError, OSError, ValueError) as exc:
        reason = getattr(exc, "reason", None) or exc
        raise PageError(f"{url} could not be fetched ({reason}); skipped") from None
    if len(data) > MAX_BYTES:
        raise PageError(f"{url} is over {MAX_BYTES // 1_000_000} MB, not a news page; skipped")
    return data, charset


def slug(value: str, limit: int = _SLUG_MAX) -> str:
    """Lowercase ASCII words joined by ``-``: a file or folder name that travels well.

    Letters are transliterated ("całej" → "calej", "heiß" → "heiss", "Привет" → "privet"),
    never dropped.
    """
    from anyascii import anyascii

    ascii_text = anyascii(unicodedata.normalize("NFC", value))
    words = re.findall(r"[a-z0-9]+", ascii_text.lower())
    out = "-".join(words)[:limit].strip("-")
    return out


FALLBACK_SITE = "local"  # the folder of a page with neither an address nor an og:site_name


def site_of(page: Page, fallback: str = FALLBACK_SITE) -> str:
    """The folder for a page: its host (without ``www.``), else its ``og:site_name``, else
    :data:`FALLBACK_SITE`."""
    host = _host(page.meta.get("url", ""))
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
            return Added(source, "exists", article_id, f"{path}: it already holds this page")
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
        charset = None
        if is_url:
            data, charset = fetch_page(source)
            fallback = Path(urlsplit(source).path).stem
        else:
            path = Path(source)
            try:
                data = path.read_bytes()
            except OSError as exc:
                raise PageError(f"{source} cannot be read ({exc.strerror}); skipped") from None
            fallback = path.stem
        page = extract(data, source, source if is_url else None, charset)
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

"""``newsmark add``: hand-written news pages from files, folders and a local HTTP server."""

from __future__ import annotations

import re
import threading
import tomllib
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from tui.cli import main
from tui.core import ner
from tui.core.article import read_article
from tui.core.html import PageError, extract, slug
from tui.core.ner import Pipeline
from tui.core.workspace import Workspace

PAGES = Path(__file__).parent / "data" / "html"
BRIDGE = "valleycourier.example/riverside-council-approves-new-bridge.txt"
STRIKE = "coastal-daily/dock-workers-strike-at-port-selwyn.txt"
LIBRARY = "local/library-reopens-after-repairs.txt"
BOILERPLATE = (
    "cookie",
    "Accept all",
    "Subscribe",
    "Related stories",
    "Ferry service",
    "Most read",
    "Privacy",
    "All rights reserved",
    "Advertise",
)


@pytest.fixture
def folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path


def toml_of(article_id: str) -> dict[str, object]:
    path = Path("annotations") / article_id.replace(".txt", ".toml")
    return tomllib.loads(path.read_text("utf-8"))


def test_a_news_page_becomes_its_main_text_and_meta(
    folder: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["add", str(PAGES / "riverside_bridge.html")]) == 0
    out = capsys.readouterr().out
    assert f"added articles/{BRIDGE}" in out
    text = read_article(Path("articles"), BRIDGE).text
    assert text.startswith("Riverside council approves new bridge\n\nASHFORD")
    assert "Halvorsen & Partners" in text
    for junk in BOILERPLATE:
        assert junk not in text
    doc = toml_of(BRIDGE)
    assert doc["status"] == "unreviewed" and doc["entities"] == []
    assert doc["meta"] == {
        "title": "Riverside council approves new bridge",
        "author": "Maria Okafor",
        "date": "2026-03-14",
        "site": "The Valley Courier",
        "url": "https://www.valleycourier.example/news/2026/03/riverside-bridge",
        "description": "The council voted 7-2 to fund a pedestrian bridge over the Ashford river.",
    }
    opened = Workspace(Path("articles"), Path("annotations")).open(BRIDGE)
    assert opened.meta["author"] == "Maria Okafor"
    assert opened.awaits_suggestions


def test_a_folder_adds_every_page_and_reports_those_with_no_article(
    folder: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["add", str(PAGES)]) == 1
    captured = capsys.readouterr()
    assert "3 added, 0 already there, 2 skipped" in captured.out
    assert f"{PAGES / 'empty.html'} is empty; skipped" in captured.err
    assert f"{PAGES / 'menu_only.html'} has no article text" in captured.err
    assert sorted(
        p.relative_to("articles").as_posix() for p in Path("articles").rglob("*.txt")
    ) == [
        STRIKE,
        LIBRARY,
        BRIDGE,
    ]
    library = read_article(Path("articles"), LIBRARY).text  # broken markup, still an article
    assert "Agnes Moreau" in library and "Paul Lindqvist" in library
    assert "Events" not in library
    strike = read_article(Path("articles"), STRIKE).text
    assert "Ingrid Solberg" in strike
    for junk in BOILERPLATE:
        assert junk not in strike


def test_adding_again_overwrites_nothing(folder: Path, capsys: pytest.CaptureFixture[str]) -> None:
    page = str(PAGES / "harbour_strike.html")
    assert main(["add", page]) == 0
    article = Path("articles") / STRIKE
    toml = Path("annotations") / STRIKE.replace(".txt", ".toml")
    toml.write_text(toml.read_text("utf-8").replace('"unreviewed"', '"in_progress"'), "utf-8")
    before = (article.read_bytes(), toml.read_bytes())
    capsys.readouterr()
    assert main(["add", page]) == 0
    assert "0 added, 1 already there, 0 skipped" in capsys.readouterr().out
    assert (article.read_bytes(), toml.read_bytes()) == before


def test_another_page_with_the_same_title_gets_a_new_name(folder: Path, tmp_path: Path) -> None:
    page = (PAGES / "harbour_strike.html").read_text("utf-8")
    other = tmp_path / "other.html"
    other.write_text(page.replace("Saturday morning", "Sunday morning"), "utf-8")
    assert main(["add", str(PAGES / "harbour_strike.html"), str(other)]) == 0
    second = STRIKE.replace(".txt", "-2.txt")
    assert "Sunday" in read_article(Path("articles"), second).text
    assert "Saturday" in read_article(Path("articles"), STRIKE).text


def test_binary_empty_and_missing_files(
    folder: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    png = tmp_path / "photo.html"
    png.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 8)
    blank = tmp_path / "blank.html"
    blank.write_bytes(b"  \n\t ")
    assert main(["add", str(png), str(blank)]) == 1
    err = capsys.readouterr().err
    assert f"{png} is a binary file" in err
    assert f"{blank} is empty" in err
    assert not Path("articles").exists() or not any(Path("articles").rglob("*.txt"))
    assert main(["add", str(tmp_path / "nope.html")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "nope.html is neither a file" in err and "Traceback" not in err


def test_extract_refuses_what_is_not_an_article() -> None:
    with pytest.raises(PageError, match="no article text"):
        extract((PAGES / "menu_only.html").read_bytes(), "menu")
    with pytest.raises(PageError, match="no article text"):
        extract(b"<html><body><p>Too short.</p></body></html>", "short")
    with pytest.raises(PageError, match="no article text"):
        extract(bytes([0xFF, 0xFE, 0x41, 0x42]) * 40, "garbage")
    assert slug("Café — Ünïcode: 2026!") == "cafe-unicode-2026"


# -- URLs, from a server this test starts on 127.0.0.1 --------------------------------------


class _Pages(BaseHTTPRequestHandler):
    routes: dict[str, tuple[int, str, bytes]] = {}

    def do_GET(self) -> None:
        status, kind, body = self.routes.get(self.path, (404, "text/html", b"<h1>Not found</h1>"))
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:  # quiet test output
        pass


@pytest.fixture
def server() -> Iterator[str]:
    _Pages.routes = {
        "/news/harbour-strike": (200, "text/html", (PAGES / "harbour_strike.html").read_bytes()),
        "/news/bridge": (200, "text/html", (PAGES / "riverside_bridge.html").read_bytes()),
        "/index": (200, "text/html", (PAGES / "menu_only.html").read_bytes()),
        "/empty": (200, "text/html", b""),
        "/logo.png": (200, "image/png", b"\x89PNG\r\n\x1a\n\x00\x00" + bytes(range(256)) * 4),
    }
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Pages)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join()


def test_urls_are_fetched_and_keep_their_address(
    folder: Path, server: str, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"{server}/news/harbour-strike"
    assert main(["add", url, f"{server}/news/bridge"]) == 0
    capsys.readouterr()
    # No canonical address in the page: the folder is the host it came from.
    article_id = "127.0.0.1/dock-workers-strike-at-port-selwyn.txt"
    assert "Ingrid Solberg" in read_article(Path("articles"), article_id).text
    meta = toml_of(article_id)["meta"]
    assert isinstance(meta, dict)
    assert meta["url"] == url and meta["title"] == "Dock workers strike at Port Selwyn"
    assert meta["fetched"].endswith("+00:00")
    # The page names its canonical address: that is the one kept.
    assert toml_of(BRIDGE)["meta"]["url"].startswith("https://www.valleycourier.example/")  # type: ignore[index]


def test_urls_that_give_no_article_are_reported(
    folder: Path, server: str, capsys: pytest.CaptureFixture[str]
) -> None:
    urls = [f"{server}/{p}" for p in ("missing", "index", "empty", "logo.png")]
    assert main(["add", *urls, "http://127.0.0.1:9/closed"]) == 1
    err = capsys.readouterr().err
    assert f"{server}/missing answered 404" in err
    assert f"{server}/index has no article text" in err
    assert f"{server}/empty is empty" in err
    assert f"{server}/logo.png is a binary file" in err
    assert "http://127.0.0.1:9/closed could not be fetched" in err
    assert "Traceback" not in err
    assert not Path("articles").exists() or not any(Path("articles").rglob("*.txt"))


def test_suggest_fills_added_articles_and_keeps_their_meta(
    folder: Path, monkeypatch: pytest.MonkeyPatch, ruler_pipeline: Pipeline
) -> None:
    monkeypatch.setattr(ner, "load", lambda name=None, *_: ruler_pipeline)
    page = (PAGES / "harbour_strike.html").read_text("utf-8")
    (folder / "p.html").write_text(page.replace("Alexandria", "China and Iran"), "utf-8")
    assert main(["add", "p.html"]) == 0
    assert main(["suggest"]) == 0
    doc = toml_of(STRIKE)
    assert doc["model"] == ruler_pipeline.name
    assert [e["text"] for e in doc["entities"]] == ["China", "Iran"]  # type: ignore[attr-defined,index]
    assert doc["meta"]["title"] == "Dock workers strike at Port Selwyn"  # type: ignore[index]


def test_a_page_in_another_encoding_is_written_as_utf8(folder: Path, tmp_path: Path) -> None:
    page = (PAGES / "harbour_strike.html").read_text("utf-8")
    page = page.replace('charset="utf-8"', 'charset="windows-1252"')
    (tmp_path / "latin.html").write_bytes(page.replace("Solberg", "Sølberg").encode("cp1252"))
    assert main(["add", str(tmp_path / "latin.html")]) == 0
    assert "café owner Ingrid Sølberg" in read_article(Path("articles"), STRIKE).text


CHARSET = Path(__file__).parent / "data" / "charset"
POLISH = "local/rada-miasta-zatwierdzila-budowe-calej-nowej-linii-tramwajowej.txt"


def test_a_charset_declared_in_a_meta_tag_is_honoured(
    folder: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """ISO-8859-2, declared after a long script: detectors that read the page's first and last
    5,000 bytes see only ASCII."""
    assert main(["add", str(CHARSET / "polish_latin2.html")]) == 0
    text = read_article(Path("articles"), POLISH).text
    assert "po dziesiątej wieczorem" in text and "Wrocławia" in text
    assert toml_of(POLISH)["meta"]["title"].startswith("Rada miasta zatwierdziła budowę całej")  # type: ignore[index]


def test_a_charset_that_is_not_declared_is_detected(folder: Path, tmp_path: Path) -> None:
    data = (CHARSET / "polish_latin2.html").read_bytes()
    start = data.index(b'<meta http-equiv="Content-Type"')
    undeclared = tmp_path / "polish.html"
    undeclared.write_bytes(data[:start] + data[data.index(b">", start) + 1 :])
    assert main(["add", str(undeclared)]) == 0
    assert "po dziesiątej wieczorem" in read_article(Path("articles"), POLISH).text


@pytest.mark.parametrize("label", ["base64", "zlib", "rot13", "utf-16", "no-such-charset"])
def test_a_charset_that_is_no_charset_falls_back_to_detection(
    folder: Path, tmp_path: Path, label: str
) -> None:
    """Python knows base64 and zlib as codecs, not as text encodings; a page cannot be read as
    UTF-16 from a tag in it. Each is ignored, and the bytes are detected."""
    data = (CHARSET / "polish_latin2.html").read_bytes()
    page = tmp_path / "polish.html"
    page.write_bytes(re.sub(rb"charset=[\w-]+", b"charset=" + label.encode(), data))
    assert main(["add", str(page)]) == 0
    assert "po dziesiątej wieczorem" in read_article(Path("articles"), POLISH).text


def test_a_charset_sent_by_the_server_is_honoured(folder: Path, server: str) -> None:
    page = "<html><head><title>Zażółć gęślą jaźń</title></head><body><p>" + (
        "Mieszkańcy Łodzi świętowali w sobotę dziesiątą rocznicę otwarcia parku. " * 4
    )
    _Pages.routes["/pl"] = (200, "text/html; charset=iso-8859-2", page.encode("iso-8859-2"))
    assert main(["add", f"{server}/pl"]) == 0
    (path,) = Path("articles").rglob("*.txt")
    assert path.name == "zazolc-gesla-jazn.txt"
    assert "dziesiątą rocznicę" in path.read_text("utf-8")


def test_slugs_transliterate_letters_instead_of_dropping_them() -> None:
    assert slug("Budowa całej linii") == "budowa-calej-linii"
    assert slug("Die Straße ist heiß") == "die-strasse-ist-heiss"
    assert slug("Путин и Си") == "putin-i-si"
    assert slug("Ærøskøbing café ñandú") == "aeroskobing-cafe-nandu"


def test_site_is_og_site_name_or_the_host_never_a_copyright_line(
    folder: Path, tmp_path: Path, server: str
) -> None:
    # No og:site_name and no address: the README's fallback folder, and no invented site.
    assert main(["add", str(CHARSET / "polish_latin2.html")]) == 0
    assert "site" not in toml_of(POLISH)["meta"]  # type: ignore[operator]
    # og:site_name is the site's own name for itself.
    assert main(["add", str(PAGES / "harbour_strike.html")]) == 0
    assert toml_of(STRIKE)["meta"]["site"] == "Coastal Daily"  # type: ignore[index]
    # Fetched, with no og:site_name: the host.
    _Pages.routes["/polish"] = (200, "text/html", (CHARSET / "polish_latin2.html").read_bytes())
    assert main(["add", f"{server}/polish"]) == 0
    fetched = POLISH.replace("local/", "127.0.0.1/")
    assert toml_of(fetched)["meta"]["site"] == "127.0.0.1"  # type: ignore[index]


def test_a_page_added_twice_is_reported_once(
    folder: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    page = str(PAGES / "harbour_strike.html")
    assert main(["add", page]) == 0
    capsys.readouterr()
    assert main(["add", page]) == 0
    line = capsys.readouterr().out.splitlines()[0]
    assert line == f"kept articles/{STRIKE}: it already holds this page  ({page})"

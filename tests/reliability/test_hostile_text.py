"""Hostile and odd text in the core: decoding, edits and the TOML round trip stay exact.

Articles come from the open web. Markup, escape sequences, controls, bidi overrides, joiners,
combining marks and wide characters must all come back from disk at the same code-point
offsets, and the TOML itself must never carry a raw control character to a terminal.
"""

from __future__ import annotations

import contextlib
import os
import re
import tomllib
from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tui.core import project, store
from tui.core import team as team_mod
from tui.core.article import BOM, Article, ArticleError, Corpus, decode, sha256_bytes
from tui.core.edits import Document, Refused
from tui.core.memory import Memory
from tui.core.spans import Entity
from tui.core.store import Annotation
from tui.core.tokens import regex_tokens
from tui.core.workspace import Workspace

BLNS = Path(__file__).resolve().parents[1] / "data" / "blns" / "blns.txt"

FRAGMENTS = [
    "[bold red]x[/]",
    "[link=https://evil.example]click[/link]",
    "[/]",
    "\x1b[2J",
    "\x1b[31mred\x1b[0m",
    "\x1b]52;c;ZXZpbCBjbGlwYm9hcmQ=\x07",
    "\x1b]8;;https://evil.example\x1b\\link\x1b]8;;\x1b\\",
    "\x07\x08\x0b\x0c\x7f",
    "\x85\x9b31m\x9d0;title\x9c",
    "\u202eevil\u202c",
    "\u2066isolate\u2069",
    "a\u200db",
    "\u200b\u2060",
    "e\u0301\u0323",
    "Z\u0351\u036b\u0343\u036a\u0302\u036b\u033d\u034f",
    "👍🏽",
    "👨\u200d👩\u200d👧\u200d👦",
    "🇺🇳",
    "中国外交部",
    "ｆｕｌｌｗｉｄｔｈ",
    "\t",
    "\r\n",
    "\r",
    "\n",
    "\u2028\u2029",
    "\u00a0",
    "\ufeff",
    " ",
    "Shafaq News",
    "Iran",
    '"quoted" \\ back',
    "'''",
    '"""',
]

CHARS = st.characters(exclude_categories=["Cs"], exclude_characters="\x00")
HOSTILE = st.lists(st.one_of(st.sampled_from(FRAGMENTS), st.text(CHARS, max_size=6)), max_size=25)
LABELS = st.sampled_from(
    ["ORG", "GPE", 'a "b" \\c', "new\nline", "ctl\x1b[2J\x07", "中文", "x\u202e"]
)


@pytest.fixture
def no_fsync(monkeypatch: pytest.MonkeyPatch) -> None:
    """These tests are about content, not durability: skip the slow flush to the device."""
    monkeypatch.setattr(os, "fsync", lambda fd: None)


def article_of(text: str, aid: str = "a.txt") -> Article:
    return Article(aid, Path(aid), text, sha256_bytes(text.encode("utf-8")))


def assert_toml_is_inert(data: bytes) -> None:
    """No raw C0 control (but tab and newline), DEL or C1 control (U+0080 to U+009F, in UTF-8
    C2 80 to C2 9F) can reach a terminal that shows the file."""
    bad = re.findall(rb"[\x00-\x08\x0b-\x1f\x7f]|\xc2[\x80-\x9f]", data)
    assert bad == [], bad[:5]


def round_trip(
    tmp_path: Path, art: Article, doc: Document, raw_check: bool = True, **kw: str
) -> None:
    """Save then load; ``store.load`` itself checks every ``text`` field against the article."""
    ann = Annotation(art.id, art.sha256, doc.status, doc.entities, **kw)  # type: ignore[arg-type]
    path = tmp_path / "a.toml"
    store.save(path, ann, art.text)
    data = path.read_bytes()
    assert_toml_is_inert(data)
    if raw_check:
        raw = tomllib.loads(data.decode("utf-8"))
        for row, entity in zip(raw.get("entities", []), doc.entities, strict=True):
            assert (row["start"], row["end"]) == (entity.start, entity.end)
            assert row["text"] == art.text[entity.start : entity.end]
    loaded = store.load(path, art)
    assert not loaded.stale
    assert loaded.annotation.entities == doc.entities
    for key, value in kw.items():
        assert getattr(loaded.annotation, key) == value


@settings(
    max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    parts=HOSTILE,
    cuts=st.lists(st.tuples(st.integers(0, 400), st.integers(1, 30), LABELS), max_size=12),
)
def test_hostile_text_survives_decode_edits_and_the_store(
    tmp_path: Path, no_fsync: None, parts: list[str], cuts: list[tuple[int, int, str]]
) -> None:
    text = "".join(parts)
    data = text.encode("utf-8")
    decoded = decode(data, Path("a.txt"))
    assert decoded == (text[1:] if text.startswith(BOM) else text)
    art = Article("a.txt", Path("a.txt"), decoded, sha256_bytes(data))
    doc = Document(decoded)
    for at, length, label in cuts:
        if decoded:
            at %= len(decoded)
            with contextlib.suppress(Refused):  # across a line break: refused, nothing changed
                doc.add(at, at + length, label)
    for entity in doc.entities:  # every span is exact and trimmed, whatever the text
        piece = decoded[entity.start : entity.end]
        assert piece and piece == piece.strip()
    round_trip(tmp_path, art, doc, annotator="kim\x1b[2J", model="m\r\n1")
    while doc.undo():
        pass
    assert doc.entities == ()


@pytest.mark.parametrize(
    "data",
    [b"\xed\xa0\x80", b"ok \xed\xbf\xbf ok", b"\xc0\xaf", b"\xff\xfe", b"\xe2\x82", b"a\x00b"],
    ids=["lone high surrogate", "lone low surrogate", "overlong", "not utf8", "cut", "nul"],
)
def test_undecodable_bytes_are_refused_with_a_reason(data: bytes) -> None:
    with pytest.raises(ArticleError) as info:
        decode(data, Path("x.txt"))
    assert str(info.value).startswith("x.txt: ")
    assert "UTF-8" in info.value.reason or "binary" in info.value.reason


def blns_lines() -> list[str]:
    text = BLNS.read_bytes().decode("utf-8")
    return [line for line in text.split("\n") if line.strip()]


def test_every_blns_line_as_an_article_round_trips(tmp_path: Path, no_fsync: None) -> None:
    lines = blns_lines()
    assert len(lines) > 500
    for n, line in enumerate(lines):
        art = article_of(line)
        tokens = regex_tokens(line)
        doc = Document(line)
        for i in range(len(tokens)):
            doc.add(*tokens.span(i), ("ORG", "GPE", 'q"\\')[i % 3])
        round_trip(tmp_path, art, doc, raw_check=False)
        whole = Document(line)
        assert whole.add(0, len(line), "LINE") is not None, n
        (entity,) = whole.entities
        assert line[entity.start : entity.end] == line.strip()
        round_trip(tmp_path, art, whole)


def test_blns_file_as_one_article_through_the_workspace(workdir: Path) -> None:
    (workdir / "articles" / "blns.txt").write_bytes(BLNS.read_bytes())
    ws = Workspace(workdir / "articles", workdir / "annotations", annotator="naughty")
    annotated = ws.open("blns.txt")
    text = annotated.article.text
    assert text == BLNS.read_bytes().decode("utf-8")
    tokens = regex_tokens(text)
    for i in range(0, len(tokens), 2):
        annotated.document.add(*tokens.span(i), "TOK")
    annotated.document.label_all(*tokens.span(tokens.index_at(text.index("null"))), "NULL", tokens)
    entities = annotated.document.entities
    assert len(entities) > 1000
    ws.save(annotated)
    assert_toml_is_inert(annotated.path.read_bytes())
    reopened = ws.open("blns.txt")
    assert reopened.note is None
    assert reopened.document.entities == entities
    raw = tomllib.loads(annotated.path.read_text("utf-8"))
    assert all(text[e["start"] : e["end"]] == e["text"] for e in raw["entities"])


ODD_VALUES = [
    'He said "no"',
    "back\\slash\\\\",
    "multi\nline\r\nvalue",
    "tab\there",
    "bell\x07 esc\x1b[31m del\x7f c1\x85\x9b",
    "'''triple'''",
    '"""triple"""',
    "[bold red]markup[/]",
    "\u202eRTL override",
    "emoji 👍🏽 and 中文",
    "#not a comment",
    "key = value",
]


@pytest.mark.parametrize("value", ODD_VALUES)
def test_odd_toml_values_round_trip_exactly(tmp_path: Path, value: str) -> None:
    text = "Shafaq News reported from Iran."
    art = article_of(text)
    label = value.strip() or "X"
    ann = Annotation(
        art.id,
        art.sha256,
        "in_progress",
        (Entity(0, 11, label), Entity(26, 30, "GPE", "model")),
        model=value,
        annotator=value,
        updated=store.now(),
    )
    path = tmp_path / "a.toml"
    store.save(path, ann, text)
    assert_toml_is_inert(path.read_bytes())
    assert store.load(path, art).annotation == ann


ODD_NAMES = [
    "with space.txt",
    'quote"d.txt',
    "it's.txt",
    "back\\slash.txt",
    "[bold red]x[／].txt",
    "emoji 👍🏽.txt",
    "中文新闻.txt",
    "new\nline.txt",
    "esc\x1b[2J.txt",
    "-leading-dash.txt",
    "a..txt",
    "x.toml.txt",
    "#hash = 1.txt",
    "sub dir/ünïcode.txt",
]


def test_article_ids_with_odd_characters_round_trip(workdir: Path) -> None:
    articles = workdir / "articles"
    made = []
    for name in ODD_NAMES:
        path = articles / name
        try:
            path.parent.mkdir(exist_ok=True)
            path.write_text(f"Reuters in {name!r}: Iran and China.", "utf-8")
        except OSError:
            continue  # this filesystem does not allow the name
        made.append(name)
    assert len(made) >= len(ODD_NAMES) - 2
    ws = Workspace(articles, workdir / "annotations", annotator="kim")
    assert set(made) <= set(Corpus.open(articles).ids)
    for aid in made:
        annotated = ws.open(aid)
        text = annotated.article.text
        i = text.index("Iran")
        annotated.document.add(i, i + 4, "GPE")
        ws.save(annotated)
        assert tomllib.loads(annotated.path.read_text("utf-8"))["article"] == aid
        assert store.article_id_for(ws.annotations, annotated.path) == aid
        assert ws.open(aid).document.entities == annotated.document.entities
    assert ws.orphans() == []
    assert {
        store.article_id_for(ws.annotations, p) for p in store.iter_files(ws.annotations)
    } == set(made)


def test_annotator_with_undecodable_bytes_does_not_break_every_save(workdir: Path) -> None:
    ws = Workspace(workdir / "articles", workdir / "annotations", annotator="Jos\udce9")
    annotated = ws.open(ws.ids[0])
    annotated.document.add(0, 6, "ORG")
    ws.save(annotated)
    reopened = ws.open(ws.ids[0])
    assert reopened.document.entities == annotated.document.entities
    assert tomllib.loads(annotated.path.read_text("utf-8"))["annotator"].startswith("Jos")


C1_TEXT = "NEL\x85 CSI\x9b31m OSC\x9d0;t\x9c pad\x80"


def test_every_toml_written_escapes_c1_controls(tmp_path: Path) -> None:
    """The memory, the project file, the team file and an annotation's [meta] (whose lists go
    through tomli-w, which writes C1 raw) all escape C1 and read back the same text."""
    mem = Memory(path=Memory.path_in(tmp_path))
    mem.label(C1_TEXT, "ORG")
    mem.reject(C1_TEXT, "GPE", "before\x85", "\x9bafter")
    mem.resize(C1_TEXT + " x", C1_TEXT, "ORG")
    mem.save()
    the_project = project.update(tmp_path, model=C1_TEXT, extra={"note": [C1_TEXT]})
    team = team_mod.load(tmp_path).with_member("kim", "a long password")
    kim = replace(team.members["kim"], added=C1_TEXT, extra={"note": C1_TEXT})
    team = replace(team, members={"kim": kim})
    team.save()
    text = "Shafaq News reported."
    art = article_of(text)
    ann = Annotation(
        art.id,
        art.sha256,
        "in_progress",
        (Entity(0, 11, "ORG"),),
        meta={"title": C1_TEXT, "tags": [C1_TEXT], "source": {"name": C1_TEXT}},
        updated=store.now(),
    )
    store.save(tmp_path / "a.toml", ann, text)
    for path in (mem.path, the_project.path, team.path, tmp_path / "a.toml"):
        assert path is not None
        assert_toml_is_inert(path.read_bytes())
    assert Memory.load(tmp_path) == mem
    assert project.load(tmp_path).model == C1_TEXT
    assert project.load(tmp_path).extra["note"] == [C1_TEXT]
    assert team_mod.load(tmp_path).members["kim"].added == C1_TEXT
    assert team_mod.load(tmp_path).members["kim"].extra == {"note": C1_TEXT}
    assert store.load(tmp_path / "a.toml", art).annotation == ann

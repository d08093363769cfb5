"""Very large articles: a 1 MB single line and 20,000 short lines go through every core step.

No timing asserts (speed figures live in bench/); these must simply complete and stay exact.
"""

from __future__ import annotations

import bisect
import random
import tomllib
from collections.abc import Sequence
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from tui.core import store
from tui.core.article import Corpus
from tui.core.spans import Entity, SpanIndex
from tui.core.store import Unanchored
from tui.core.tokens import regex_tokens
from tui.core.workspace import Workspace

WORDS = [
    "Iran",
    "China",
    "the",
    "said",
    "Xinhua",
    "café\u0301",
    "中国外交部",
    "👍🏽",
    "[b]x[/]",
    "a",
]


def words(count: int, rng: random.Random) -> list[str]:
    """Common words, with a unique name every 97 words and a rarer repeated one."""
    out = []
    for n in range(count):
        if n % 97 == 0:
            out.append(f"Name{n:06d}")
        elif n % 991 == 0:
            out.append("Reuters")
        else:
            out.append(rng.choice(WORDS))
    return out


def exercise(workdir: Path, name: str, data: bytes) -> None:
    (workdir / "articles" / name).write_bytes(data)
    ws = Workspace(workdir / "articles", workdir / "annotations")
    annotated = ws.open(name)
    text = annotated.article.text
    assert text.encode("utf-8") == data
    tokens = regex_tokens(text)
    assert len(tokens) > 20_000
    assert all(
        text[s:e] == text[s:e].strip() for s, e in zip(tokens.starts, tokens.ends, strict=True)
    )
    doc = annotated.document
    names = [i for i in range(len(tokens)) if text.startswith("Name", tokens.starts[i])]
    for i in names:
        doc.add(*tokens.span(i), "PERSON")
    for i in range(3, len(tokens), 2011):  # common words, found all over the article
        doc.add(*tokens.span(i), "MISC")
    first = text.index("Reuters")
    doc.label_all(first, first + 7, "ORG", tokens)
    entities = doc.entities
    assert len(entities) > 500
    assert sum(e.label == "ORG" for e in entities) == text.count("Reuters")
    ws.save(annotated)
    raw = tomllib.loads(annotated.path.read_text("utf-8"))
    assert all(text[e["start"] : e["end"]] == e["text"] for e in raw["entities"])
    assert ws.open(name).document.entities == entities

    # The article changes on disk: a paragraph in front shifts every span; unique names and
    # the spans between them follow.
    ws2 = Workspace(workdir / "articles", workdir / "annotations")
    (workdir / "articles" / name).write_bytes(b"Correction appended.\r\n" + data)
    moved = ws2.open(name)
    assert moved.note is not None and "changed on disk" in moved.note
    shift = len("Correction appended.\r\n")
    assert moved.unanchored == ()
    people = [e for e in entities if e.label == "PERSON"]
    assert [(e.start - shift, e.label) for e in moved.document.entities if e.label == "PERSON"] == [
        (e.start, e.label) for e in people
    ]
    assert len(moved.document.entities) == len(entities)


def test_one_megabyte_on_a_single_line(workdir: Path) -> None:
    text = " ".join(words(160_000, random.Random(1)))
    assert "\n" not in text and len(text.encode()) > 1_000_000
    exercise(workdir, "zz_big_line.txt", text.encode("utf-8"))


def test_twenty_thousand_short_lines_with_crlf(workdir: Path) -> None:
    rng = random.Random(2)
    stream = iter(words(60_000, rng))
    lines = [" ".join(next(stream) for _ in range(3)) for _ in range(20_000)]
    data = "\r\n".join(lines).encode("utf-8")
    exercise(workdir, "zz_many_lines.txt", data)
    assert "zz_many_lines.txt" in Corpus.open(workdir / "articles").ids


# -- re-anchoring: the documented rule, as a plain reference to compare against ---------------


def reference_reanchor(
    spans: Sequence[Unanchored], text: str
) -> tuple[tuple[Entity, ...], tuple[Unanchored, ...], int]:
    """Nearest free occurrence to the old offset shifted as its unique-text neighbours moved."""

    def occurrences(needle: str) -> list[int]:
        if not needle or needle != needle.strip():
            return []
        return [i for i in range(len(text)) if text.startswith(needle, i)]

    ordered = sorted(spans, key=lambda s: (s.start, s.end))
    found = [occurrences(s.text) for s in ordered]
    anchors = [
        (s.start, c[0] - s.start) for s, c in zip(ordered, found, strict=True) if len(c) == 1
    ]
    starts = [a[0] for a in anchors]
    placed = SpanIndex()
    lost = []
    moved = 0
    for span, cands in zip(ordered, found, strict=True):
        i = bisect.bisect_left(starts, span.start)
        near = anchors[max(0, i - 1) : i + 1]
        shift = min(near, key=lambda a: abs(a[0] - span.start))[1] if near else 0
        expected = span.start + shift
        for c in sorted(cands, key=lambda c: (abs(c - expected), c)):
            if not placed.overlapping(c, c + len(span.text)):
                placed.add(Entity(c, c + len(span.text), span.label, span.source))
                moved += c != span.start
                break
        else:
            lost.append(span)
    return placed.entities, tuple(lost), moved


ALPHABET = st.sampled_from(list("ab ab\nX😀é"))


@settings(max_examples=300, deadline=None)
@given(
    old=st.text(ALPHABET, min_size=1, max_size=40),
    new=st.text(ALPHABET, max_size=60),
    cuts=st.lists(st.tuples(st.integers(0, 39), st.integers(1, 4)), max_size=8),
)
def test_reanchor_follows_the_documented_rule(
    old: str, new: str, cuts: list[tuple[int, int]]
) -> None:
    spans = []
    for at, width in cuts:
        at %= len(old)
        piece = old[at : at + width]
        spans.append(Unanchored(at, at + len(piece), "L", piece, "user"))
    assert store.reanchor(spans, new) == reference_reanchor(spans, new)

"""Text to terminal cells: widths, placeholders and wrapping (pure, no app)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st
from rich.cells import cell_len

from tui.core.tokens import Tokens, for_cursor, regex_tokens
from tui.widgets import display
from tui.widgets.article_view import drawable


def test_widths_follow_the_terminal() -> None:
    assert display.cell("日", 0) == ("日", 2)
    assert display.cell("\u0301", 3) == ("\u0301", 0)  # combining acute joins the letter
    assert display.cell("\u0301", 0) == ("◌\u0301", 1)  # ...or shows on a dotted circle
    assert display.cell("\t", 0) == (" " * 4, 4)
    assert display.cell("\t", 3) == (" ", 1)
    assert display.cell("\u200d", 0) == ("", 0)  # ZWJ never glues emoji into one cell


def test_controls_become_visible_placeholders() -> None:
    for ch in ("\x1b", "\x07", "\x9b", "\u202e", "\u2066", "\u2028", "\x7f"):
        shown, width = display.glyph(ch)
        assert width == 1 and shown and ch not in shown


def test_crlf_is_one_line_break() -> None:
    assert display.lines("a\r\nb\nc\rd") == [(0, 1), (3, 4), (5, 6), (7, 8)]


def test_wrap_keeps_a_label_on_its_word_row() -> None:
    text = "Shafaq News reported"
    rows = display.wrap(text, 0, len(text), 16, [(10, 4)])  # " ORG" after "News"
    assert rows == [0, 12]


@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=200), st.integers(4, 40))
def test_wrap_covers_the_text_in_order(text: str, width: int) -> None:
    for start, end in display.lines(text):
        rows = display.wrap(text, start, end, width)
        assert rows[0] == start
        assert rows == sorted(set(rows))
        assert all(start <= r <= end for r in rows)


@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=80))
def test_what_is_shown_is_safe_and_measured_right(text: str) -> None:
    shown = display.safe(text)
    assert not any(ord(c) < 0x20 or 0x7F <= ord(c) < 0xA0 for c in shown)
    assert cell_len(shown) == display.text_width(shown)


_HOSTILE_CHARS = st.one_of(
    st.sampled_from(
        list(" \t\n\r\u00a0\u200b\u200d\ufe0f\u0301\u0308👍🏽👨👩日本語éa.,/")
        + ["\U0001f3fb", "\U0001f3ff", "\u2028", "\x1b"]
    ),
    st.characters(codec="utf-8"),
)


@given(st.text(alphabet=_HOSTILE_CHARS, max_size=120))
def test_cursor_tokens_are_always_drawn(text: str) -> None:
    """Whitespace, joiners, modifiers and lone marks never hold the cursor; every character
    that is drawn stays reachable, in a token of its own or glued to the one before."""
    cursor = for_cursor(regex_tokens(text), text, drawable)
    assert list(cursor.starts) == sorted(set(cursor.starts))
    for start, end in zip(cursor.starts, cursor.ends, strict=True):
        piece = text[start:end]
        assert piece and not piece[0].isspace()
        assert display.text_width(piece) > 0
    covered = {i for s, e in zip(cursor.starts, cursor.ends, strict=True) for i in range(s, e)}
    for i, ch in enumerate(text):
        if not ch.isspace() and drawable(ch):
            assert i in covered, (i, ch)


def test_spacy_paragraph_break_tokens_are_no_cursor_stops() -> None:
    text = " date 2024\r\n\r\nXi 👍🏽 then"
    spacy_like = Tokens.from_spans(
        [(0, 1), (1, 5), (6, 10), (10, 14), (14, 16), (17, 18), (18, 19), (20, 24)]
    )
    cursor = for_cursor(spacy_like, text, drawable)
    assert [text[s:e] for s, e in zip(cursor.starts, cursor.ends, strict=True)] == [
        "date",
        "2024",
        "Xi",
        "👍🏽",
        "then",
    ]

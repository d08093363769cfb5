"""Span rules, the span index and token boundaries."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tui.core.spans import Entity, SpanError, SpanIndex, check_entities, pieces, trim
from tui.core.tokens import regex_tokens


def test_trim() -> None:
    assert trim("  ab  ", 0, 6) == (2, 4)
    assert trim("   ", 0, 3) is None
    assert trim("ab", -5, 99) == (0, 2)


def test_check_entities_rules() -> None:
    text = "Iran and China"
    check_entities(text, [Entity(0, 4, "GPE"), Entity(9, 14, "GPE")])
    with pytest.raises(SpanError, match="whitespace"):
        check_entities(text, [Entity(0, 5, "GPE")])
    with pytest.raises(SpanError, match="overlaps"):
        check_entities(text, [Entity(0, 4, "GPE"), Entity(2, 8, "GPE")])
    with pytest.raises(SpanError, match="outside"):
        check_entities(text, [Entity(10, 99, "GPE")])
    with pytest.raises(SpanError, match="outside"):
        check_entities(text, [Entity(3, 3, "GPE")])


def test_span_index_queries() -> None:
    a, b, c = Entity(0, 4, "A"), Entity(9, 14, "B"), Entity(20, 22, "C")
    index = SpanIndex([c, a, b])
    assert list(index) == [a, b, c]
    assert index.at(3) == a and index.at(4) is None and index.at(9) == b
    assert index.overlapping(3, 10) == [a, b]
    assert index.next_after(0) == b and index.next_after(22) is None
    assert index.previous_before(9) == a and index.previous_before(0) is None
    index.remove(b)
    assert b not in index and len(index) == 2


def test_regex_tokens_follow_spacy_on_the_seed_headline() -> None:
    text = "Shafaq News/ China’s U.S. e-mail, 79th."
    tokens = regex_tokens(text)
    words = [text[s:e] for s, e in zip(tokens.starts, tokens.ends, strict=True)]
    assert words[:4] == ["Shafaq", "News", "/", "China"]
    assert "U.S" in words and "e-mail" in words and "79th" in words
    assert tokens.covering(2, 9) == (0, 11)
    assert tokens.is_boundary_span(0, 11) and not tokens.is_boundary_span(0, 10)


@given(st.text(st.sampled_from(list("ab 中😀\u0301.\r\n\t'-")), max_size=50))
def test_tokens_are_sorted_non_empty_and_never_whitespace(text: str) -> None:
    tokens = regex_tokens(text)
    previous_end = 0
    for s, e in zip(tokens.starts, tokens.ends, strict=True):
        assert previous_end <= s < e
        assert not text[s:e].isspace() and text[s:e].strip() == text[s:e]
        previous_end = e


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Shafaq News/ China", ["Shafaq News", "China"]),
        (
            "APP - UrduPoint / Pakistan Point News - 24th Oct,",
            ["APP", "UrduPoint", "Pakistan Point News", "24th Oct"],
        ),
        ("Reuters | Washington", ["Reuters", "Washington"]),
        ("Dawn • Karachi", ["Dawn", "Karachi"]),
        ("U.S. – Mexico", ["U.S.", "Mexico"]),
        ("Quaid-e-Azam Trophy 2024-25", ["Quaid-e-Azam Trophy 2024-25"]),
        ("AC/DC", ["AC/DC"]),
        ("北京 / 上海", ["北京", "上海"]),
        ("Café - 😀 Bar", ["Café", "😀 Bar"]),
    ],
)
def test_pieces_cut_at_spaced_separators_only(text: str, expected: list[str]) -> None:
    padded = f"x {text} y"
    got = pieces(padded, 2, 2 + len(text))
    assert [padded[a:b] for a, b in got] == expected


@given(st.text(alphabet="ab -/|,;: .\n😀", max_size=30))
def test_pieces_are_ordered_inside_and_trimmed(text: str) -> None:
    found = pieces(text, 0, len(text))
    flat = [i for a, b in found for i in (a, b)]
    assert flat == sorted(flat) and all(0 <= i <= len(text) for i in flat)
    for a, b in found:
        assert a < b
        assert not text[a].isspace() and not text[b - 1].isspace()
        assert text[a] not in ",;:" and text[b - 1] not in ",;:"

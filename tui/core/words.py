"""Counts and rates in sentences: "1 article", "2 articles", "38 s per article"."""

from __future__ import annotations

_IRREGULAR = {"entity": "entities", "is": "are", "has": "have", "was": "were"}


def plural(word: str) -> str:
    """The plural of one of our nouns (the last word of ``word``)."""
    head, _, last = word.rpartition(" ")
    many = _IRREGULAR.get(last) or (last[:-1] + "ies" if last.endswith("y") else last + "s")
    return f"{head} {many}" if head else many


def count(n: int, word: str, many: str | None = None) -> str:
    """``n`` and ``word``, plural unless ``n`` is 1: "1 article", "0 articles"."""
    return f"{n} {word if n == 1 else many or plural(word)}"


def verb(n: int, singular: str, many: str) -> str:
    """The verb that agrees with ``n``: ``verb(1, "has", "have")``."""
    return singular if n == 1 else many


def rate(n: int, seconds: float, word: str = "article") -> str:
    """How fast ``n`` things took ``seconds``: per second when more than one a second,
    else the time each took ("38 s per article"), which reads better than "0.0 articles/s"."""
    if n <= 0 or seconds <= 0:
        return f"… {plural(word)}/s"
    per_second = n / seconds
    if per_second >= 1:
        return f"{per_second:.1f} {plural(word)}/s"
    each = seconds / n
    shown = f"{each:.1f}" if each < 10 else f"{each:.0f}"
    return f"{shown} s per {word}"

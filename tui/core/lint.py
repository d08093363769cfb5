"""Spans that look wrong on their own, for ``w``: the boundary errors small models make.

Each check looks at one article's text and entities only, so it is cheap enough to run on
every key press and says the key that fixes what it found. None of them changes anything:
they point, the person decides. Errors of a text across the corpus (a label that differs
between articles, a surname labelled apart from the full name) are the corpus index's.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

from tui.core.spans import Entity, pieces

NAME_LABELS = frozenset(
    {"PERSON", "NORP", "FAC", "ORG", "GPE", "LOC", "PRODUCT", "EVENT", "WORK_OF_ART", "LAW"}
)
"""Labels of proper names: text under them is written with a capital letter in English."""

_HYPHENS = "-‐‑"
_NUMBER_LABELS = frozenset({"CARDINAL", "ORDINAL"})


@dataclass(frozen=True, slots=True)
class Suspect:
    """An entity that looks wrong, and why, in words that name the key that fixes it."""

    entity: Entity
    reason: str


def cased_lower(text: str) -> bool:
    """Has letters that have case, and none of them is a capital (CJK text never counts)."""
    cased = [c for c in text if c.lower() != c.upper()]
    return bool(cased) and not any(c.isupper() for c in cased)


def _word_start(text: str, at: int) -> int:
    while at > 0 and not text[at - 1].isspace():
        at -= 1
    return at


def _cuts_a_word(text: str, entity: Entity) -> bool:
    """An edge between two letters or digits ("Turkis" of "Turkish"), or before a combining
    mark or joiner, which belongs to the character before it ("Cafe" of "Cafe\u0301")."""
    return any(_inside(text, at) for at in (entity.start, entity.end))


def _inside(text: str, at: int) -> bool:
    """Whether a span edge at ``at`` falls inside a word or a character."""
    if not 0 < at < len(text):
        return False
    return _joins(text[at]) or (text[at - 1].isalnum() and text[at].isalnum())


def _joins(char: str) -> bool:
    return unicodedata.combining(char) != 0 or char in "\u200d\ufe0f"


def _number_in_a_name(text: str, entity: Entity) -> bool:
    """A number joined by a hyphen to a capitalised word: the "One" of "One-China" is part
    of a name, not a count. (A name beside a name, "Iran-Iraq", is left alone.)"""
    if entity.label not in _NUMBER_LABELS:
        return False
    start, end = entity.start, entity.end
    if end + 1 < len(text) and text[end] in _HYPHENS and text[end + 1].isupper():
        return True
    if start < 2 or text[start - 1] not in _HYPHENS:
        return False
    return text[_word_start(text, start - 1)].isupper()


def _a_space(text: str, entity: Entity, after: Entity) -> bool:
    """Only spaces between the two, on one line: one span could hold both."""
    gap = text[entity.end : after.start]
    return not gap.strip() and "\n" not in gap and "\r" not in gap


def suspects(text: str, entities: Sequence[Entity]) -> list[Suspect]:
    """Every entity that looks wrong, in text order, with the first reason found."""
    ordered = sorted(entities)
    found: list[Suspect] = []
    for i, entity in enumerate(ordered):
        span = text[entity.start : entity.end]
        after = ordered[i + 1] if i + 1 < len(ordered) else None
        reason = None
        if len(pieces(text, entity.start, entity.end)) > 1:
            reason = "a separator inside it: S splits it"
        elif after is not None and after.label == entity.label and _a_space(text, entity, after):
            reason = f"another {entity.label} follows, only a space away: one name? J joins them"
        elif _cuts_a_word(text, entity):
            reason = "it cuts a word: [ ] { } move its edges, x deletes it"
        elif _number_in_a_name(text, entity):
            reason = "a number inside a name: x deletes it"
        elif entity.label in NAME_LABELS and cased_lower(span):
            article = "an" if entity.label[0] in "AEIOU" else "a"
            reason = f"{article} {entity.label} with no capital letter: x deletes it"
        if reason is not None:
            found.append(Suspect(entity, reason))
    return found


def _percent(score: float) -> str:
    return f"{score * 100:.0f}%"


def uncertain(text: str, entities: Sequence[Entity], below: float) -> list[Suspect]:
    """The model's suggestions it gave a score under ``below``, with its other reading.

    A score is the share of the model's beam that holds the span with its label
    (:mod:`tui.core.confidence`); a person's span has none and is never stopped at.
    """
    found: list[Suspect] = []
    for entity in sorted(entities):
        if entity.source != "model" or entity.score is None or entity.score >= below:
            continue
        reason = f"the model is {_percent(entity.score)} sure"
        alt = entity.alternative
        if alt is None:
            reason += "; it had no other reading here: x deletes it"
        else:
            other = alt.label
            if (alt.start, alt.end) != (entity.start, entity.end):
                other = f"{text[alt.start : alt.end]!r} {alt.label}"
            reason += f"; the other reading was {other} {_percent(alt.score)}: v takes it"
        found.append(Suspect(entity, reason))
    return found


def walk(text: str, entities: Sequence[Entity], below: float) -> list[Suspect]:
    """What ``w`` stops at: :func:`suspects`, then the uncertain suggestions, in text order;
    an entity with both reasons gives both."""
    reasons: dict[Entity, list[str]] = {}
    for suspect in [*suspects(text, entities), *uncertain(text, entities, below)]:
        reasons.setdefault(suspect.entity, []).append(suspect.reason)
    return [Suspect(e, "; and ".join(r)) for e, r in sorted(reasons.items())]

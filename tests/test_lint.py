"""Spans that look wrong on their own (``w``): each check, and the quiet cases beside it."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from tui.core.lint import suspects
from tui.core.spans import Entity


def at(text: str, needle: str, label: str, nth: int = 0) -> Entity:
    start = -1
    for _ in range(nth + 1):
        start = text.index(needle, start + 1)
    return Entity(start, start + len(needle), label, "model")


def reasons(text: str, entities: list[Entity]) -> list[tuple[str, str]]:
    return [
        (text[s.entity.start : s.entity.end], s.reason.split(":")[0])
        for s in suspects(text, entities)
    ]


def test_each_check_on_the_seeds_errors() -> None:
    text = (
        "Shafaq News/ China met the Politburo of the Party’s Central Committee on the One-China "
        "policy and hegemonic practices."
    )
    ents = [
        at(text, "Shafaq News/ China", "ORG"),
        at(text, "the Politburo of the Party’s", "ORG"),
        at(text, "Central Committee", "ORG"),
        at(text, "One", "CARDINAL"),
        at(text, "hegemonic practices", "ORG"),
    ]
    assert reasons(text, ents) == [
        ("Shafaq News/ China", "a separator inside it"),
        ("the Politburo of the Party’s", "another ORG follows, only a space away"),
        ("One", "a number inside a name"),
        ("hegemonic practices", "an ORG with no capital letter"),
    ]


def test_what_is_left_alone() -> None:
    text = (
        "Iran-backed militants met Quaid-e-Azam fans, Iran’s envoy, the middle East desk, "
        "北京 officials and two GPE neighbours: Israel Ukraine\n\nIran in Kazan."
    )
    ents = [
        at(text, "Iran", "GPE"),  # "-backed" is no capitalised word
        at(text, "Quaid-e-Azam", "PERSON"),  # hyphens inside are fine
        at(text, "Iran", "GPE", 1),  # a possessive is no cut word
        at(text, "middle East", "LOC"),  # one capital is enough
        at(text, "北京", "GPE"),  # no letters with case
        at(text, "two", "CARDINAL"),  # not a name label
        at(text, "Ukraine", "GPE"),
        at(text, "Iran", "GPE", 2),  # a paragraph break between: no join possible
    ]
    assert reasons(text, ents) == []
    assert reasons(text, [at(text, "Israel", "GPE"), at(text, "Ukraine", "GPE")]) == [
        ("Israel", "another GPE follows, only a space away")
    ]


def test_edges_inside_a_word_and_numbers_inside_a_name() -> None:
    text = "Turkish officials, the Iran-Iraq war, the G-7 and the One-China policy."
    assert reasons(text, [at(text, "Turkis", "NORP")]) == [("Turkis", "it cuts a word")]
    assert reasons(text, [at(text, "urkish", "NORP")]) == [("urkish", "it cuts a word")]
    assert reasons(text, [at(text, "Iran", "GPE"), at(text, "Iraq", "GPE")]) == []
    assert reasons(text, [at(text, "China", "GPE")]) == []
    assert reasons(text, [at(text, "7", "CARDINAL")]) == [("7", "a number inside a name")]
    assert reasons(text, [at(text, "One", "CARDINAL")]) == [("One", "a number inside a name")]


def test_an_edge_before_a_combining_mark_or_a_joiner_cuts_a_character() -> None:
    text = "Cafe\u0301 Bar met 👩\u200d🔬 Lab in 東京."
    cafe = Entity(0, 4, "ORG", "model")  # "Cafe" without its accent
    assert reasons(text, [cafe]) == [("Cafe", "it cuts a word")]
    assert reasons(text, [Entity(0, 5, "ORG", "model")]) == []
    woman = text.index("👩")
    scientist = Entity(woman, woman + 1, "PERSON", "model")  # half of a joined emoji
    assert reasons(text, [scientist]) == [("👩", "it cuts a word")]
    tokyo = text.index("東京")
    assert reasons(text, [Entity(tokyo, tokyo + 2, "GPE", "model")]) == []


@given(st.lists(st.tuples(st.integers(0, 40), st.integers(1, 8)), max_size=6))
def test_suspects_are_entities_in_text_order(raw: list[tuple[int, int]]) -> None:
    text = "Shafaq News/ China met Iran-backed Quaid-e-Azam in one-China."
    entities: list[Entity] = []
    for start, length in raw:
        end = min(start + length, len(text))
        if any(e.start < end and start < e.end for e in entities):
            continue
        entities.append(Entity(start, end, "ORG", "model"))
    found = suspects(text, entities)
    assert [s.entity for s in found] == sorted(s.entity for s in found)
    assert all(s.entity in entities and s.reason for s in found)


def test_uncertain_suggestions_say_how_sure_and_the_other_reading() -> None:
    from tui.core.lint import uncertain, walk
    from tui.core.spans import Alternative

    text = "Both China and Pezeshkian met.\n"
    china = Entity(5, 10, "GPE", "model", None, 0.0, Alternative(0, 10, "WORK_OF_ART", 1.0))
    pez = Entity(15, 25, "NORP", "model", None, 0.43, Alternative(15, 25, "ORG", 0.19))
    sure = Entity(0, 4, "ORG", "model", None, 0.99)
    mine = Entity(26, 29, "ORG", "user")  # a person's span has no score: never stopped at
    found = uncertain(text, [pez, china, sure, mine], 0.8)
    assert [s.reason for s in found] == [
        "the model is 0% sure; the other reading was 'Both China' WORK_OF_ART 100%: v takes it",
        "the model is 43% sure; the other reading was ORG 19%: v takes it",
    ]
    assert uncertain(text, [pez], 0.43) == []  # under the threshold only
    both = walk(text, [sure, pez, mine], 0.8)  # "met" lower case as ORG, and unsure Pezeshkian
    assert [s.entity for s in both] == [pez, mine]
    assert "43% sure" in both[0].reason and "no capital letter" in both[1].reason

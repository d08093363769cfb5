"""Page chrome around plain-text articles: the rule, on the seeds and on hostile text."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.conftest import SEED_IDS, SEEDS
from tui.core.article import read_article
from tui.core.boilerplate import chrome, is_sentence
from tui.core.edits import Document
from tui.core.spans import Entity, paragraph_at, paragraphs


def seed(n: int) -> str:
    return read_article(SEEDS, SEED_IDS[n]).text


def test_the_second_seed_loses_its_header_title_block_and_related_stories() -> None:
    text = seed(1)
    head, tail = chrome(text)
    assert text[head[0] : head[1]].startswith("date 2024-10-24 Open Menu")
    assert text[head[0] : head[1]].endswith(
        "Xi pledges to boost Iran ties in talks with Pezeshkian"
    )
    assert text[head[1] :].lstrip().startswith("Kazan, (APP")
    assert text[tail[0] : tail[1]].startswith("Related Topics")
    assert tail[1] == len(text.rstrip())
    assert text[: tail[0]].rstrip().endswith("Russia's invasion of Ukraine.")


def test_an_article_that_starts_and_ends_with_sentences_has_no_chrome() -> None:
    assert chrome(seed(0)) == ()


def test_a_subheading_inside_the_story_stays() -> None:
    text = (
        "Menu\n\nThe talks began in Kazan on Monday.\n\nWhat comes next\n\n"
        "Both sides will meet again in Doha."
    )
    assert chrome(text) == ((0, 4),)


def test_teasers_cut_short_quotes_and_crlf() -> None:
    assert not is_sentence("Destitute Gazans cold 'every night' as winter appr ..")
    assert not is_sentence("Another French top pick starts life in the …")
    assert is_sentence('He said the talks would go on "until it is done."')
    assert is_sentence("Will the ceasefire hold after the talks in Doha?”")
    assert not is_sentence("Related Topics.")  # too short to be prose
    text = "Open Menu\r\n\r\nXi met Pezeshkian in Kazan on Wednesday.\r\n\r\n2 hours ago\r\n"
    head, tail = chrome(text)
    assert text[head[0] : head[1]] == "Open Menu"
    assert text[tail[0] : tail[1]] == "2 hours ago"


def test_a_text_with_no_sentence_keeps_everything() -> None:
    assert chrome("Related Topics\n\nIran China\n\n2 hours ago") == ()
    assert chrome("") == ()


words = st.sampled_from(["Xi", "met", "Iran", "in", "Kazan", "2", "hours", "ago", "📰", "北京"])
paragraph = (
    st.lists(words, min_size=1, max_size=9)
    .map(" ".join)
    .flatmap(lambda p: st.sampled_from([p, p + ".", p + " ..", p + '."']))
)


@given(st.lists(paragraph, max_size=8), st.sampled_from(["\n\n", "\r\n\r\n", "\n \n"]))
def test_chrome_never_takes_a_sentence_and_keeps_everything_between(
    pars: list[str], gap: str
) -> None:
    text = gap.join(pars)
    ranges = chrome(text)
    sentences = [(s, e) for s, e in paragraphs(text) if is_sentence(text[s:e])]
    for start, end in ranges:
        assert not any(s < end and start < e for s, e in sentences)
    if sentences:
        kept = (ranges[0][1] if ranges and ranges[0][0] < sentences[0][0] else 0, len(text))
        assert kept[0] <= sentences[0][0]
    else:
        assert ranges == ()


def test_B_removes_the_chrome_entities_as_one_edit_and_undo_brings_them_back() -> None:
    text = seed(1)
    xi = Entity(text.index("Xi Pledges"), text.index("Xi Pledges") + 2, "PERSON", "model")
    kazan = Entity(text.index("Kazan"), text.index("Kazan") + 5, "GPE", "model")
    tail_xi = text.index("Xi Jinping", text.index("Related"))
    jinping = Entity(tail_xi, tail_xi + 10, "PERSON", "model")
    doc = Document(text, [xi, kazan, jinping])
    edit = doc.exclude_chrome()
    assert edit is not None and set(edit.removed) == {xi, jinping}
    assert doc.entities == (kazan,)
    assert doc.excluded == chrome(text)
    assert doc.exclude_chrome() is None  # already out
    doc.undo()
    assert set(doc.entities) == {xi, kazan, jinping} and doc.excluded == ()
    assert Document(seed(0)).exclude_chrome() is None  # no chrome: not even a status change


def test_suggest_marks_chrome_without_history_or_status_and_spares_a_persons_span() -> None:
    text = seed(1)
    head, tail = chrome(text)
    umer = text.index("Umer Jamshaid")
    mine = Entity(umer, umer + 13, "PERSON", "user")
    jinping = text.index("Xi Jinping", tail[0])
    model = Entity(jinping, jinping + 10, "PERSON", "model")
    doc = Document(text, [mine, model], "in_progress")
    assert doc.mark_chrome()
    assert doc.excluded == (tail,) and doc.entities == (mine,)
    assert doc.status == "in_progress" and not doc.undo_stack
    assert not doc.mark_chrome()  # nothing more to mark


@given(st.text(alphabet="ab \t\r\n\u3000.", max_size=40))
def test_paragraphs_are_the_ones_paragraph_at_finds(text: str) -> None:
    """One definition of a paragraph for B, X and the selection's limits."""
    at_every_offset = {p for i in range(len(text)) if (p := paragraph_at(text, i)) is not None}
    assert paragraphs(text) == sorted(at_every_offset)


def test_the_second_seed_chrome_is_the_gold_excluded_text() -> None:
    import tomllib

    gold = tomllib.loads(
        (SEEDS.parent / "tests/data/gold" / "004_3225c72a86fdfdf4.toml").read_text()
    )
    assert chrome(seed(1)) == tuple((r["start"], r["end"]) for r in gold["excluded"])


STORY = (
    "The council approved the new bridge on Tuesday after a long debate.\n\n"
    "Work will start in spring and should take two years, the mayor said."
)


def test_a_headline_followed_by_its_story_is_article_text() -> None:
    assert chrome("Council approves new bridge\n\n" + STORY) == ()
    assert chrome("Home sales rise in March\n\n" + STORY) == ()
    assert chrome("'My memories of Marley...'\n\n" + STORY) == ()
    # a list after the last sentence is the story's too (names, results, a line-up)
    assert chrome(STORY + "\n\nIran, China, Russia, India, Brazil, South Africa") == ()
    assert chrome(STORY + "\n\nReporting by Ann Lee; editing by Bob Smith") == ()


@pytest.mark.parametrize(
    ("head", "tail"),
    [
        ("Open Menu", ""),
        ("Home | World | Business | Sport", ""),
        ("Monday, October 24, 2024 The Daily Courier", ""),
        ("By Ann Lee, Published 24 Oct 2024", ""),
        ("Skip to content", ""),
        ("", "Related Topics\n\nIran China Russia"),
        ("", "Recent Stories\n\nBridge opens on time, says mayor"),
        ("", "More from World\n\nFloods hit the north"),
        ("", "Floods hit the north and the ri ..\n\n2 hours ago"),
        ("", "© 2024 The Daily Courier. All rights reserved."),
    ],
)
def test_page_lines_around_the_story_are_chrome(head: str, tail: str) -> None:
    text = "\n\n".join(p for p in (head, "Council approves new bridge", STORY, tail) if p)
    ranges = chrome(text)
    marked = [text[s:e] for s, e in ranges]
    assert marked == [p for p in (head, tail) if p]
    assert all("Council approves" not in m and "council approved" not in m for m in marked)


def test_a_title_the_page_repeats_is_chrome_both_times() -> None:
    text = "Bridge Opens On Time\n\nBy Ann Lee\n\nBridge opens on time\n\n" + STORY
    assert [text[s:e] for s, e in chrome(text)] == [
        "Bridge Opens On Time\n\nBy Ann Lee\n\nBridge opens on time"
    ]

"""Page chrome in plain-text articles: what a scraper kept around the story.

Pages saved as text keep the site's menu, a dateline, the title block and byline, and the
lists of related stories after the article. The story is the run of paragraphs from the
first sentence to the last; nothing between two sentences is ever touched, so a subheading
or a list inside the story stays article text.

Around it, a paragraph is chrome only when it looks like chrome: before the story a menu, a
dateline with the site's name, a byline, a title that the page repeats, a teaser cut short;
after it everything from a "Related" / "Recent" / "More stories" heading, a teaser, a
"2 hours ago" or a copyright line on. A headline followed by its story is article text (and
good training data), so a clean article keeps every line.

The rules are deliberately plain, so a person can predict them and undo them: ``B`` in the
reader marks the chrome as not article text in one edit, and ``X`` gives any paragraph back.
"""

from __future__ import annotations

import re
from collections import Counter

from tui.core.spans import Range, paragraphs

MIN_WORDS = 6
"""Shorter paragraphs ("Related Topics", "2 hours ago") are never sentences."""

_CLOSERS = "\"'”’»)]"


def is_sentence(paragraph: str) -> bool:
    """Ends like prose (``.``, ``!``, ``?`` before any closing quote) and is long enough.

    A paragraph ending in ``..`` or ``…`` is a teaser cut short, not a sentence.
    """
    if len(paragraph.split()) < MIN_WORDS:
        return False
    end = paragraph.rstrip().rstrip(_CLOSERS).rstrip()
    if end.endswith(("..", "…")):
        return False
    return end.endswith((".", "!", "?"))


_MONTH = r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?"
_DATE = re.compile(
    rf"\b(?:\d{{4}}-\d{{1,2}}-\d{{1,2}}|\d{{1,2}}:\d{{2}}\s*(?:am|pm)?|{_MONTH}\s+\d{{1,2}},?\s+\d{{4}}"
    rf"|\d{{1,2}}(?:st|nd|rd|th)?\s+{_MONTH},?\s+\d{{4}})",
    re.IGNORECASE,
)
_MENU = re.compile(
    r"\b(?:menu|navigation|skip to (?:main )?content|log ?in|sign ?in|sign up|subscribe)\b",
    re.IGNORECASE,
)
_BYLINE = re.compile(r"^(?:by|written by|words by)\s|\b(?:published|updated|posted)\b", re.I)
_TAIL = re.compile(
    r"^(?:related|recent|more|latest|trending|popular|most (?:read|popular|viewed)|read more"
    r"|see also|also read|you may also like|recommended|top stories)\b",
    re.IGNORECASE,
)
_AGO = re.compile(r"^\d+\s+(?:second|minute|min|hour|hr|day|week|month|year)s?\s+ago$", re.I)
_NOTICE = re.compile(
    r"©|\bcopyright\s+(?:\(c\)\s*)?\d{4}|all rights reserved"
    r"|^(?:share (?:this|on)|follow us|advertisement$|sponsored\b)",
    re.IGNORECASE,
)
_SEPARATORS = re.compile(r"\s[|•·]\s")


def _key(paragraph: str) -> str:
    """What two copies of a title share: their words, whatever their case and punctuation."""
    return " ".join(re.findall(r"\w+", paragraph.lower()))


def _teaser(paragraph: str) -> bool:
    """Cut short by the page ("winter appr ..", "starts life in the …"), not an ellipsis a
    writer chose ("My memories of Marley...")."""
    end = paragraph.rstrip().rstrip(_CLOSERS).rstrip()
    return end.endswith((" ..", " …")) or (end.endswith("..") and not end.endswith("..."))


def _page_line(paragraph: str) -> bool:
    """A line only a page has: a menu, a dateline, a byline, a teaser, a notice."""
    p = paragraph.strip()
    words = len(p.split())
    return (
        (_MENU.search(p) is not None and words <= 12)
        or len(_SEPARATORS.findall(p)) >= 2
        or (_DATE.search(p) is not None and words <= 12)
        or (_BYLINE.search(p) is not None and words <= 15)
        or _AGO.match(p) is not None
        or _NOTICE.search(p) is not None
        or _teaser(p)
    )


def chrome(text: str) -> tuple[Range, ...]:
    """The chrome around the story, as ranges of whole paragraphs (neighbours joined).

    A text with no sentence at all has no story to keep apart, so nothing is chrome.
    """
    pars = paragraphs(text)
    prose = [
        i
        for i, (s, e) in enumerate(pars)
        if is_sentence(text[s:e]) and not _NOTICE.search(text[s:e])  # "© 2024 … reserved."
    ]
    if not prose:
        return ()
    first, last = prose[0], prose[-1]
    keys = [_key(text[s:e]) for s, e in pars]
    seen = Counter(k for k in keys if len(k.split()) >= 3)
    marked = [
        i for i in range(first) if _page_line(text[pars[i][0] : pars[i][1]]) or seen[keys[i]] > 1
    ]
    tail = next(
        (
            i
            for i in range(last + 1, len(pars))
            if _TAIL.match(text[pars[i][0] : pars[i][1]].strip()) is not None
            or _page_line(text[pars[i][0] : pars[i][1]])
        ),
        None,
    )
    if tail is not None:
        marked.extend(range(tail, len(pars)))
    ranges: list[Range] = []
    for i in sorted(marked):
        start, end = pars[i]
        if ranges and i - 1 in marked:
            ranges[-1] = (ranges[-1][0], end)
        else:
            ranges.append((start, end))
    return tuple(ranges)

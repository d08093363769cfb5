"""Page chrome in plain-text articles: what a scraper kept around the story.

Pages saved as text keep the site's header, the title block and byline, and the lists of
related stories after the article. Those lines are not sentences: they have no full stop, or
they are teasers cut short ("winter appr .."). The article is the run of paragraphs from the
first sentence to the last; what lies before and after it is chrome. Nothing between two
sentences is touched, so a short subheading inside the story stays article text.

The rule is deliberately plain, so a person can predict it and undo it: ``B`` in the reader
marks the chrome as not article text in one edit, and ``X`` gives any paragraph back.
"""

from __future__ import annotations

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


def chrome(text: str) -> tuple[Range, ...]:
    """The paragraphs before the first sentence and after the last, as at most two ranges.

    A text with no sentence at all has no article to keep apart, so nothing is chrome.
    """
    pars = paragraphs(text)
    prose = [i for i, (s, e) in enumerate(pars) if is_sentence(text[s:e])]
    if not prose:
        return ()
    first, last = prose[0], prose[-1]
    ranges: list[Range] = []
    if first > 0:
        ranges.append((pars[0][0], pars[first - 1][1]))
    if last < len(pars) - 1:
        ranges.append((pars[last + 1][0], pars[-1][1]))
    return tuple(ranges)

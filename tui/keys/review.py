"""Keys of ``newsmark review``."""

from __future__ import annotations

from textual.binding import Binding

# Keys of `newsmark review`; the gold pane takes VIEW_BINDINGS as well, and APP_BINDINGS work.
REVIEW_BINDINGS: list[Binding] = [
    Binding(
        "less_than_sign",
        "take('left')",
        "Left",
        id="review-left",
        tooltip="Take the left version for the disagreement under the cursor, then go to "
        "the next one left to decide.",
    ),
    Binding(
        "greater_than_sign",
        "take('right')",
        "Right",
        id="review-right",
        tooltip="Take the right version for the disagreement under the cursor, then go to "
        "the next one left to decide.",
    ),
    Binding(
        "0",
        "take('neither')",
        "Neither",
        id="review-neither",
        tooltip="Take neither version: no span over the disagreement under the cursor.",
    ),
    Binding(
        "d",
        "disagreement(1)",
        "Next diff",
        id="review-next",
        tooltip="Jump to the next disagreement (decided or not), wrapping around.",
    ),
    Binding(
        "D",
        "disagreement(-1)",
        "Previous diff",
        show=False,
        id="review-previous",
        tooltip="Jump to the previous disagreement, wrapping around.",
    ),
    Binding(
        "full_stop",
        "article(1)",
        "Next article",
        show=False,
        id="review-article-next",
        tooltip="Open the next shared article.",
    ),
    Binding(
        "comma",
        "article(-1)",
        "Previous article",
        show=False,
        id="review-article-previous",
        tooltip="Open the previous shared article.",
    ),
    Binding(
        "t",
        "pick_label",
        "Label…",
        show=False,
        id="review-label-pick",
        tooltip="Open the label picker for the gold's selection or the entity under the "
        "cursor, for labels past 9.",
    ),
    Binding(
        "slash",
        "search",
        "Search",
        id="review-search",
        tooltip="Search the gold (type, then enter); enter jumps to the next match, escape "
        "clears it.",
    ),
    Binding(
        "G",
        "accept_agreed",
        "Accept agreed",
        show=False,
        id="review-accept-agreed",
        tooltip="Write the gold of every article where the two versions agree completely, "
        "in one step (gold already written is kept).",
    ),
]

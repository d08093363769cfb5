"""Every key binding, declared once: the widgets' BINDINGS, the help screen and the README
table all come from these lists, so the documentation cannot drift from the keys.

Each binding has an ``id`` so people can rebind it with ``App.set_keymap`` and a ``tooltip``
that says what it does in a sentence (the help text).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import replace

from textual.binding import Binding

_LABEL_KEYS = Binding.Group("Label")
_QUIT_KEYS = Binding.Group("Quit")

# Keys of the reading view: they act on the focused article. The footer shows the view's
# keys first, so help leads it: at 80 columns it is still there.
VIEW_BINDINGS: list[Binding] = [
    Binding(
        "question_mark",
        "app.help",
        "Help",
        id="help-view",
        tooltip="Show every key binding.",
    ),
    Binding(
        "right,l",
        "move(1)",
        "Next token",
        show=False,
        id="token-next",
        tooltip="Move the cursor to the next token.",
    ),
    Binding(
        "left,h",
        "move(-1)",
        "Previous token",
        show=False,
        id="token-previous",
        tooltip="Move the cursor to the previous token.",
    ),
    Binding(
        "down,j",
        "line(1)",
        "Line down",
        show=False,
        id="line-down",
        tooltip="Move the cursor down a line.",
    ),
    Binding(
        "up,k",
        "line(-1)",
        "Line up",
        show=False,
        id="line-up",
        tooltip="Move the cursor up a line.",
    ),
    Binding(
        "pagedown",
        "page(1)",
        "Page down",
        show=False,
        id="page-down",
        tooltip="Move the cursor down a page.",
    ),
    Binding(
        "pageup",
        "page(-1)",
        "Page up",
        show=False,
        id="page-up",
        tooltip="Move the cursor up a page.",
    ),
    Binding(
        "home",
        "edge(-1)",
        "Start",
        show=False,
        id="start",
        tooltip="Move the cursor to the start of the article.",
    ),
    Binding(
        "end",
        "edge(1)",
        "End",
        show=False,
        id="end",
        tooltip="Move the cursor to the end of the article.",
    ),
    Binding(
        "n",
        "entity(1)",
        "Next entity",
        show=False,
        id="entity-next",
        tooltip="Jump to the next entity.",
    ),
    Binding(
        "N",
        "entity(-1)",
        "Previous entity",
        show=False,
        id="entity-previous",
        tooltip="Jump to the previous entity.",
    ),
    Binding(
        "w",
        "suspect(1)",
        "Next likely error",
        show=False,
        id="suspect-next",
        tooltip="Jump to the next entity that looks wrong and say why: a separator inside "
        "it, a neighbour of the same label a space away, a word cut at its edge, a name in "
        "lower case, a suggestion the model is unsure of.",
    ),
    Binding(
        "W",
        "suspect(-1)",
        "Previous likely error",
        show=False,
        id="suspect-previous",
        tooltip="Jump to the previous entity that looks wrong and say why.",
    ),
    Binding(
        "shift+right,L",
        "extend(1)",
        "Select",
        key_display="L/H",
        id="select-right",
        tooltip="Extend the selection by a token to the right of the cursor.",
    ),
    Binding(
        "shift+left,H",
        "extend(-1)",
        "Extend left",
        show=False,
        id="select-left",
        tooltip="Extend the selection by a token to the left of the cursor.",
    ),
    Binding(
        "escape",
        "clear",
        "Clear",
        show=False,
        id="select-clear",
        tooltip="Clear the selection and the search.",
    ),
    *[
        Binding(
            str(n),
            f"label_number({n})",
            "Label" if n == 1 else f"Label {n}",
            show=n == 1,  # the footer shows them all as one key, 1–9
            key_display="1–9" if n == 1 else None,
            id=f"label-{n}",
            group=_LABEL_KEYS,
            tooltip="Give the selection, or the entity under the cursor, the label shown "
            "with that number; on a plain token it makes a one-token entity.",
        )
        for n in range(1, 10)
    ],
    Binding(
        "x,delete",
        "delete",
        "Delete",
        id="entity-delete",
        tooltip="Delete the entity under the cursor.",
    ),
    Binding(
        "left_square_bracket",
        "resize_end(-1)",
        "End ◂",
        show=False,
        id="end-left",
        tooltip="Move the end of the entity under the cursor one token left.",
    ),
    Binding(
        "right_square_bracket",
        "resize_end(1)",
        "End ▸",
        show=False,
        id="end-right",
        tooltip="Move the end of the entity under the cursor one token right; an entity it "
        "reaches is taken in (J joins two whole entities).",
    ),
    Binding(
        "left_curly_bracket",
        "resize_start(-1)",
        "Start ◂",
        show=False,
        id="start-left",
        tooltip="Move the start of the entity under the cursor one token left.",
    ),
    Binding(
        "right_curly_bracket",
        "resize_start(1)",
        "Start ▸",
        show=False,
        id="start-right",
        tooltip="Move the start of the entity under the cursor one token right.",
    ),
    Binding(
        "S",
        "split",
        "Split",
        show=False,
        id="entity-split",
        tooltip="Split the entity under the cursor at its separators, each piece keeping the "
        'label: a dash, slash, pipe or bullet with a space beside it ("Shafaq News/ China", '
        '"APP - UrduPoint / Pakistan Point News").',
    ),
    Binding(
        "v",
        "alternative",
        "Other reading",
        show=False,
        id="entity-alternative",
        tooltip="Take the model's other reading of the suggestion under the cursor (another "
        "label, or other edges), the one w names when the model is unsure.",
    ),
    Binding(
        "J",
        "join",
        "Join",
        show=False,
        id="entity-join",
        tooltip="Join the entity under the cursor and the next one on its line into one "
        'entity with the first one\'s label, the words between included ("Wang" and "Yi"). '
        "] instead moves the end a token at a time, taking in an entity it reaches.",
    ),
    Binding(
        "ctrl+left",
        "nudge(-1)",
        "End -1 char",
        show=False,
        id="char-left",
        tooltip="Move the end of the selection or entity one character left, for spans "
        'tokens don\'t fit ("Shafaq News/" holds "Shafaq News").',
    ),
    Binding(
        "ctrl+right",
        "nudge(1)",
        "End +1 char",
        show=False,
        id="char-right",
        tooltip="Move the end of the selection or entity one character right.",
    ),
    Binding(
        "ctrl+shift+left",
        "nudge_start(-1)",
        "Start -1 char",
        show=False,
        id="start-char-left",
        tooltip="Move the start of the selection or entity one character left, for CJK, "
        "words glued to punctuation and long runs without spaces.",
    ),
    Binding(
        "ctrl+shift+right",
        "nudge_start(1)",
        "Start +1 char",
        show=False,
        id="start-char-right",
        tooltip="Move the start of the selection or entity one character right.",
    ),
    Binding(
        "A",
        "label_all",
        "Label all",
        show=False,
        id="label-all",
        tooltip="Give every exact whole-token occurrence of the entity's text in this "
        "article the same label; a longer entity that contains it is left alone.",
    ),
    Binding(
        "X",
        "exclude",
        "Not article",
        show=False,
        id="exclude",
        tooltip="Mark the selection (else the paragraph under the cursor) as not article "
        "text: dimmed, its entities removed, left out of exports. On such text, give it back.",
    ),
    Binding(
        "B",
        "exclude_chrome",
        "Not article: chrome",
        show=False,
        id="exclude-chrome",
        tooltip="Mark the page chrome as not article text: menus, datelines, bylines and "
        "repeated titles above the story, related-stories tails below it; a headline stays.",
    ),
    Binding(
        "T",
        "exclude_tail",
        "Not article to end",
        show=False,
        id="exclude-tail",
        tooltip="Mark everything from the cursor's line to the end of the article as not "
        'article text ("Related Topics", "Recent Stories", footers).',
    ),
    Binding("u", "undo", "Undo", id="undo", tooltip="Undo the last edit in this article."),
    Binding("ctrl+r", "redo", "Redo", show=False, id="redo", tooltip="Redo the edit last undone."),
    Binding(
        "enter",
        "next_match",
        "Next match",
        show=False,
        id="search-next",
        tooltip="Jump to the next match of the search.",
    ),
]

# Keys of the main screen: panes, articles and pickers.
SCREEN_BINDINGS: list[Binding] = [
    Binding(
        "tab",
        "switch_pane",
        "Switch pane",
        id="pane-switch",
        priority=True,
        tooltip="Move the focus to the other article pane.",
    ),
    Binding(
        "t",
        "pick_label",
        "Label…",
        id="label-pick",
        tooltip="Open the label picker (type to filter, enter to choose) for the "
        "selection or the entity under the cursor.",
    ),
    Binding(
        "a",
        "review('accepted')",
        "Accept",
        id="accept",
        tooltip="Accept the article, then open the next unreviewed one in this pane.",
    ),
    Binding(
        "r",
        "review('rejected')",
        "Reject",
        id="reject",
        tooltip="Reject the article, then open the next unreviewed one in this pane.",
    ),
    Binding(
        "s",
        "review('skipped')",
        "Skip",
        id="skip",
        tooltip="Skip the article, then open the next unreviewed one in this pane.",
    ),
    Binding(
        "o",
        "pick_article",
        "Open…",
        id="article-pick",
        tooltip="Open the article picker for this pane: ids, status, entity counts and first "
        'lines; type part of an id, a title or a status ("Google", "unrev") to filter.',
    ),
    Binding(
        "full_stop",
        "step_article(1)",
        "Next article",
        show=False,
        id="article-next",
        tooltip="Open the next article in corpus order in this pane, leaving its status and "
        "this one's as they are (a, r and s set a status, then open the next to review).",
    ),
    Binding(
        "comma",
        "step_article(-1)",
        "Previous article",
        show=False,
        id="article-previous",
        tooltip="Open the previous article in corpus order in this pane, statuses unchanged.",
    ),
    Binding(
        "slash",
        "search",
        "Search",
        id="search",
        tooltip="Search the article; enter jumps to the next match.",
    ),
    Binding(
        "e",
        "focus_entities",
        "Entities",
        show=False,
        id="entity-list",
        tooltip="Move to the side panel's entity list; enter jumps to the chosen entity.",
    ),
    Binding(
        "I",
        "corpus_index",
        "Index",
        show=False,
        id="corpus-index",
        tooltip="Open the corpus entity index: every entity text in the corpus with its labels, "
        "counts and articles, likely errors first (conflicting labels, name parts, "
        "lower-case names).",
    ),
    Binding(
        "ctrl+a",
        "label_corpus",
        "Label all in corpus",
        show=False,
        id="label-corpus",
        tooltip="The corpus-wide A: after a preview, give every whole-token occurrence of the "
        "entity's text in every annotated article the same label.",
    ),
    Binding(
        "escape",
        "focus_article",
        "Back",
        show=False,
        id="entity-list-leave",
        tooltip="In the entity list: go back to the article.",
    ),
    Binding(
        "p",
        "toggle_plain",
        "Plain",
        show=False,
        id="plain",
        tooltip="Hide or show the entity highlights for plain reading.",
    ),
]

_RELABEL_KEYS = Binding.Group("Relabel everywhere")

# Keys of the corpus entity index (I).
INDEX_BINDINGS: list[Binding] = [
    *[
        Binding(
            str(n),
            f"relabel({n})",
            f"Relabel {n}",
            show=False,
            id=f"index-relabel-{n}",
            group=_RELABEL_KEYS,
            tooltip="In the index: relabel every entity with the highlighted text, in every "
            "article, with the label of that number (after a preview).",
        )
        for n in range(1, 10)
    ],
    Binding(
        "t",
        "relabel_pick",
        "Relabel…",
        id="index-relabel-pick",
        tooltip="In the index: pick a label for every entity with the highlighted text (after "
        "a preview).",
    ),
    Binding(
        "x",
        "delete_everywhere",
        "Delete everywhere",
        id="index-delete",
        tooltip="In the index: delete every entity with the highlighted text, in every article "
        "(after a preview).",
    ),
    Binding(
        "A",
        "label_everywhere",
        "Label all",
        id="index-label-all",
        tooltip="In the index: give every whole-token occurrence of the highlighted text, in "
        "every annotated article, its most common label (after a preview).",
    ),
    Binding(
        "enter",
        "jump",
        "Jump",
        id="index-jump",
        tooltip="In the index: open the next occurrence of the highlighted text in the article "
        "pane; I comes back to the same row, and enter there goes on to the occurrence after.",
    ),
    Binding(
        "o",
        "other_reading",
        "Other reading",
        id="index-other",
        tooltip="In the index: from a hint (?) to the reading it is weighed against "
        '("Michael London" PERSON and "London" GPE), and back, to fix whichever is wrong.',
    ),
    Binding(
        "f",
        "forget",
        "Forget",
        id="index-forget",
        tooltip="In the index: make the memory forget what it holds about the highlighted text "
        "(◆): a deletion, a label or a resize; unreviewed articles open are suggested again.",
    ),
    Binding(
        "s",
        "suggest",
        "Suggest the rest",
        id="index-suggest",
        tooltip="In the index: suggest, with the model and the memory, every article that has no "
        "suggestions yet, so the index knows them too; escape stops.",
    ),
    Binding(
        "u",
        "undo",
        "Undo",
        id="index-undo",
        tooltip="In the index: undo the last correction made across the corpus, in every "
        "article it changed.",
    ),
    Binding(
        "escape",
        "close",
        "Close",
        id="index-close",
        tooltip="Close the index (while it suggests articles: stop that first).",
    ),
]

# Keys of the preview of a correction across the corpus.
PREVIEW_BINDINGS: list[Binding] = [
    Binding(
        "enter,y",
        "apply",
        "Apply",
        id="preview-apply",
        priority=True,  # over the list's own enter
        tooltip="In a preview: make the changes ticked, saving article by article.",
    ),
    Binding(
        "space",
        "toggle_place",
        "Untick",
        id="preview-toggle",
        priority=True,
        tooltip="In a preview: untick the highlighted place (each change is listed in its "
        "article and line of text), or tick it again; unticked places are left as they are.",
    ),
    Binding(
        "exclamation_mark",
        "include_reviewed",
        "Include accepted",
        id="preview-include-reviewed",
        tooltip="In a preview: change accepted and rejected articles too (they are left alone "
        "unless you say so).",
    ),
    Binding(
        "plus",
        "label_missed",
        "Unlabelled too",
        id="preview-label-missed",
        tooltip="In the preview of a relabel: also label every whole-token occurrence of the "
        "text that is not an entity yet, as A does.",
    ),
    Binding(
        "escape,n",
        "cancel",
        "Cancel",
        id="preview-cancel",
        tooltip="In a preview: change nothing.",
    ),
]

# Keys that work everywhere.
APP_BINDINGS: list[Binding] = [
    Binding("question_mark", "help", "Help", id="help", tooltip="Show every key binding."),
    # q is an ordinary key, so it can be typed into a filter; ctrl+c quits from anywhere.
    Binding(
        "q",
        "quit",
        "Quit",
        id="quit",
        group=_QUIT_KEYS,
        tooltip="Quit; everything is already saved.",
    ),
    Binding(
        "ctrl+c",
        "quit",
        "Quit",
        show=False,
        id="quit-anywhere",
        priority=True,
        group=_QUIT_KEYS,
        tooltip="Quit; everything is already saved.",
    ),
]

# Textual stops the app's keys at a modal screen: the index and its preview, which take no
# typing, pass ? and q on to the app (the same rows in the help).
MODAL_APP_BINDINGS: list[Binding] = [
    Binding(
        "question_mark",
        "app.help",
        "Help",
        show=False,
        id="help-modal",
        tooltip="Show every key binding.",
    ),
    Binding(
        "q",
        "app.quit",
        "Quit",
        show=False,
        id="quit-modal",
        tooltip="Quit; everything is already saved.",
    ),
]

ALL: tuple[Binding, ...] = (
    *VIEW_BINDINGS,
    *SCREEN_BINDINGS,
    *INDEX_BINDINGS,
    *PREVIEW_BINDINGS,
    *APP_BINDINGS,
    *MODAL_APP_BINDINGS,
)

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

REVIEW_HELP: tuple[Binding, ...] = (*REVIEW_BINDINGS, *VIEW_BINDINGS, *APP_BINDINGS)
"""Every key of ``newsmark review``, as its help shows them: each works there."""

_DISPLAY = {
    "left_square_bracket": "[",
    "right_square_bracket": "]",
    "left_curly_bracket": "{",
    "right_curly_bracket": "}",
    "question_mark": "?",
    "slash": "/",
    "exclamation_mark": "!",
    "less_than_sign": "<",
    "greater_than_sign": ">",
    "full_stop": ".",
    "comma": ",",
    "plus": "+",
}


def key_display(key: str) -> str:
    """A key as people type it: ``[`` rather than ``left_square_bracket``."""
    return _DISPLAY.get(key, key)


def rows(
    bindings: Sequence[Binding] = ALL, keymap: Mapping[str, str] | None = None
) -> Iterator[tuple[str, str]]:
    """``(keys, what they do)`` per row; a binding group (``1``–``9``) is one row. Keys a
    person rebound (``keymap``, by id) are shown as bound."""
    if keymap:
        bindings = [replace(b, key=keymap.get(b.id or "", b.key)) for b in bindings]
    done: set[str] = set()
    seen: set[tuple[str, str | None]] = set()
    for binding in bindings:
        if (binding.key, binding.tooltip) in seen:
            continue  # the same key declared for the view and the app: one row
        seen.add((binding.key, binding.tooltip))
        group = binding.group
        if group is not None:
            if group.description in done:
                continue
            done.add(group.description)
            members = [b for b in bindings if b.group is group]
            if len(members) > 2:
                keys = f"`{members[0].key}`–`{members[-1].key}`"
            else:
                keys = "/".join(f"`{key_display(b.key)}`" for b in members)
        else:
            keys = "/".join(f"`{key_display(k)}`" for k in binding.key.split(","))
        yield keys, binding.tooltip


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def markdown(bindings: Sequence[Binding] = ALL) -> str:
    """The key table in Markdown, for the help screen and the README."""
    lines = ["| key | does |", "|---|---|"]
    lines += [f"| {keys} | {_cell(does)} |" for keys, does in rows(bindings)]
    return "\n".join(lines) + "\n"


def ids_markdown(bindings: Sequence[Binding] = (*ALL, *REVIEW_BINDINGS)) -> str:
    """Every binding's id and its keys, for rebinding in the config file (:mod:`tui.keymap`)."""
    lines = ["| id | keys |", "|---|---|"]
    seen: set[str] = set()
    for b in bindings:
        if b.id and b.id not in seen:
            seen.add(b.id)
            keys = "/".join(f"`{key_display(k)}`" for k in b.key.split(","))
            lines.append(f"| `{b.id}` | {keys} |")
    return "\n".join(lines) + "\n"


def write_readme(path: str) -> None:
    """Replace the text between the README's key markers with :func:`markdown`."""
    from pathlib import Path

    readme = Path(path)
    text = readme.read_text("utf-8")
    tables = {
        "keys": markdown(ALL),
        "review-keys": markdown(REVIEW_BINDINGS),
        "key-ids": ids_markdown(),
    }
    for marker, table in tables.items():
        start, end = f"<!-- {marker}:start -->\n", f"<!-- {marker}:end -->"
        if start not in text:
            continue
        head, rest = text.split(start, 1)
        _, tail = rest.split(end, 1)
        text = f"{head}{start}{table}{end}{tail}"
    readme.write_text(text, "utf-8")


if __name__ == "__main__":
    import sys

    write_readme(sys.argv[1] if len(sys.argv) > 1 else "README.md")

"""Keys of the reader: the reading view (they act on the focused article) and the main
screen (panes, articles, pickers)."""

from __future__ import annotations

from textual.binding import Binding

_LABEL_KEYS = Binding.Group("Label")

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

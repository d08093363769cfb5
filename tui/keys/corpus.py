"""Keys of the corpus tools: the entity index (``I``) and the preview of a correction."""

from __future__ import annotations

from textual.binding import Binding

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

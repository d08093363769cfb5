"""Edits, undo/redo and status: unit tests and hypothesis properties."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tui.core.edits import Document, Refused
from tui.core.spans import Entity, check_entities
from tui.core.tokens import regex_tokens

TEXT = "Shafaq News/ China met Iran. Pezeshkian spoke; Pezeshkian's aide and Pezeshkianism."


def ent(text: str, needle: str, label: str, nth: int = 0, source: str = "model") -> Entity:
    start = -1
    for _ in range(nth + 1):
        start = text.index(needle, start + 1)
    return Entity(start, start + len(needle), label, source)  # type: ignore[arg-type]


def test_add_trims_whitespace_and_marks_in_progress() -> None:
    doc = Document(TEXT)
    edit = doc.add(11, 19, "GPE")  # "/ China " -> trimmed at whitespace only
    assert edit is not None
    (entity,) = doc.entities
    assert TEXT[entity.start : entity.end] == "/ China"
    assert entity.source == "user"
    assert doc.status == "in_progress"


def test_add_of_only_whitespace_does_nothing() -> None:
    doc = Document(TEXT)
    assert doc.add(6, 7, "ORG") is None
    assert doc.entities == ()
    assert doc.status == "unreviewed"


def test_add_replaces_everything_it_overlaps_in_one_undoable_step() -> None:
    whole = ent(TEXT, "Shafaq News/ China", "ORG")
    doc = Document(TEXT, [whole])
    doc.add(0, 11, "ORG")
    assert [e.text(TEXT) for e in doc.entities] == ["Shafaq News"]
    doc.undo()
    assert doc.entities == (whole,)
    assert doc.status == "unreviewed"


def test_split_into_two_entities() -> None:
    doc = Document(TEXT, [ent(TEXT, "Shafaq News/ China", "ORG")])
    doc.add(0, 11, "ORG")
    doc.add(13, 18, "GPE")
    assert [(e.text(TEXT), e.label) for e in doc.entities] == [
        ("Shafaq News", "ORG"),
        ("China", "GPE"),
    ]


def test_delete_relabel_resize() -> None:
    iran = ent(TEXT, "Iran", "GPE")
    doc = Document(TEXT, [iran])
    relabel = doc.relabel(iran, "LOC")
    assert relabel is not None
    (loc,) = doc.entities
    assert (loc.label, loc.source) == ("LOC", "user")
    doc.resize(loc, loc.start, loc.end + 1)
    (grown,) = doc.entities
    assert grown.text(TEXT) == "Iran."
    doc.delete(grown)
    assert doc.entities == ()
    assert doc.delete(grown) is None


def test_resize_over_a_neighbour_replaces_it() -> None:
    china, iran = ent(TEXT, "China", "GPE"), ent(TEXT, "Iran", "GPE")
    doc = Document(TEXT, [china, iran])
    doc.resize(china, china.start, iran.end)
    assert [e.text(TEXT) for e in doc.entities] == ["China met Iran"]


def test_relabel_to_same_label_is_no_edit() -> None:
    iran = ent(TEXT, "Iran", "GPE")
    doc = Document(TEXT, [iran])
    assert doc.relabel(iran, "GPE") is None
    assert doc.undo_stack == []


def test_label_all_whole_tokens_only_and_leaves_longer_entities_alone() -> None:
    text = "Pezeshkian met Masoud Pezeshkian. Pezeshkianism grew; Pezeshkian's aide."
    longer = ent(text, "Masoud Pezeshkian", "PERSON")
    first = ent(text, "Pezeshkian", "NORP")
    doc = Document(text, [longer, first])
    edit = doc.label_all(first.start, first.end, "PERSON", regex_tokens(text))
    assert edit is not None
    labelled = [(e.text(text), e.label, e.start) for e in doc.entities]
    assert labelled == [
        ("Pezeshkian", "PERSON", 0),
        ("Masoud Pezeshkian", "PERSON", longer.start),
        ("Pezeshkian", "PERSON", text.index("Pezeshkian's")),
    ]
    doc.undo()
    assert doc.entities == tuple(sorted([longer, first]))


def test_status_changes_are_undoable() -> None:
    doc = Document(TEXT)
    doc.set_status("accepted")
    assert doc.status == "accepted"
    doc.undo()
    assert doc.status == "unreviewed"
    doc.redo()
    assert doc.status == "accepted"
    assert doc.set_status("accepted") is None


def test_redo_is_cleared_by_a_new_edit() -> None:
    doc = Document(TEXT)
    doc.add(0, 6, "ORG")
    doc.undo()
    doc.add(13, 18, "GPE")
    assert doc.redo() is None


def test_suggestions_keep_user_entities_and_are_not_undoable() -> None:
    doc = Document(TEXT)
    doc.add(0, 11, "ORG")
    suggestions = [ent(TEXT, "Shafaq News/ China", "ORG"), ent(TEXT, "Iran", "GPE")]
    doc.replace_suggestions(suggestions)
    assert [(e.text(TEXT), e.source) for e in doc.entities] == [
        ("Shafaq News", "user"),
        ("Iran", "model"),
    ]
    doc.undo()  # undoes the person's add, not the suggestions
    assert [e.text(TEXT) for e in doc.entities] == ["Iran"]


def test_edit_extent_covers_removed_and_added() -> None:
    doc = Document(TEXT, [ent(TEXT, "Shafaq News/ China", "ORG")])
    edit = doc.add(13, 18, "GPE")
    assert edit is not None and edit.extent == (0, 18)


# -- properties ---------------------------------------------------------------------------

ALPHABET = st.sampled_from(list("ab c\n\t😀中é\u0301.'"))
texts = st.text(ALPHABET, min_size=1, max_size=40)
LABELS = st.sampled_from(["ORG", "GPE", "PERSON"])


@st.composite
def doc_and_ops(draw: st.DrawFn) -> tuple[str, list[tuple[str, int, int, str]]]:
    text = draw(texts)
    n = len(text)
    op = st.tuples(
        st.sampled_from(
            ["add", "delete", "relabel", "resize", "join", "all", "status", "exclude"]
            + ["toggle", "undo", "redo"]
        ),
        st.integers(0, n),
        st.integers(0, n),
        LABELS,
    )
    return text, draw(st.lists(op, max_size=25))


State = tuple[tuple[Entity, ...], tuple[tuple[int, int], ...], str]


def state(doc: Document) -> State:
    return doc.entities, doc.excluded, doc.status


def apply(doc: Document, op: tuple[str, int, int, str]) -> object:
    """One operation; what it returns (an Edit, or None when it changed nothing)."""
    kind, a, b, label = op
    before = state(doc), len(doc.undo_stack), len(doc.redo_stack)
    start, end = min(a, b), max(a, b)
    target = doc.spans.at(start) if doc.entities else None
    try:
        if kind == "add":
            return doc.add(start, end, label)
        if kind == "delete" and target:
            return doc.delete(target)
        if kind == "relabel" and target:
            return doc.relabel(target, label)
        if kind == "resize" and target:
            return doc.resize(target, target.start, max(target.start + 1, end))
        if kind == "join" and target:
            return doc.join(target)
        if kind == "all":
            return doc.label_all(start, end, label, regex_tokens(doc.text))
        if kind == "status":
            return doc.set_status("accepted")
        if kind == "exclude":
            return doc.exclude(start, end)
        if kind == "toggle":
            return doc.toggle_excluded(start)
        if kind == "undo":
            return doc.undo()
        if kind == "redo":
            return doc.redo()
    except Refused:  # a refusal changes nothing, not even the history
        assert (state(doc), len(doc.undo_stack), len(doc.redo_stack)) == before, op
        return None
    return None


@settings(max_examples=300, deadline=None)
@given(doc_and_ops())
def test_no_edit_ever_produces_overlaps_or_whitespace_edges(case: tuple) -> None:  # type: ignore[type-arg]
    text, ops = case
    doc = Document(text)
    for op in ops:
        apply(doc, op)
        check_entities(text, doc.entities)


@settings(max_examples=300, deadline=None)
@given(doc_and_ops())
def test_undo_and_redo_walk_the_history_exactly(case: tuple) -> None:  # type: ignore[type-arg]
    """A model of the history (the states in order and where we are in them) predicts every
    state after every operation, undo and redo included; then undo-all reaches the start,
    redo back to where the sequence ended gives exactly its end state, and redo-all the tip."""
    text, ops = case
    doc = Document(text)
    apply(doc, ("add", 0, len(text), "ORG"))
    doc.undo_stack.clear()
    history, at = [state(doc)], 0
    for op in ops:
        before = state(doc)
        done = apply(doc, op)
        if op[0] == "undo":
            at = max(0, at - 1)
        elif op[0] == "redo":
            at = min(len(history) - 1, at + 1)
        elif done is not None:  # a new step drops the steps that were undone
            history, at = [*history[: at + 1], state(doc)], at + 1
        else:
            assert state(doc) == before, op
        assert state(doc) == history[at], op
        check_entities(text, doc.entities)
    end = state(doc)

    steps = 0
    while doc.undo() is not None:
        steps += 1
    assert state(doc) == history[0] and steps == at
    for _ in range(at):
        doc.redo()
    assert state(doc) == end
    while doc.redo() is not None:
        check_entities(text, doc.entities)
    assert state(doc) == history[-1]


# -- one way to say no: Refused, with a sentence for people --------------------------------


LINES = "Wang Yi met\nXi Jinping in Kazan.\r\nThen Pezeshkian left."


def test_an_entity_across_a_line_break_is_refused_by_the_document() -> None:
    doc = Document(LINES)
    with pytest.raises(Refused, match="cannot cross a line break"):
        doc.add(LINES.index("met"), LINES.index("Jinping"), "PERSON")
    xi = ent(LINES, "Xi", "PERSON", source="user")
    doc = Document(LINES, [xi])
    with pytest.raises(Refused, match="line break"):
        doc.resize(xi, LINES.index("met"), xi.end)  # growing back over "\n"
    with pytest.raises(Refused, match="line break"):
        doc.resize(xi, xi.start, LINES.index("Then") + 4)  # over "\r\n"
    assert doc.entities == (xi,) and not doc.undo_stack  # nothing changed


def test_text_marked_not_article_is_refused_with_the_key_that_gives_it_back() -> None:
    doc = Document(LINES, excluded=[(0, 11)])
    with pytest.raises(Refused, match="X there gives it back"):
        doc.add(0, 7, "PERSON")
    with pytest.raises(Refused, match="empty or has spaces"):
        doc.add(12, 14, " PERSON")


def test_join_makes_one_entity_of_two_with_the_first_label() -> None:
    wang, yi = ent(LINES, "Wang", "PERSON"), ent(LINES, "Yi", "ORG")
    doc = Document(LINES, [wang, yi])
    edit = doc.join(wang)
    assert edit is not None
    assert [(e.text(LINES), e.label, e.source) for e in doc.entities] == [
        ("Wang Yi", "PERSON", "user")
    ]
    doc.undo()
    assert doc.entities == (wang, yi)
    with pytest.raises(Refused, match="No entity after"):
        doc.join(yi)


def test_join_never_crosses_a_line() -> None:
    met, xi = ent(LINES, "met", "ORG"), ent(LINES, "Xi", "PERSON")
    doc = Document(LINES, [met, xi])
    with pytest.raises(Refused, match="line break"):
        doc.join(met)

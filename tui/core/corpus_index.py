"""The corpus entity index, and corrections made once for the whole corpus.

The index lists every distinct entity text across the annotated articles with its labels,
counts and articles. Likely errors come first, each with its reason: texts labelled differently
in different places; a person's surname or given name labelled as something else ("Pezeshkian"
NORP beside "Masoud Pezeshkian" PERSON); a name label on text with no capital letter
("hegemonic practices" ORG). A correction of one text (relabel, delete, or label every
occurrence like ``A``) is first a :class:`Plan` that lists every change it would make, article
by article, so a person sees it before anything is written; applied, it is one
:class:`CorpusEdit` that is saved article by article and undone as a whole.

Articles already accepted or rejected are changed only when the person says so
(``include_reviewed``); the plan lists them either way. Articles with no annotation file yet
are left alone: the memory (:mod:`tui.core.memory`) reaches them when they are suggested.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, MutableMapping
from dataclasses import dataclass, field, replace
from typing import Literal

from tui.core import store
from tui.core.article import ArticleError
from tui.core.edits import Document, Edit, Status
from tui.core.lint import NAME_LABELS, cased_lower
from tui.core.memory import Memory
from tui.core.spans import Entity, Source
from tui.core.store import StoreError
from tui.core.tokens import Tokens, regex_tokens
from tui.core.workspace import Annotated, Workspace

REVIEWED: tuple[Status, ...] = ("accepted", "rejected")
_BREAK = re.compile("[\r\n\x0b\x0c\x1c-\x1e\x85\u2028\u2029]")
"""What ``str.splitlines`` breaks at."""
Action = Literal["relabel", "delete", "label_all"]
TokensFor = Callable[[Annotated], Tokens]


@dataclass(frozen=True, slots=True)
class Occurrence:
    """One entity with a given text, in one article."""

    article: str
    start: int
    end: int
    label: str
    source: Source


@dataclass
class Entry:
    """A distinct entity text and everywhere it is an entity."""

    text: str
    occurrences: list[Occurrence] = field(default_factory=list)
    hint: str | None = None
    """Why the text is probably mislabelled, when it is not a plain conflict."""
    other: str | None = None
    """The other reading a hint weighs this one against ("Masoud Pezeshkian" for
    "Pezeshkian"): the person decides which side to fix."""
    remembered: list[str] = field(default_factory=list)
    """What the memory holds about this text (:meth:`Memory.about`)."""

    @property
    def labels(self) -> Counter[str]:
        return Counter(o.label for o in self.occurrences)

    @property
    def articles(self) -> list[str]:
        return list(dict.fromkeys(o.article for o in self.occurrences))

    @property
    def count(self) -> int:
        return len(self.occurrences)

    @property
    def conflict(self) -> bool:
        """Labelled differently in different places: probably an error somewhere."""
        return len(self.labels) > 1

    @property
    def suspect(self) -> bool:
        """Listed first: a conflict, or a hint of an error."""
        return self.conflict or self.hint is not None

    def summary(self) -> str:
        """``PERSON 3 · NORP 5``: labels by count."""
        return " · ".join(f"{label} {n}" for label, n in self.labels.most_common())


@dataclass
class CorpusIndex:
    entries: list[Entry]
    statuses: dict[str, Status | None]
    errors: dict[str, str] = field(default_factory=dict)

    def find(self, text: str) -> Entry | None:
        return next((e for e in self.entries if e.text == text), None)

    @property
    def conflicts(self) -> list[Entry]:
        return [e for e in self.entries if e.conflict]

    @property
    def suspects(self) -> list[Entry]:
        return [e for e in self.entries if e.suspect]


def _hint(entries: dict[str, Entry]) -> None:
    """Set the hints: a name part read two ways, or a name label in lower case.

    When a text is part of a PERSON name ("Pezeshkian" of "Masoud Pezeshkian") and labelled
    something else on its own, one of the two readings is wrong, and the odd one is the
    suspect. The part is, when it is mostly found in the articles that name the person in
    full (news names a person in full once, then by surname: "Wang Yi ... Wang said") or is
    no commoner than the full name; otherwise the full name is ("Michael London" PERSON once,
    "London" GPE sixty times in other articles). The suspect's hint names the other reading
    with its count, and the person chooses which side to fix.
    """
    wholes: dict[str, list[Entry]] = {}  # "Pezeshkian" -> ["Masoud Pezeshkian"]
    for entry in entries.values():
        if "PERSON" not in entry.labels:
            continue
        words = entry.text.split()
        for n in range(1, len(words)):
            for part in (" ".join(words[:n]), " ".join(words[n:])):
                wholes.setdefault(part, []).append(entry)
    for entry in entries.values():
        labels = entry.labels
        found = wholes.get(entry.text)
        if found is not None and "PERSON" not in labels:
            whole = max(found, key=lambda w: (w.labels["PERSON"], w.text))
            persons = whole.labels["PERSON"]
            named = {o.article for o in whole.occurrences if o.label == "PERSON"}
            beside = sum(o.article in named for o in entry.occurrences)
            elsewhere = entry.count - beside
            if beside >= elsewhere or persons >= elsewhere:
                entry.hint = f"part of {whole.text!r}, a PERSON {persons}×"
                entry.other = whole.text
            elif whole.other is None or entries[whole.other].count < entry.count:
                whole.hint = f"holds {entry.text!r}, elsewhere {_counted(entry)}"
                whole.other = entry.text
        elif cased_lower(entry.text) and NAME_LABELS & set(labels) and entry.hint is None:
            entry.hint = "a name label on text with no capital letter"


def _counted(entry: Entry) -> str:
    """``GPE 60× · ORG 2×``."""
    return " · ".join(f"{label} {n}×" for label, n in entry.labels.most_common())


def build(
    workspace: Workspace,
    opened: Mapping[str, Annotated] | None = None,
    memory: Memory | None = None,
) -> CorpusIndex:
    """Index every annotated article; open ones as they are now, others from their TOML.

    Reading a TOML needs no article (spans carry their text), so the index is quick on big
    corpora. Files that cannot be read are listed in ``errors`` and left out. Texts the
    ``memory`` holds a decision about say so, and those that are an entity nowhere (a
    deletion) are listed too, so every decision can be seen and forgotten.
    """
    opened = opened or {}
    by_text: dict[str, Entry] = {}
    statuses: dict[str, Status | None] = {}
    errors: dict[str, str] = {}

    def add(aid: str, start: int, end: int, label: str, source: Source, text: str) -> None:
        entry = by_text.setdefault(text, Entry(text))
        entry.occurrences.append(Occurrence(aid, start, end, label, source))

    for aid in workspace.ids:
        annotated = opened.get(aid)
        if annotated is not None:
            statuses[aid] = annotated.document.status
            for e in annotated.document.entities:
                add(aid, e.start, e.end, e.label, e.source, e.text(annotated.article.text))
            continue
        path = workspace.path_for(aid)
        if not path.exists():
            statuses[aid] = None
            continue
        try:
            annotation, spans = store.read(path)
        except StoreError as exc:
            errors[aid] = str(exc)
            continue
        statuses[aid] = annotation.status
        for s in spans:
            add(aid, s.start, s.end, s.label, s.source, s.text)
    _hint(by_text)
    if memory is not None:
        for text in memory.texts():
            entry = by_text.setdefault(text, Entry(text))
            entry.remembered = memory.about(text)
    entries = sorted(by_text.values(), key=lambda e: (not e.suspect, e.count > 0, -e.count, e.text))
    return CorpusIndex(entries, statuses, errors)


# -- corrections across the corpus --------------------------------------------------------


@dataclass(frozen=True)
class ArticleChange:
    """What a correction would do in one article, and whether it will be made."""

    article: str
    status: Status
    removed: tuple[Entity, ...]
    added: tuple[Entity, ...]
    included: bool
    text: str = field(default="", repr=False, compare=False)
    """The article's text, for the preview's lines."""
    kept: tuple[Entity, ...] = ()
    """Suggestions at places the person unticked: made theirs as they are, so the memory
    learnt from this correction never changes them later."""

    @property
    def reviewed(self) -> bool:
        return self.status in REVIEWED

    def items(self) -> list[Item]:
        """One item a place in the text: the spans an overlap ties together (a span relabelled,
        one deleted, a new one over the pieces it replaces) change together or not at all."""
        spans = [*self.removed, *self.added]
        groups: list[list[Entity]] = []
        for span in sorted(spans, key=lambda e: (e.start, e.end)):
            if groups and any(span.overlaps(g.start, g.end) for g in groups[-1]):
                groups[-1].append(span)
            else:
                groups.append([span])
        removed = set(self.removed)
        return [
            Item(
                self.article,
                tuple(e for e in g if e in removed),
                tuple(e for e in g if e not in removed),
            )
            for g in groups
        ]


@dataclass(frozen=True)
class Item:
    """One place a correction changes: what goes and what comes there."""

    article: str
    removed: tuple[Entity, ...]
    added: tuple[Entity, ...]

    @property
    def start(self) -> int:
        return min(e.start for e in (*self.removed, *self.added))

    @property
    def end(self) -> int:
        return max(e.end for e in (*self.removed, *self.added))

    @property
    def confirmed(self) -> bool:
        """A suggestion made the person's own as it is: no place to judge, always made."""
        return [(e.start, e.end, e.label) for e in self.removed] == [
            (e.start, e.end, e.label) for e in self.added
        ]

    def what(self) -> str:
        """``NORP→PERSON``, ``−CARDINAL``, ``+PERSON``, ``ORG→GPE (wider)``."""
        before = "+".join(e.label for e in self.removed)
        after = "+".join(e.label for e in self.added)
        if not self.added:
            return f"−{before}"
        if not self.removed:
            return f"+{after}"
        same = [(e.start, e.end) for e in self.removed] == [(e.start, e.end) for e in self.added]
        return f"{before}→{after}" + ("" if same else " (new bounds)")

    def line(self, text: str, width: int = 36) -> tuple[str, str, str]:
        """``(before, the text changed, after)``: the change in its line, ``width`` characters
        either side, cut at a line break."""
        start, end = self.start, self.end
        left = text[max(0, start - width) : start]
        right = text[end : end + width]
        return _BREAK.split(left)[-1], text[start:end], _BREAK.split(right)[0]


@dataclass
class Plan:
    """A correction of one text across the corpus, before anything is written."""

    action: Action
    text: str
    label: str | None
    include_reviewed: bool
    changes: list[ArticleChange]
    errors: dict[str, str] = field(default_factory=dict)

    @property
    def description(self) -> str:
        if self.action == "delete":
            return f"delete {self.text!r} everywhere"
        if self.action == "relabel":
            return f"relabel {self.text!r} {self.label} everywhere"
        return f"label every {self.text!r} {self.label} in the corpus"

    def items(self) -> list[Item]:
        """Every place the included changes touch, in article order, confirmations left out."""
        return [i for c in self.included for i in c.items() if not i.confirmed]

    def confirmed(self) -> int:
        return sum(i.confirmed for c in self.included for i in c.items())

    def text_of(self, article: str) -> str:
        return next((c.text for c in self.changes if c.article == article), "")

    def without(self, dropped: Iterable[Item]) -> Plan:
        """The same plan with the places a person unticked left as they are (their
        suggestions become the person's own: looked at and kept)."""
        gone = set(dropped)
        changes = []
        for c in self.changes:
            items = c.items()
            kept = [i for i in items if i not in gone]
            removed = tuple(e for i in kept for e in i.removed)
            added = tuple(e for i in kept for e in i.added)
            left = tuple(e for i in items if i in gone for e in i.removed if e.source != "user")
            if removed or added or left:
                changes.append(replace(c, removed=removed, added=added, kept=c.kept + left))
        return Plan(self.action, self.text, self.label, self.include_reviewed, changes, self.errors)

    def with_reviewed(self, include: bool) -> Plan:
        """The same plan, changing accepted and rejected articles too (or not): no reading."""
        changes = [replace(c, included=include or not c.reviewed) for c in self.changes]
        return Plan(self.action, self.text, self.label, include, changes, self.errors)

    @property
    def included(self) -> list[ArticleChange]:
        return [c for c in self.changes if c.included]

    @property
    def left_out(self) -> list[ArticleChange]:
        return [c for c in self.changes if not c.included]

    def lines(self) -> list[str]:
        """The preview, one line an article: each change at its offset (``2086 NORP→PERSON``,
        ``2150 −CARDINAL``, ``2581 +PERSON``), how many suggestions it confirms as they are, and
        which articles are left alone."""
        rows = []
        for c in self.changes:
            added = {(e.start, e.end): e for e in c.added}
            what = []
            confirmed = 0  # suggestions made the person's own, unchanged: counted, not listed
            for e in c.removed:
                new = added.pop((e.start, e.end), None)
                if new is None:
                    what.append(f"{e.start} −{e.label}")
                elif new.label == e.label:
                    confirmed += 1
                else:
                    what.append(f"{e.start} {e.label}→{new.label}")
            what += [f"{e.start} +{e.label}" for e in added.values()]
            what.sort(key=lambda w: int(w.split(" ", 1)[0]))
            if confirmed:
                what.append(f"{confirmed} confirmed as they are")
            mark = "" if c.included else f"  (left alone: {c.status})"
            if c.reviewed and c.included:
                mark = f"  ({c.status}, changed as you asked)"
            rows.append(f"{c.article}: {', '.join(what)}{mark}")
        return rows


def _edit(
    document: Document, action: Action, text: str, label: str | None, tokens: Tokens
) -> tuple[list[Entity], list[Entity]]:
    """(removed, added) of the correction in one document, computed without changing it."""
    doc_text = document.text
    mine = [e for e in document.entities if e.text(doc_text) == text]
    if action == "delete":
        return mine, []
    assert label is not None
    if action == "relabel":
        old = [e for e in mine if e.label != label]
        return old, [Entity(e.start, e.end, label, "user") for e in old]
    scratch = Document(doc_text, document.entities, document.status, document.excluded)
    if not mine:
        found = doc_text.find(text)
        if found == -1:
            return [], []
        edit = scratch.label_all(found, found + len(text), label, tokens)
    else:
        edit = scratch.label_all(mine[0].start, mine[0].end, label, tokens)
    return (list(edit.removed), list(edit.added)) if edit is not None else ([], [])


def _open(workspace: Workspace, opened: MutableMapping[str, Annotated], aid: str) -> Annotated:
    annotated = opened.get(aid)
    if annotated is None:
        annotated = workspace.open(aid)
        opened[aid] = annotated
    return annotated


def plan(
    workspace: Workspace,
    opened: MutableMapping[str, Annotated],
    text: str,
    action: Action,
    label: str | None = None,
    *,
    include_reviewed: bool = False,
    tokens_for: TokensFor | None = None,
) -> Plan:
    """Every change ``action`` on ``text`` would make, article by article; nothing is saved.

    Articles it has to read are added to ``opened`` (so applying the plan edits the same
    documents a screen shows). ``label_all`` acts on every whole-token occurrence of the text,
    like ``A`` in one article; ``relabel`` and ``delete`` on the entities with that text.
    """
    if action != "delete" and not label:
        raise ValueError(f"{action} needs a label")
    tokens_for = tokens_for or (lambda a: regex_tokens(a.article.text))
    changes: list[ArticleChange] = []
    errors: dict[str, str] = {}
    for aid in workspace.ids:
        if aid not in opened and not workspace.path_for(aid).exists():
            continue
        try:
            annotated = _open(workspace, opened, aid)
        except (ArticleError, StoreError) as exc:
            errors[aid] = str(exc)
            continue
        if action != "label_all" and text not in annotated.article.text:
            continue
        doc = annotated.document
        tokens = tokens_for(annotated) if action == "label_all" else Tokens((), ())
        removed, added = _edit(doc, action, text, label, tokens)
        if not removed and not added:
            continue
        included = include_reviewed or doc.status not in REVIEWED
        changes.append(
            ArticleChange(
                aid, doc.status, tuple(removed), tuple(added), included, annotated.article.text
            )
        )
    return Plan(action, text, label, include_reviewed, changes, errors)


@dataclass
class CorpusEdit:
    """One correction applied across the corpus: an edit per article, undone together."""

    description: str
    steps: list[tuple[Annotated, Edit]]
    failed: dict[str, str] = field(default_factory=dict)

    @property
    def articles(self) -> list[str]:
        return [a.id for a, _ in self.steps]


Save = Callable[[Annotated], None]


def _saver(workspace: Workspace, save: Save | None) -> Save:
    return save or workspace.save


def apply(
    workspace: Workspace,
    opened: MutableMapping[str, Annotated],
    planned: Plan,
    *,
    save: Save | None = None,
) -> CorpusEdit:
    """Make the plan's included changes, saving each article as it is changed.

    Each article gets one edit on its own undo history (``u`` there undoes it too); the
    review status is kept. A file that cannot be written is named in ``failed``, and its
    article keeps the change in memory, as after any failed save.
    """
    write = _saver(workspace, save)
    result = CorpusEdit(planned.description, [])
    for change in planned.included:
        annotated = opened.get(change.article)
        if annotated is None:
            continue
        doc = annotated.document
        present = [e for e in change.removed if e in doc.spans]
        if len(present) != len(change.removed):
            result.failed[change.article] = "changed since the preview; left alone"
            continue
        mine = [Entity(e.start, e.end, e.label, "user") for e in change.kept if e in doc.spans]
        removed = [*change.removed, *(e for e in change.kept if e in doc.spans)]
        edit = doc._commit(planned.description, removed, [*change.added, *mine], doc.status)
        if edit is None:
            continue
        result.steps.append((annotated, edit))
        try:
            write(annotated)
        except OSError as exc:
            result.failed[change.article] = f"could not be saved ({exc.strerror or exc})"
    return result


def undo(corpus_edit: CorpusEdit, save: Save) -> list[str]:
    """Undo a corpus edit in every article where it is still the last edit.

    Returns the articles left as they are because they were edited since (their own ``u``
    undoes the later edit first).
    """
    skipped = []
    for annotated, edit in reversed(corpus_edit.steps):
        doc = annotated.document
        if not doc.undo_stack or doc.undo_stack[-1] is not edit:
            skipped.append(annotated.id)
            continue
        doc.undo()
        save(annotated)
    return skipped

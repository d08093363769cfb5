"""The memory: every correction a person makes, remembered and applied to articles not yet
reviewed, so a name fixed once is fixed everywhere.

It lives in the annotations folder as a plain TOML file people can read, edit and version::

    # annotations/.newsmark-memory.toml
    schema = 1
    deleted = ["hegemonic practices"]        # never suggest these texts, under any label

    rejected = [                              # suggestions deleted, where they were:
        # the text, its label and the token on either side of it
        { text = "One", label = "CARDINAL", before = "the", after = "-" },
    ]

    [labels]                                  # a label given to a text
    Pezeshkian = "PERSON"
    "Shafaq News" = "ORG"

    [[resized]]                               # a span resized: suggest "to", never "from"
    from = "Shafaq News/ China"
    to = "Shafaq News"
    label = "ORG"

It is applied by spaCy's own ``SpanRuler``, added to the pipeline as ``newsmark_memory`` with
one phrase pattern per remembered text and ``overwrite = False``: the model's entities reach
the ruler's ``ents_filter`` (registered as ``newsmark.memory_ents_filter.v1``), which drops
deleted texts and lets the memory's labels win over the model's, except inside a longer model
entity that stays ("Wang" remembered never cuts "Wang Yi"). Entities the memory changed carry
``source = "memory"``.

A deletion is scoped to what the person rejected: the text, its label and the token on either
side ("One" CARDINAL between "the" and "-", the "One" of "the One-China policy"), so a correct
"One" ("One in 10") is still suggested. Once the same text is deleted in two different
places it is never suggested again, under any label; ``deleted`` lists texts a person wrote
in by hand to the same effect.

What the memory changed in each article is appended to ``.newsmark-memory-log.jsonl`` next
to it, so ``newsmark stats`` can tell how many of those changes people kept.

spaCy is imported only inside the functions that need it.
"""

from __future__ import annotations

import re
import tomllib
import warnings
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import tomli_w

from tui.core import ner
from tui.core.edits import Edit
from tui.core.fsutil import append_record, atomic_write, read_records
from tui.core.spans import Entity, SpanIndex, trim

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc, Span

FILE_NAME = ".newsmark-memory.toml"
LOG_NAME = ".newsmark-memory-log.jsonl"
PIPE_NAME = "newsmark_memory"
FILTER_NAME = "newsmark.memory_ents_filter.v1"
SPANS_KEY = "newsmark_memory"
"""``doc.spans`` key of every match of the memory's patterns."""
MODEL_KEY = "newsmark_model"
"""``doc.spans`` key of the entities the model proposed before the memory acted."""
SCHEMA = 1
_HEADER = (
    "# What newsmark learned from your corrections, applied to articles not yet reviewed.\n"
    "# Plain TOML: edit, delete or version it like any file (see the README).\n"
)


def _moved_by(removed: Entity, grown: Entity, all_removed: Sequence[Entity]) -> bool:
    """Whether ``grown`` is ``removed`` moved, rather than a span that swallowed it.

    When ``grown`` replaces one span, that span moved. When it replaces several (``]`` grown
    over the next entity, or a split undone), only a lone span of the person's own among
    them moved; the others, and every piece when several were the person's, teach nothing.
    """
    under = [r for r in all_removed if grown.overlaps(r.start, r.end)]
    if len(under) == 1:
        return True
    own = [r for r in under if r.source == "user"]
    return own == [removed]


_BEFORE = re.compile(r"(\w+|[^\w\s])\s*\Z")
_AFTER = re.compile(r"\s*(\w+|[^\w\s])")
_REACH = 200  # characters looked at on either side for a neighbouring token


def context(text: str, start: int, end: int) -> tuple[str, str]:
    """The tokens just before and just after ``[start, end)`` ("" at an edge of the text).

    A word or one punctuation mark, across any whitespace: the same on every machine and
    for every model, so a deletion learnt with one tokenizer applies with another.
    """
    before = _BEFORE.search(text, max(0, start - _REACH), start)
    after = _AFTER.match(text, end, min(len(text), end + _REACH))
    return (before.group(1) if before else "", after.group(1) if after else "")


@dataclass(frozen=True, slots=True, order=True)
class Rejected:
    """A suggestion the person deleted: ``text`` as ``label`` between ``before`` and ``after``."""

    text: str
    label: str
    before: str
    after: str

    @property
    def where(self) -> str:
        """``'the' ◂ One ▸ '-'``: the place, as the index and the notices show it."""
        return f"{self.before!r} ◂ {self.text} ▸ {self.after!r}"


class MemoryError(Exception):
    """The memory file cannot be used; ``str()`` names it and says what to do."""


def _label_ok(label: object) -> bool:
    """A label the store would read back (spaCy refuses the others too)."""
    return isinstance(label, str) and bool(label) and label == label.strip()


@dataclass(frozen=True, slots=True)
class Resized:
    """A span resized from one text to another: suggest ``new`` (as ``label``), never ``old``."""

    old: str
    new: str
    label: str


@dataclass
class Memory:
    """Decisions by text: labels given, suggestions deleted, spans resized."""

    labels: dict[str, str] = field(default_factory=dict)
    deleted: set[str] = field(default_factory=set)
    """Texts never suggested, under any label (written by hand)."""
    resized: dict[str, Resized] = field(default_factory=dict)
    path: Path | None = None
    rejected: set[Rejected] = field(default_factory=set)
    """Suggestions deleted where they were: not suggested again in the same place."""

    def __bool__(self) -> bool:
        return bool(self.labels or self.deleted or self.resized or self.rejected)

    def everywhere(self) -> set[str]:
        """Texts never suggested: written in ``deleted``, or deleted in two different places."""
        places: dict[str, set[tuple[str, str]]] = {}
        for r in self.rejected:
            places.setdefault(r.text, set()).add((r.before, r.after))
        return self.deleted | {t for t, where in places.items() if len(where) > 1}

    def about(self, text: str) -> list[str]:
        """What the memory holds about ``text``, one phrase a decision (for the index)."""
        said = []
        if text in self.labels:
            said.append(f"label {self.labels[text]}")
        if text in self.everywhere():
            said.append("never suggested")
        elif any(r.text == text for r in self.rejected):
            places = sorted(r for r in self.rejected if r.text == text)
            said += [f"deleted as {r.label} at {r.before!r} ◂ ▸ {r.after!r}" for r in places]
        if text in self.resized:
            said.append(f"resized to {self.resized[text].new!r}")
        return said

    def texts(self) -> set[str]:
        """Every text the memory holds a decision about."""
        return set(self.labels) | self.deleted | set(self.resized) | {r.text for r in self.rejected}

    # -- the file -------------------------------------------------------------------------

    @classmethod
    def path_in(cls, annotations: Path) -> Path:
        return annotations / FILE_NAME

    @classmethod
    def load(cls, annotations: Path) -> Memory:
        """The memory of an annotations folder; empty when it has none yet."""
        path = cls.path_in(annotations)
        try:
            data = path.read_bytes().decode("utf-8")
        except FileNotFoundError:
            return cls(path=path)
        except (OSError, UnicodeDecodeError) as exc:
            raise MemoryError(f"{path} cannot be read ({exc}); fix or delete it.") from None
        return cls.parse(data, path)

    @classmethod
    def parse(cls, data: str, path: Path) -> Memory:
        def bad(what: str) -> MemoryError:
            return MemoryError(
                f"{path}: {what}; fix or delete the file (it is rebuilt as you work)."
            )

        try:
            doc = tomllib.loads(data)
        except tomllib.TOMLDecodeError as exc:
            raise bad(f"is not valid TOML ({exc})") from None
        if doc.get("schema", SCHEMA) != SCHEMA:
            raise bad(f"schema is {doc.get('schema')!r}; this newsmark reads schema {SCHEMA}")
        labels = doc.get("labels", {})
        deleted = doc.get("deleted", [])
        resized = doc.get("resized", [])
        if not isinstance(labels, dict) or not all(
            isinstance(k, str) and k.strip() and _label_ok(v) for k, v in labels.items()
        ):
            raise bad('labels should be a table of "text" = "LABEL" (no spaces around labels)')
        if not isinstance(deleted, list) or not all(isinstance(t, str) for t in deleted):
            raise bad("deleted should be an array of texts")
        memory = cls(dict(labels), set(deleted), path=path)
        rejected = doc.get("rejected", [])
        if not isinstance(rejected, list):
            raise bad("rejected should be an array of tables")
        for i, row in enumerate(rejected):
            fields = ("text", "label", "before", "after")
            if not isinstance(row, dict) or not all(isinstance(row.get(k), str) for k in fields):
                raise bad(f"rejected[{i}] should have text fields text, label, before and after")
            memory.rejected.add(Rejected(*(row[k] for k in fields)))
        if not isinstance(resized, list):
            raise bad("resized should be an array of tables ([[resized]])")
        for i, row in enumerate(resized):
            if (
                not isinstance(row, dict)
                or not all(isinstance(row.get(k), str) for k in ("from", "to", "label"))
                or not _label_ok(row["label"])
            ):
                raise bad(f"resized[{i}] should have text fields from, to and label")
            memory.resized[row["from"]] = Resized(row["from"], row["to"], row["label"])
        return memory

    def dumps(self) -> str:
        doc: dict[str, Any] = {"schema": SCHEMA, "deleted": sorted(self.deleted)}
        doc["labels"] = dict(sorted(self.labels.items()))
        doc["resized"] = [
            {"from": r.old, "to": r.new, "label": r.label}
            for r in sorted(self.resized.values(), key=lambda r: r.old)
        ]
        if not doc["resized"]:
            del doc["resized"]
        if self.rejected:
            doc["rejected"] = [
                {"text": r.text, "label": r.label, "before": r.before, "after": r.after}
                for r in sorted(self.rejected)
            ]
        return _HEADER + tomli_w.dumps(doc)

    def save(self) -> None:
        """Write atomically (a crash never leaves half a memory)."""
        if self.path is None:
            raise ValueError("this memory has no file")
        atomic_write(self.path, self.dumps().encode("utf-8"))

    # -- learning -------------------------------------------------------------------------

    def label(self, text: str, label: str) -> None:
        """Remember ``label`` for ``text``; it is no longer deleted, and resizes that end at
        it end with this label too."""
        self.labels[text] = label
        self.deleted.discard(text)
        self.resized.pop(text, None)
        self.rejected = {r for r in self.rejected if r.text != text}
        for first, r in list(self.resized.items()):
            if r.new == text and r.label != label:
                self.resized[first] = Resized(first, text, label)

    def delete(self, text: str) -> None:
        """Never suggest ``text`` again, anywhere."""
        self.labels.pop(text, None)
        self.resized.pop(text, None)
        self.deleted.add(text)

    def reject(self, text: str, label: str, before: str, after: str) -> None:
        """Do not suggest ``text`` as ``label`` again between ``before`` and ``after``."""
        self.labels.pop(text, None)
        self.resized.pop(text, None)
        self.rejected.add(Rejected(text, label, before, after))

    def forget(self, text: str) -> None:
        """Forget every decision about ``text``."""
        self.labels.pop(text, None)
        self.deleted.discard(text)
        self.resized.pop(text, None)
        self.rejected = {r for r in self.rejected if r.text != text}

    def resize(self, old: str, new: str, label: str) -> None:
        """Suggest ``new`` where the model proposes ``old``; a chain of resizes ("Shafaq
        News/ China" to "Shafaq News/" to "Shafaq News") keeps only where it ends."""
        self.label(new, label)
        self.labels.pop(old, None)
        self.deleted.discard(old)
        self.resized.pop(new, None)
        for first, r in list(self.resized.items()):
            if r.new == old:
                self.resized[first] = Resized(first, new, label)
        self.resized[old] = Resized(old, new, label)

    def learn(self, edit: Edit, text: str) -> bool:
        """Remember what a person's edit decided; True when the memory changed.

        Added ``user`` spans teach their label; a span replaced by an overlapping one with
        other bounds is a resize; a suggestion removed with nothing in its place is a
        deletion. A person's own span removed (or an undo putting a suggestion back) only
        forgets what was learned from it.
        """
        if edit.excluded_after is not None:
            return False  # text marked as not article text: its entities were not judged
        before = self.dumps()
        added = [e for e in edit.added if e.source == "user"]
        pieces: set[Entity] = set()
        for r in edit.removed:
            old = r.text(text)
            over = [a for a in added if a.overlaps(r.start, r.end)]
            if len(over) > 1:
                # A split says where a span ends, not what its pieces are: they teach nothing.
                pieces.update(over)
                continue
            if over and not _moved_by(r, over[0], edit.removed):
                continue  # swallowed by a span grown over it: nothing said about it
            if len(over) == 1 and (over[0].start, over[0].end) != (r.start, r.end):
                self.resize(old, over[0].text(text), over[0].label)
            elif over:
                continue  # relabelled in place: the added span teaches it below
            elif r.source == "user" or any(a.overlaps(r.start, r.end) for a in edit.added):
                if self.labels.get(old) == r.label:
                    self.forget(old)
            else:
                self.reject(old, r.label, *context(text, r.start, r.end))
        for a in edit.added:
            if a.source != "user" and not any(r.overlaps(a.start, a.end) for r in edit.removed):
                # A suggestion put back (an undo of its deletion): it is not rejected there.
                self.rejected.discard(
                    Rejected(a.text(text), a.label, *context(text, a.start, a.end))
                )
        confirmed = {(r.start, r.end, r.label) for r in edit.removed if r.source != "user"}
        for a in added:
            # A suggestion made the person's own as it is (a place left unticked in a
            # preview) confirms the model there; it teaches nothing about the text elsewhere.
            if a not in pieces and (a.start, a.end, a.label) not in confirmed:
                self.label(a.text(text), a.label)
        return self.dumps() != before

    # -- the pipeline ---------------------------------------------------------------------

    def patterns(self, keep: Collection[str] = ()) -> list[dict[str, str]]:
        """One phrase pattern a remembered label (resized texts are labels too); with
        ``keep`` (the project's labels), only labels among them: a remembered label outside
        the project must not take a text away from the model's label in it."""
        return [
            {"label": label, "pattern": t}
            for t, label in sorted(self.labels.items())
            if t and (not keep or label in keep)
        ]

    def gone(self) -> list[str]:
        """Texts the model must not suggest: deleted, or resized to something else."""
        return sorted(self.everywhere() | set(self.resized))

    def places(self) -> list[list[str]]:
        """Suggestions not to make in one place: ``[text, label, before, after]`` each."""
        gone = self.everywhere()
        return [
            [r.text, r.label, r.before, r.after]
            for r in sorted(self.rejected)
            if r.text not in gone
        ]

    def install(self, nlp: Language, keep: Collection[str] = ()) -> None:
        """Put this memory into ``nlp`` (replacing an earlier one); nothing when empty.
        ``keep``: the project's labels (empty: every label)."""
        uninstall(nlp)
        if not self:
            return
        _register()
        # A memory of deletions only has no patterns, which is fine: its filter still runs.
        warnings.filterwarnings("ignore", message=rf"\[W036\].*'{PIPE_NAME}'")
        ruler = nlp.add_pipe(
            "span_ruler",
            name=PIPE_NAME,
            last=True,
            config={
                "spans_key": SPANS_KEY,
                "annotate_ents": True,
                "overwrite": False,
                "ents_filter": {
                    "@misc": FILTER_NAME,
                    "deleted": self.gone(),
                    "rejected": self.places(),
                },
                "validate": False,
            },
        )
        # Phrase patterns need only the tokenizer: without this spaCy runs the whole
        # pipeline over every remembered text (40x slower for 500 texts).
        with nlp.select_pipes(disable=[n for n in nlp.pipe_names if n != PIPE_NAME]):
            ruler.add_patterns(self.patterns(keep))  # type: ignore[attr-defined]


def uninstall(nlp: Language) -> None:
    if PIPE_NAME in nlp.component_names:
        nlp.remove_pipe(PIPE_NAME)


def installed(nlp: Language) -> bool:
    return PIPE_NAME in nlp.pipe_names


# -- the spaCy side -----------------------------------------------------------------------

_registered = False


def _register() -> None:
    """Register the ents filter with spaCy once (at first use: the core stays spaCy-free)."""
    global _registered
    if _registered:
        return
    from spacy.util import registry

    registry.misc.register(FILTER_NAME, func=make_memory_ents_filter)
    _registered = True


def make_memory_ents_filter(
    deleted: list[str], rejected: list[list[str]] | None = None
) -> Callable[[Iterable[Span], Iterable[Span]], list[Span]]:
    """The ``ents_filter`` of the memory's ruler: model entities in, the merged entities out."""
    gone = frozenset(deleted)
    here = frozenset(Rejected(*row) for row in rejected or ())
    texts = frozenset(r.text for r in here)

    def rejected_here(e: Span) -> bool:
        text = e.doc.text
        start, end = trim(text, e.start_char, e.end_char) or (e.start_char, e.end_char)
        if text[start:end] not in texts:
            return False
        return Rejected(text[start:end], e.label_, *context(text, start, end)) in here

    def memory_ents_filter(entities: Iterable[Span], spans: Iterable[Span]) -> list[Span]:
        model = list(entities)
        matches = list(spans)
        doc = (model or matches)[0].doc if (model or matches) else None
        if doc is not None:
            doc.spans[MODEL_KEY] = model
        kept = [e for e in model if e.text not in gone and not rejected_here(e)]
        chosen: list[Span] = []
        taken: set[int] = set()
        for span in sorted(matches, key=lambda s: (s.end - s.start, -s.start), reverse=True):
            if taken.intersection(range(span.start, span.end)):
                continue
            if any(
                e.start <= span.start and span.end <= e.end and len(e) > len(span) for e in kept
            ):
                continue  # inside a longer entity that stays: "Wang" never cuts "Wang Yi"
            chosen.append(span)
            taken.update(range(span.start, span.end))
        merged = [e for e in kept if not taken.intersection(range(e.start, e.end))]
        return merged + chosen

    return memory_ents_filter


def entities(doc: Doc, text: str, memory: Memory | None = None) -> list[Entity]:
    """The doc's entities; those the memory changed (not merely agreed with) say ``memory``.

    Resizes inside a token ("Shafaq News/" holds "Shafaq News") cannot be spaCy spans, so
    ``memory``'s resizes are applied here, on characters: where the model proposed a resized
    text, the new text inside it is proposed instead.
    """
    found = ner.entities(doc, text)
    if SPANS_KEY not in doc.spans:
        return found
    ours = {(s.start_char, s.end_char, s.label_) for s in doc.spans[SPANS_KEY]}
    theirs = _model(doc, text)
    result = [
        Entity(e.start, e.end, e.label, "memory")
        if (e.start, e.end, e.label) in ours and (e.start, e.end, e.label) not in theirs
        else e
        for e in found
    ]
    if memory is not None and memory.resized:
        index = SpanIndex(result)
        for start, end, _ in sorted(theirs):
            resized = memory.resized.get(text[start:end])
            at = text.find(resized.new, start, end) if resized is not None else -1
            if resized is None or at == -1:
                continue
            new = Entity(at, at + len(resized.new), resized.label, "memory")
            if not index.overlapping(new.start, new.end):
                index.add(new)
        result = list(index)
    return result


def _model(doc: Doc, text: str) -> set[tuple[int, int, str]]:
    """The model's entities before the memory acted, trimmed as :func:`ner.entities` trims."""
    if MODEL_KEY not in doc.spans:
        return set()
    found = set()
    for span in doc.spans[MODEL_KEY]:
        bounds = trim(text, span.start_char, span.end_char)
        if bounds is not None:
            found.add((bounds[0], bounds[1], span.label_))
    return found


# -- what the memory changed, for stats ---------------------------------------------------


@dataclass(frozen=True, slots=True)
class Change:
    """One change the memory made to the model's output.

    ``label`` is the label the memory put on ``[start, end)`` (``None``: it removed the
    model's span there); ``model`` the label the model had there, if any.
    """

    start: int
    end: int
    label: str | None
    model: str | None

    def kept(self, final: set[tuple[int, int, str]]) -> bool:
        """Did the person keep it: the memory's span is there, or the model's is still gone."""
        if self.label is not None:
            return (self.start, self.end, self.label) in final
        return self.model is None or (self.start, self.end, self.model) not in final


def changes(doc: Doc, text: str, memory: Memory | None = None) -> list[Change]:
    """What the memory changed in ``doc`` compared with the model alone."""
    if MODEL_KEY not in doc.spans and SPANS_KEY not in doc.spans:
        return []
    model = _model(doc, text)
    final = {(e.start, e.end, e.label) for e in entities(doc, text, memory)}
    model_at = {(s, e): label for s, e, label in model}
    final_at = {(s, e) for s, e, _ in final}
    found = [Change(s, e, label, model_at.get((s, e))) for s, e, label in sorted(final - model)]
    found += [Change(s, e, None, label) for s, e, label in sorted(model) if (s, e) not in final_at]
    return sorted(found, key=lambda c: (c.start, c.end))


def record(annotations: Path, article: str, found: Iterable[Change]) -> None:
    """Append what the memory changed in one article to the log (the last line wins)."""
    rows = [[c.start, c.end, c.label, c.model] for c in found]
    append_record(annotations / LOG_NAME, {"article": article, "changes": rows})


def read_log(annotations: Path) -> dict[str, list[Change]]:
    """The latest changes recorded for each article; unreadable lines are skipped."""
    found: dict[str, list[Change]] = {}
    for row in read_records(annotations / LOG_NAME):
        try:
            found[str(row["article"])] = [
                Change(int(s), int(e), lb, m) for s, e, lb, m in row["changes"]
            ]
        except (ValueError, KeyError, TypeError):
            continue
    return found


def suggest(
    pipeline: ner.Pipeline, texts: Sequence[str], memory: Memory
) -> Iterator[tuple[list[Entity], list[Change]]]:
    """Suggestions and memory changes per text (``memory`` must be installed in the pipeline)."""

    def convert(doc: Doc, piece: str) -> tuple[list[Entity], list[Change]]:
        return entities(doc, piece, memory), changes(doc, piece, memory)

    for number, result in enumerate(ner.pipe(pipeline.nlp, texts, convert), 1):
        if isinstance(result, ner.Failed):
            raise ner.ModelError(f"text {number}: the pipeline failed ({result.reason})")
        found = ner.joined([(offset, got) for offset, (got, _) in result])
        changed = [
            Change(c.start + offset, c.end + offset, c.label, c.model)
            for offset, (_, piece_changes) in result
            for c in piece_changes
        ]
        yield found, changed

"""The memory: every correction a person makes, remembered and applied to articles not yet
reviewed, so a name fixed once is fixed everywhere.

It lives in the annotations folder as a plain TOML file people can read, edit and version::

    # annotations/.newsmark-memory.toml
    schema = 1
    deleted = ["hegemonic practices"]        # suggestions deleted: never suggest these texts

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

What the memory changed in each article is appended to ``.newsmark-memory-log.jsonl`` next
to it, so ``newsmark stats`` can tell how many of those changes people kept.

spaCy is imported only inside the functions that need it.
"""

from __future__ import annotations

import contextlib
import json
import os
import tomllib
import warnings
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import tomli_w

from tui.core import ner
from tui.core.edits import Edit
from tui.core.fsutil import atomic_write
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
    resized: dict[str, Resized] = field(default_factory=dict)
    path: Path | None = None

    def __bool__(self) -> bool:
        return bool(self.labels or self.deleted or self.resized)

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
        for first, r in list(self.resized.items()):
            if r.new == text and r.label != label:
                self.resized[first] = Resized(first, text, label)

    def delete(self, text: str) -> None:
        """Never suggest ``text`` again."""
        self.labels.pop(text, None)
        self.resized.pop(text, None)
        self.deleted.add(text)

    def forget(self, text: str) -> None:
        self.labels.pop(text, None)
        self.deleted.discard(text)
        self.resized.pop(text, None)

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
                self.delete(old)
        for a in added:
            if a not in pieces:
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
        return sorted(self.deleted | set(self.resized))

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
                "ents_filter": {"@misc": FILTER_NAME, "deleted": self.gone()},
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
    deleted: list[str],
) -> Callable[[Iterable[Span], Iterable[Span]], list[Span]]:
    """The ``ents_filter`` of the memory's ruler: model entities in, the merged entities out."""
    gone = frozenset(deleted)

    def memory_ents_filter(entities: Iterable[Span], spans: Iterable[Span]) -> list[Span]:
        model = list(entities)
        matches = list(spans)
        doc = (model or matches)[0].doc if (model or matches) else None
        if doc is not None:
            doc.spans[MODEL_KEY] = model
        kept = [e for e in model if e.text not in gone]
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
    line = json.dumps({"article": article, "changes": rows}, ensure_ascii=False) + "\n"
    annotations.mkdir(parents=True, exist_ok=True)
    fd = os.open(annotations / LOG_NAME, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
    try:
        os.write(fd, line.encode("utf-8"))
    finally:
        os.close(fd)


def read_log(annotations: Path) -> dict[str, list[Change]]:
    """The latest changes recorded for each article; unreadable lines are skipped."""
    found: dict[str, list[Change]] = {}
    try:
        lines = (annotations / LOG_NAME).read_text("utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        return found
    for line in lines:
        try:
            row = json.loads(line)
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
    for text, doc in zip(texts, pipeline.nlp.pipe(texts), strict=True):
        yield entities(doc, text, memory), changes(doc, text, memory)


# -- the memory in a reading session -------------------------------------------------------


class Recall:
    """The memory as a reader uses it: what to suggest again, what to learn, what to log.

    Kept apart from any screen so the reader (or any front end) needs only a few calls:
    :meth:`install` when the pipeline loads, :meth:`due` and :meth:`entities` when it
    suggests, :meth:`learn` after each edit (True: install again and suggest the open
    unreviewed articles again). What the memory changed in an article is logged once the
    article is the person's (at their first edit there), for ``newsmark stats``.
    """

    def __init__(
        self, annotations: Path, *, read_only: bool = False, labels: Sequence[str] = ()
    ) -> None:
        self.annotations = annotations
        self.labels = tuple(labels)
        """The project's labels: the memory suggests only those (empty: every label)."""
        self.read_only = read_only
        self.error: str | None = None
        """Why the memory is off (its file is broken), to tell the person once."""
        self.version = 0
        self._seen: dict[str, int] = {}
        self._pending: dict[str, list[Change]] = {}
        try:
            self.memory: Memory | None = Memory.load(annotations)
        except MemoryError as exc:
            self.memory = None
            self.error = f"{exc} The memory is off until then."

    def install(self, nlp: Language) -> None:
        if self.memory is not None:
            self.memory.install(nlp, self.labels)

    def due(self, article_id: str, status: str, has_file: bool) -> bool:
        """An unreviewed, saved article not yet suggested with the memory as it is now."""
        if self.memory is None or status != "unreviewed" or not has_file:
            return False
        if self._seen.get(article_id, -1) == self.version:
            return False
        return bool(self.memory) or article_id in self._seen

    def entities(self, article_id: str, doc: Doc, text: str) -> list[Entity]:
        """Suggestions from a doc of the pipeline (safe on a worker thread)."""
        memory = self.memory
        found = entities(doc, text, memory)
        if memory is not None:
            self._seen[article_id] = self.version
            if SPANS_KEY in doc.spans:
                self._pending[article_id] = changes(doc, text, memory)
        return found

    def learn(self, article_id: str, redo_stack: Sequence[Edit], edit: Edit, text: str) -> bool:
        """Learn from an edit just made (an undo, still on top of ``redo_stack``, teaches its
        inverse); True when the memory changed, and was saved."""
        memory = self.memory
        if memory is None or self.read_only:
            return False
        pending = self._pending.pop(article_id, None)
        if pending is not None:
            with contextlib.suppress(OSError):  # the log only feeds stats
                record(self.annotations, article_id, pending)
        if redo_stack and redo_stack[-1] is edit:
            edit = edit.inverse()
        if not memory.learn(edit, text):
            return False
        self.version += 1
        # A failed write is not said on its own: the article's save fails alike and says
        # what to do; the memory keeps working and its next change writes it again.
        with contextlib.suppress(OSError):
            memory.save()
        return True

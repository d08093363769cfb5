"""Settling two annotators' versions of an article into one gold version.

The spans of both versions are grouped into clusters of spans that overlap one another
(across the two sides). A cluster where both sides have exactly the same spans (start, end
and label; who or what made them does not matter) is agreed; any other cluster is one
:class:`Disagreement`, decided by taking the left side's spans, the right side's, or neither.
Clusters never overlap each other, so any mix of decisions gives spans that do not overlap.

While an article is reviewed its gold is a :class:`Draft`: a document the reviewer edits
freely, kept in step with which disagreements are settled (a choice, or an edit over it),
through undo and redo too.

The gold is written with ``source = "user"``, the reviewer as ``annotator`` and status
``accepted`` (``in_progress`` while disagreements are left, so a review can be resumed); each
span keeps its *origin*, the annotator(s) whose version it came from (the reviewer for spans
added while reviewing).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Literal

from tui.core import store
from tui.core.agree import Shared, Skipped, gather
from tui.core.article import Article
from tui.core.edits import STATUSES, Document, Edit, Status
from tui.core.spans import Entity, Range, check_entities
from tui.core.store import Annotation

Choice = Literal["left", "right", "neither"]
CHOICES: tuple[Choice, ...] = ("left", "right", "neither")
# A disagreement is settled by a choice, or by the reviewer editing the gold over it.
Decision = Literal["left", "right", "neither", "edited"]


class ReviewError(ValueError):
    """A review that cannot be written yet (undecided disagreements, overlapping spans)."""


def _key(e: Entity) -> tuple[int, int, str]:
    return (e.start, e.end, e.label)


def _as_gold(e: Entity) -> Entity:
    """A span as the gold holds it: the reviewer's decision; its origin is set on writing."""
    return replace(e, source="user", origin=None)


@dataclass(frozen=True)
class Side:
    """One annotator's version: whose it is and their spans."""

    name: str
    entities: tuple[Entity, ...]
    excluded: tuple[Range, ...] = ()
    meta: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Disagreement:
    """Spans the two sides do not share, over ``[start, end)``; either side may be empty."""

    start: int
    end: int
    left: tuple[Entity, ...]
    right: tuple[Entity, ...]

    def contains(self, offset: int) -> bool:
        return self.start <= offset < self.end

    def spans(self, choice: Decision) -> tuple[Entity, ...]:
        if choice == "left":
            return self.left
        if choice == "right":
            return self.right
        return ()


@dataclass(frozen=True)
class GoldSpan:
    """A gold span and its origin: the annotator(s) whose version it came from."""

    entity: Entity
    origins: tuple[str, ...]

    @property
    def origin(self) -> str:
        """One string for the TOML: ``kim``, or ``kim+lee`` when both marked it."""
        return "+".join(self.origins)


def compare(
    left: Sequence[Entity], right: Sequence[Entity]
) -> tuple[list[Entity], list[Disagreement]]:
    """Split two versions into the spans they agree on and their disagreements, in order."""
    tagged = sorted([(e, 0) for e in left] + [(e, 1) for e in right], key=lambda t: t[0])
    agreed: list[Entity] = []
    disagreements: list[Disagreement] = []
    cluster: list[tuple[Entity, int]] = []
    end = -1

    def close() -> None:
        sides = ([e for e, s in cluster if s == 0], [e for e, s in cluster if s == 1])
        if {_key(e) for e in sides[0]} == {_key(e) for e in sides[1]}:
            agreed.extend(sides[0])
        else:
            start = min(e.start for e, _ in cluster)
            disagreements.append(Disagreement(start, end, tuple(sides[0]), tuple(sides[1])))

    for entity, side in tagged:
        if cluster and entity.start >= end:
            close()
            cluster = []
        cluster.append((entity, side))
        end = max(end, entity.end) if len(cluster) > 1 else entity.end
    if cluster:
        close()
    return agreed, disagreements


@dataclass
class Review:
    """One article under review: the decisions taken so far and the gold they give."""

    article: Article
    left: Side
    right: Side
    agreed: tuple[Entity, ...] = ()
    disagreements: tuple[Disagreement, ...] = ()
    choices: list[Decision | None] = field(default_factory=list)

    @classmethod
    def of(cls, article: Article, left: Side, right: Side) -> Review:
        agreed, disagreements = compare(left.entities, right.entities)
        return cls(
            article, left, right, tuple(agreed), tuple(disagreements), [None] * len(disagreements)
        )

    @classmethod
    def from_shared(cls, shared: Shared) -> Review:
        """From :func:`tui.core.agree.gather` over exactly two folders."""
        if len(shared.versions) != 2:
            raise ValueError("a review compares exactly two versions")
        a, b = shared.versions
        left = Side(a.annotator, a.entities, a.excluded, a.meta)
        right = Side(b.annotator, b.entities, b.excluded, b.meta)
        if left.name == right.name:  # the same name in both files: tell the folders apart
            left = replace(left, name=f"{a.annotator} ({a.folder})")
            right = replace(right, name=f"{b.annotator} ({b.folder})")
        return cls.of(shared.article, left, right)

    @property
    def meta(self) -> dict[str, str]:
        """The article's ``[meta]`` (title, URL… from ``add``): both versions', the left's
        value where they differ."""
        return {**self.right.meta, **self.left.meta}

    @property
    def excluded(self) -> tuple[Range, ...]:
        """Text both versions marked as not article text: the gold leaves it out too."""
        return tuple(sorted(set(self.left.excluded) & set(self.right.excluded)))

    @property
    def agrees(self) -> bool:
        """Both versions have the same spans: the gold can be accepted in one step."""
        return not self.disagreements

    @property
    def pending(self) -> int:
        """Disagreements still to decide (for the progress line)."""
        return sum(c is None for c in self.choices)

    @property
    def complete(self) -> bool:
        return self.pending == 0

    def choose(self, index: int, choice: Choice | None) -> None:
        """Decide disagreement ``index`` (``None`` undoes the decision)."""
        if choice is not None and choice not in CHOICES:
            raise ValueError(f"choice {choice!r} is not one of {', '.join(CHOICES)}")
        self.choices[index] = choice

    def choose_all(self, choice: Choice) -> None:
        self.choices = [choice] * len(self.disagreements)

    def at(self, offset: int) -> int | None:
        """Index of the disagreement covering ``offset``, for the one under the cursor."""
        for i, d in enumerate(self.disagreements):
            if d.contains(offset):
                return i
            if d.start > offset:
                break
        return None

    def step(self, offset: int, direction: int) -> int | None:
        """The next (``direction`` 1) or previous (-1) disagreement from ``offset``, wrapping."""
        if not self.disagreements:
            return None
        starts = [d.start for d in self.disagreements]
        if direction > 0:
            after = [i for i, s in enumerate(starts) if s > offset]
            return after[0] if after else 0
        current = self.at(offset)
        before = [i for i, s in enumerate(starts) if s < offset and i != current]
        return before[-1] if before else len(starts) - 1

    def next_pending(self, offset: int = -1) -> int | None:
        """The first undecided disagreement starting after ``offset``, wrapping around."""
        order = [i for i, c in enumerate(self.choices) if c is None]
        after = [i for i in order if self.disagreements[i].start > offset]
        candidates = after or order
        return candidates[0] if candidates else None

    def entities(self) -> tuple[Entity, ...]:
        """Agreed spans plus the chosen side of each decided disagreement, as the user's.

        A disagreement settled by editing contributes nothing here: its spans are in the
        edited document (:class:`Draft`), which is what gets written then.
        """
        chosen = list(self.agreed)
        for d, c in zip(self.disagreements, self.choices, strict=True):
            if c is not None:
                chosen.extend(d.spans(c))
        return tuple(sorted(_as_gold(e) for e in chosen))

    def origins(self, entities: Iterable[Entity], reviewer: str) -> tuple[GoldSpan, ...]:
        """Each span with the annotator(s) who marked it exactly so, else the reviewer.

        Works on any spans, so a reviewer who edits the result freely keeps the origin of
        every span left as one of the versions had it.
        """
        left = {_key(e) for e in self.left.entities}
        right = {_key(e) for e in self.right.entities}
        spans = []
        for e in sorted(entities):
            names = tuple(
                side.name
                for side, keys in ((self.left, left), (self.right, right))
                if _key(e) in keys
            )
            spans.append(GoldSpan(_as_gold(e), names or (reviewer,)))
        return tuple(spans)

    def resume(self, entities: Iterable[Entity]) -> None:
        """Recover the decisions from gold saved half-way: a disagreement whose gold spans are
        exactly one side's (and not nothing) took that side; other spans there were edited;
        no span there is still to decide (a "neither" is asked again).
        """
        gold = sorted(entities)
        for i, d in enumerate(self.disagreements):
            here = {_key(e) for e in gold if e.start < d.end and d.start < e.end}
            if not here:
                self.choices[i] = None
            elif here == {_key(e) for e in d.left}:
                self.choices[i] = "left"
            elif here == {_key(e) for e in d.right}:
                self.choices[i] = "right"
            else:
                self.choices[i] = "edited"

    def gold(self, reviewer: str, entities: Iterable[Entity] | None = None) -> Gold:
        """The gold version: the decided spans, or ``entities`` when the reviewer edited them.

        :class:`ReviewError` while disagreements are undecided (and no ``entities`` given),
        or when the spans break the span rules.
        """
        if entities is None:
            if not self.complete:
                raise ReviewError(
                    f"{self.article.id}: {self.pending} disagreement(s) still to decide"
                )
            entities = self.entities()
        spans = self.origins(entities, reviewer)
        try:
            check_entities(self.article.text, [s.entity for s in spans])
        except ValueError as exc:
            raise ReviewError(f"{self.article.id}: {exc}") from None
        return Gold(self.article, reviewer, spans, excluded=self.excluded, meta=self.meta)


@dataclass(frozen=True)
class Gold:
    """A reviewed article ready to write: accepted, by the reviewer, with span origins."""

    article: Article
    reviewer: str
    spans: tuple[GoldSpan, ...]
    status: Status = "accepted"
    """``in_progress`` for a review saved before every disagreement was decided."""
    excluded: tuple[Range, ...] = ()
    meta: Mapping[str, str] = field(default_factory=dict)

    def annotation(self) -> Annotation:
        return Annotation(
            article=self.article.id,
            sha256=self.article.sha256,
            status=self.status,
            entities=tuple(replace(s.entity, origin=s.origin) for s in self.spans),
            annotator=self.reviewer,
            updated=store.now(),
            excluded=self.excluded,
            meta=dict(self.meta),
        )


class GoldDocument(Document):
    """The gold under review: an ordinary document plus one step that settles a disagreement."""

    def settle(self, d: Disagreement, choice: Choice) -> Edit:
        """Replace whatever the gold has over ``d`` by the chosen side's spans, as one edit.

        A decision that leaves the gold as it is ("neither" where the gold has nothing yet)
        is a step all the same, so ``u`` takes the decision back.
        """
        removed = self.spans.overlapping(d.start, d.end)
        added = [_as_gold(e) for e in d.spans(choice)]
        edit = self._commit(f"take {choice} at {d.start}", removed, added, self.status, step=True)
        assert edit is not None  # a step is always made
        return edit


# (disagreement index, its decision before an edit, after it)
Change = tuple[int, Decision | None, Decision | None]


@dataclass
class Draft:
    """One article's gold while it is reviewed: the document the reviewer edits, kept in
    step with which disagreements are settled, through undo and redo too.
    """

    review: Review
    document: GoldDocument
    _changes: dict[int, tuple[Edit, list[Change]]] = field(default_factory=dict)

    @classmethod
    def open(cls, review: Review, out: Path) -> Draft:
        """Resume from the gold in ``out`` when there is some, else start afresh.

        Raises :class:`~tui.core.store.StoreError` when that gold file cannot be read.
        """
        path = gold_path(out, review.article.id)
        if not path.exists():
            return cls.start(review)
        annotation = store.load(path, review.article).annotation
        if annotation.status == "accepted":
            return cls.start(review, annotation.entities, annotation.excluded)
        draft = cls.start(review, annotation.entities, annotation.excluded)
        review.resume(annotation.entities)
        return draft

    @classmethod
    def start(
        cls,
        review: Review,
        existing: Iterable[Entity] | None = None,
        excluded: Iterable[Range] | None = None,
    ) -> Draft:
        """From the agreed spans, or from gold already written (every disagreement settled)."""
        ranges = review.excluded if excluded is None else tuple(excluded)
        if existing is None:
            entities = [_as_gold(e) for e in review.agreed]
            for d, c in zip(review.disagreements, review.choices, strict=True):
                if c is not None:
                    entities.extend(_as_gold(e) for e in d.spans(c))
        else:
            entities = [_as_gold(e) for e in existing]
            review.choices = ["edited"] * len(review.disagreements)
        document = GoldDocument(review.article.text, entities, "accepted", ranges)
        return cls(review, document)

    @property
    def pending(self) -> int:
        return self.review.pending

    @property
    def complete(self) -> bool:
        return self.review.complete

    def _record(self, edit: Edit | None, changes: list[Change]) -> None:
        for index, _, after in changes:
            self.review.choices[index] = after
        if edit is not None:
            self._changes[id(edit)] = (edit, changes)

    def decide(self, index: int, choice: Choice) -> Edit:
        """Take ``choice`` for disagreement ``index``; the edit, undone like any other."""
        if choice not in CHOICES:
            raise ValueError(f"choice {choice!r} is not one of {', '.join(CHOICES)}")
        d = self.review.disagreements[index]
        changes: list[Change] = [(index, self.review.choices[index], choice)]
        edit = self.document.settle(d, choice)
        self._record(edit, changes)
        return edit

    def edited(self, edit: Edit) -> None:
        """Call after any edit the reviewer made to :attr:`document` (undo and redo too).

        A new edit settles the disagreements it touches; undoing an edit restores what they
        were before it, and redoing it settles them again.
        """
        known = self._changes.get(id(edit))
        doc = self.document
        if known is not None and known[0] is edit:
            changes = known[1]
            if doc.redo_stack and doc.redo_stack[-1] is edit:
                for index, before, _ in changes:
                    self.review.choices[index] = before
            else:
                for index, _, after in changes:
                    self.review.choices[index] = after
            return
        extent = edit.extent
        if extent is None:
            return
        start, end = extent
        touched: list[Change] = [
            (i, self.review.choices[i], "edited")
            for i, d in enumerate(self.review.disagreements)
            if d.start < end and start < d.end
        ]
        self._record(edit, touched)

    def gold(self, reviewer: str) -> Gold:
        """What to write now: accepted once every disagreement is settled, else in progress."""
        gold = replace(
            self.review.gold(reviewer, self.document.entities), excluded=self.document.excluded
        )
        return gold if self.complete else replace(gold, status="in_progress")


# Everything but rejected: a reviewer settles work in progress too, and sees its status.
REVIEW_STATUSES: frozenset[Status] = frozenset(s for s in STATUSES if s != "rejected")


def load(
    articles: Path,
    left: Path,
    right: Path,
    statuses: Iterable[Status] = REVIEW_STATUSES,
) -> tuple[list[Review], list[Skipped]]:
    """A review for every article both folders annotated, and those skipped with the reason.

    Raises :class:`~tui.core.article.CorpusError` when the articles folder cannot be used.
    """
    gathered = gather(articles, [left, right], statuses)
    return [Review.from_shared(s) for s in gathered.shared], gathered.skipped


def remaining(reviews: Iterable[Review]) -> int:
    """Disagreements left to decide across ``reviews``, for the progress line."""
    return sum(r.pending for r in reviews)


def gold_path(out: Path, article_id: str) -> Path:
    return store.annotation_path(out, article_id)


def write(out: Path, gold: Gold) -> Path:
    """Write the gold TOML atomically into ``out``; returns its path."""
    path = gold_path(out, gold.article.id)
    store.save(path, gold.annotation(), gold.article.text)
    return path


@dataclass
class Accepted:
    written: list[Path] = field(default_factory=list)
    kept: list[Path] = field(default_factory=list)  # gold already there: never overwritten
    disagreeing: list[str] = field(default_factory=list)


def accept_agreed(reviews: Iterable[Review], out: Path, reviewer: str) -> Accepted:
    """Write gold for every article whose versions agree completely, in one step.

    An article that already has gold in ``out`` is left alone: a reviewer's earlier
    decisions are never overwritten by a bulk step.
    """
    result = Accepted()
    for review in reviews:
        if not review.agrees:
            result.disagreeing.append(review.article.id)
            continue
        path = gold_path(out, review.article.id)
        if path.exists():
            result.kept.append(path)
            continue
        result.written.append(write(out, review.gold(reviewer)))
    return result

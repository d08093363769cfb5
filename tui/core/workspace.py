"""An articles folder paired with an annotations folder: what the app and the CLI open.

It joins the corpus, the store and the edit model, so neither the UI nor a command needs to
know how an article's TOML is found, validated, re-anchored or written.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from tui.core import confidence, project, store
from tui.core.article import Article, ArticleError, Corpus
from tui.core.edits import Document, Status
from tui.core.project import Project
from tui.core.spans import Entity
from tui.core.store import Annotation, StoreError, Unanchored


@dataclass
class Annotated:
    """One article open for editing, with the metadata its TOML carries."""

    article: Article
    document: Document
    path: Path
    model: str | None = None
    annotator: str | None = None
    unanchored: tuple[Unanchored, ...] = ()
    has_file: bool = False
    note: str | None = None
    meta: Mapping[str, str] = field(default_factory=dict)  # [meta]: title, url... (kept as is)

    @property
    def id(self) -> str:
        return self.article.id

    def annotation(self) -> Annotation:
        return Annotation(
            article=self.article.id,
            sha256=self.article.sha256,
            status=self.document.status,
            entities=self.document.entities,
            model=self.model,
            annotator=self.annotator,
            updated=store.now(),
            unanchored=self.unanchored,
            excluded=self.document.excluded,
            meta=self.meta,
        )

    @property
    def awaits_suggestions(self) -> bool:
        """Nobody and no model has touched it yet (``add`` may have written its [meta])."""
        return awaits_suggestions(self.model, self.document.status, len(self.document.spans))


@dataclass(frozen=True, slots=True)
class Problem:
    """Why an article cannot be annotated: the one way the app says an article is unusable.

    ``reason`` is short enough for a picker row; ``message`` is the sentence shown once, naming
    the file and what to do. ``readable`` articles (their TOML is at fault, not their text) are
    still shown, read-only.
    """

    article: str
    reason: str
    message: str
    readable: bool = False

    @classmethod
    def unreadable(cls, article: str, exc: ArticleError) -> Problem:
        return cls(article, exc.reason, str(exc))

    @classmethod
    def broken_toml(cls, article: str, exc: StoreError) -> Problem:
        where = f"{exc.field}: " if exc.field else ""
        advice = "" if "fix or delete" in str(exc) else " Fix or delete it to annotate."
        return cls(
            article,
            f"{exc.path.name}: {where}{exc.message}",
            f"{str(exc).rstrip('.')}. The article is shown read-only and that file is left "
            f"as it is.{advice}",
            readable=True,
        )


@dataclass(frozen=True)
class Summary:
    """What the article picker shows, read from the TOML alone (fast on big corpora)."""

    article: str
    status: Status | None
    entities: int
    problem: Problem | None = None
    uncertainty: float | None = None
    """Expected errors per 1,000 characters in the model's scored suggestions
    (:func:`tui.core.confidence.uncertainty`); ``None`` when none is scored."""


class Workspace:
    def __init__(
        self,
        articles: Path,
        annotations: Path,
        annotator: str | None = None,
        only: Sequence[str] | None = None,
        project_from: Path | None = None,
    ) -> None:
        self.corpus = Corpus.open(articles)
        self.only = None if only is None else list(only)
        """The articles this reader works on (a team member's), in order; ``None``: all."""
        self.annotations = annotations
        if annotator is not None:
            # A name from argv or the environment may carry undecodable bytes as surrogates,
            # which UTF-8 cannot write: every save would fail. Keep what can be written.
            annotator = annotator.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
        self.annotator = annotator
        self.project: Project = project.load(project_from or annotations)
        """The folder's label set and settings (the empty project when it has no file); a
        team member's are the team's, in the folder above theirs (``project_from``)."""

    @property
    def ids(self) -> list[str]:
        return self.corpus.ids if self.only is None else self.only

    def path_for(self, article_id: str) -> Path:
        return store.annotation_path(self.annotations, article_id)

    def open(self, article_id: str) -> Annotated:
        """Load the article and its TOML; raises ArticleError or StoreError."""
        article = self.corpus.read(article_id)
        return self.attach(article)

    def attach(self, article: Article) -> Annotated:
        path = self.path_for(article.id)
        if not path.exists():
            return Annotated(article, Document(article.text), path, annotator=self.annotator)
        loaded = store.load(path, article)
        ann = loaded.annotation
        note = None
        if loaded.stale:
            note = (
                f"{article.id} changed on disk: {loaded.moved} entities re-anchored, "
                f"{len(loaded.lost)} could not be placed and are kept as unanchored."
            )
            if loaded.dropped_excluded:
                note += f" {loaded.dropped_excluded} excluded range(s) dropped; mark them again."
        return Annotated(
            article,
            Document(article.text, ann.entities, ann.status, ann.excluded),
            path,
            model=ann.model,
            annotator=self.annotator or ann.annotator,
            unanchored=ann.unanchored,
            has_file=True,
            note=note,
            meta=ann.meta,
        )

    def save(self, annotated: Annotated) -> None:
        """Write atomically; an ``OSError`` leaves the previous file as it was."""
        store.save(annotated.path, annotated.annotation(), annotated.article.text)
        annotated.has_file = True

    def summary(self, article_id: str) -> Summary:
        path = self.path_for(article_id)
        if not path.exists():
            return Summary(article_id, None, 0)
        try:
            annotation, spans = store.read(path)
        except StoreError as exc:
            return Summary(article_id, None, 0, Problem.broken_toml(article_id, exc))
        doubt = None
        if any(s.score is not None for s in spans):
            try:  # the file's size in bytes: reading every article would cost far more
                size = (self.corpus.root / article_id).stat().st_size
            except OSError:
                size = 0
            doubt = confidence.uncertainty((s.entity() for s in spans), size)
        return Summary(article_id, annotation.status, len(spans), uncertainty=doubt)

    def awaits_suggestions(self, article_id: str) -> bool:
        """No TOML yet, or one that no model and no person has touched (cheap: TOML only)."""
        path = self.path_for(article_id)
        if not path.exists():
            return True
        try:
            annotation, spans = store.read(path)
        except StoreError:
            return False  # never overwrite a file that cannot be read
        return awaits_suggestions(annotation.model, annotation.status, len(spans))

    def orphans(self) -> list[Path]:
        """TOML files whose article is no longer in the corpus."""
        ids = set(self.corpus.ids)
        return [
            p
            for p in store.iter_files(self.annotations)
            if store.article_id_for(self.annotations, p) not in ids
        ]


def awaits_suggestions(model: str | None, status: Status, entities: int) -> bool:
    return model is None and status == "unreviewed" and entities == 0


def with_suggestions(annotated: Annotated, suggestions: Iterable[Entity], model: str) -> None:
    """Apply model suggestions to an open article, recording which model made them."""
    if annotated.document.replace_suggestions(suggestions) is not None or not annotated.model:
        annotated.model = model


__all__ = [
    "Annotated",
    "ArticleError",
    "Problem",
    "StoreError",
    "Summary",
    "Workspace",
    "with_suggestions",
]

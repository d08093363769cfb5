"""How far several annotators agree on the articles they all annotated.

Each folder is one person's annotations of the same articles folder. Two figures are given:

* span level, for every pair of folders: precision, recall and F1 of the second folder's spans
  against the first's (exact match on start, end and label, as ``newsmark evaluate`` counts),
  and a lenient "partial" figure where a span counts when it overlaps a span of the same label;
* token level: Cohen's kappa for two folders, Fleiss' kappa for three or more. Tokens are those
  of the regex tokenizer in :mod:`tui.core.tokens` (the same for every folder, no model needed),
  and a token's category is the label of the entity it overlaps, or ``O`` (the IO scheme).

Only articles with a usable TOML in every folder, with a wanted status, are compared; every
other article that some folder annotated is reported as skipped, with the reason.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tui.core import store
from tui.core.article import Article, ArticleError, Corpus
from tui.core.edits import Status
from tui.core.spans import Entity, Range
from tui.core.store import StoreError
from tui.core.tokens import Tokens, regex_tokens

OUTSIDE = "O"
TOKENIZER = "regex"


@dataclass(frozen=True)
class Version:
    """One folder's annotation of one article."""

    folder: Path
    annotator: str
    status: Status
    entities: tuple[Entity, ...]
    excluded: tuple[Range, ...] = ()  # text marked as not article text (review keeps it)
    meta: Mapping[str, str] = field(default_factory=dict)  # the article's [meta] (review keeps it)


@dataclass(frozen=True)
class Shared:
    """An article annotated in every folder, with one version per folder in folder order."""

    article: Article
    versions: tuple[Version, ...]

    @property
    def id(self) -> str:
        return self.article.id


@dataclass(frozen=True)
class Skipped:
    article: str
    reason: str


@dataclass
class Gathered:
    shared: list[Shared] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)


def _name(folder: Path) -> str:
    return folder.name or str(folder)


def gather(articles: Path, folders: Sequence[Path], statuses: Iterable[Status]) -> Gathered:
    """Load the versions of every article some folder annotated; keep those all folders share.

    Raises :class:`~tui.core.article.CorpusError` when the articles folder cannot be used.
    """
    corpus = Corpus.open(articles)
    wanted = frozenset(statuses)
    files: list[dict[str, Path]] = [
        {store.article_id_for(folder, p): p for p in store.iter_files(folder)} for folder in folders
    ]
    ids = sorted(set().union(*files))
    known = set(corpus.ids)
    result = Gathered()
    for article_id in ids:
        missing = [str(f) for f, got in zip(folders, files, strict=True) if article_id not in got]
        if missing:
            result.skipped.append(Skipped(article_id, f"not annotated in {', '.join(missing)}"))
            continue
        if article_id not in known:
            result.skipped.append(
                Skipped(article_id, f"no such article in {articles} (orphaned annotations)")
            )
            continue
        try:
            article = corpus.read(article_id)
        except ArticleError as exc:
            result.skipped.append(Skipped(article_id, f"{exc.path} {exc.reason}"))
            continue
        versions: list[Version] = []
        reason = None
        for folder, got in zip(folders, files, strict=True):
            path = got[article_id]
            try:
                loaded = store.load(path, article)
            except StoreError as exc:
                reason = str(exc)
                break
            ann = loaded.annotation
            if ann.status not in wanted:
                reason = f"status is {ann.status} in {path}"
                break
            if ann.unanchored:
                reason = (
                    f"{path} has {len(ann.unanchored)} unanchored span(s); "
                    "place them again in the reader first"
                )
                break
            versions.append(
                Version(
                    folder,
                    ann.annotator or _name(folder),
                    ann.status,
                    ann.entities,
                    ann.excluded,
                    ann.meta,
                )
            )
        if reason is not None:
            result.skipped.append(Skipped(article_id, reason))
            continue
        result.shared.append(Shared(article, tuple(versions)))
    return result


# -- span level ---------------------------------------------------------------------------


def _ratio(part: int, whole: int) -> float:
    return part / whole if whole else 0.0


def _f1(p: float, r: float) -> float:
    return 2 * p * r / (p + r) if p + r else 0.0


@dataclass
class SpanScore:
    """Counts for the second folder's spans (``b``) against the first's (``a``)."""

    a: int = 0
    b: int = 0
    exact: int = 0
    partial_a: int = 0  # spans of a overlapping a same-label span of b
    partial_b: int = 0  # spans of b overlapping a same-label span of a

    @property
    def precision(self) -> float:
        return _ratio(self.exact, self.b)

    @property
    def recall(self) -> float:
        return _ratio(self.exact, self.a)

    @property
    def f1(self) -> float:
        return _f1(self.precision, self.recall)

    @property
    def partial_precision(self) -> float:
        return _ratio(self.partial_b, self.b)

    @property
    def partial_recall(self) -> float:
        return _ratio(self.partial_a, self.a)

    @property
    def partial_f1(self) -> float:
        return _f1(self.partial_precision, self.partial_recall)

    def add(self, other: SpanScore) -> None:
        self.a += other.a
        self.b += other.b
        self.exact += other.exact
        self.partial_a += other.partial_a
        self.partial_b += other.partial_b

    def to_json(self) -> dict[str, Any]:
        return {
            "precision": round(self.precision, 4),
            "recall": round(self.recall, 4),
            "f1": round(self.f1, 4),
            "partial_precision": round(self.partial_precision, 4),
            "partial_recall": round(self.partial_recall, 4),
            "partial_f1": round(self.partial_f1, 4),
            "exact": self.exact,
            "spans_a": self.a,
            "spans_b": self.b,
        }


def _overlapping(spans: Sequence[Entity], others: Sequence[Entity]) -> list[Entity]:
    """The spans of ``spans`` that overlap some span of ``others`` with the same label.

    Both are sorted and free of overlaps within themselves, so one merge pass does.
    """
    found = []
    j = 0
    for s in spans:
        while j < len(others) and others[j].end <= s.start:
            j += 1
        k = j
        while k < len(others) and others[k].start < s.end:
            if others[k].label == s.label:
                found.append(s)
                break
            k += 1
    return found


def span_scores(a: Sequence[Entity], b: Sequence[Entity]) -> dict[str, SpanScore]:
    """Per-label scores of ``b`` against ``a`` for one article."""
    a, b = sorted(a), sorted(b)
    scores: dict[str, SpanScore] = {}

    def at(label: str) -> SpanScore:
        return scores.setdefault(label, SpanScore())

    keys_a = {(e.start, e.end, e.label) for e in a}
    keys_b = {(e.start, e.end, e.label) for e in b}
    for e in a:
        at(e.label).a += 1
    for e in b:
        at(e.label).b += 1
    for _, _, label in keys_a & keys_b:
        at(label).exact += 1
    for e in _overlapping(a, b):
        at(e.label).partial_a += 1
    for e in _overlapping(b, a):
        at(e.label).partial_b += 1
    return scores


@dataclass
class PairReport:
    a: str
    b: str
    overall: SpanScore = field(default_factory=SpanScore)
    labels: dict[str, SpanScore] = field(default_factory=dict)
    kappa: float | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "a": self.a,
            "b": self.b,
            "overall": self.overall.to_json(),
            "labels": {k: self.labels[k].to_json() for k in sorted(self.labels)},
            "cohen_kappa": _round(self.kappa),
        }


# -- token level --------------------------------------------------------------------------


def token_labels(text: str, entities: Sequence[Entity], tokens: Tokens | None = None) -> list[str]:
    """The category of each regex token: the label of the first entity it overlaps, else O."""
    if tokens is None:
        tokens = regex_tokens(text)
    spans = sorted(entities)
    labels = []
    j = 0
    for start, end in zip(tokens.starts, tokens.ends, strict=True):
        while j < len(spans) and spans[j].end <= start:
            j += 1
        labels.append(spans[j].label if j < len(spans) and spans[j].start < end else OUTSIDE)
    return labels


def cohen_kappa(a: Sequence[str], b: Sequence[str]) -> float | None:
    """Cohen's kappa of two raters over the same items; ``None`` when it is undefined.

    Undefined when there are no items or chance agreement is 1 (both raters gave every item
    the same single category): there is nothing to agree on beyond chance.
    """
    if len(a) != len(b):
        raise ValueError("both raters must rate the same items")
    n = len(a)
    if n == 0:
        return None
    observed = sum(x == y for x, y in zip(a, b, strict=True)) / n
    count_a, count_b = Counter(a), Counter(b)
    expected = sum(count_a[k] * count_b[k] for k in count_a) / (n * n)
    if expected >= 1:
        return None
    return (observed - expected) / (1 - expected)


def fleiss_kappa(ratings: Sequence[Sequence[str]]) -> float | None:
    """Fleiss' kappa: ``ratings[i]`` are the categories every rater gave item ``i``.

    ``None`` when undefined (no items, or every rating is the same category).
    """
    if not ratings:
        return None
    raters = len(ratings[0])
    if raters < 2 or any(len(r) != raters for r in ratings):
        raise ValueError("every item needs the same number (two or more) of ratings")
    items = len(ratings)
    totals: Counter[str] = Counter()
    agreement = 0.0
    for row in ratings:
        counts = Counter(row)
        totals.update(counts)
        agreement += (sum(c * c for c in counts.values()) - raters) / (raters * (raters - 1))
    observed = agreement / items
    expected = sum((c / (items * raters)) ** 2 for c in totals.values())
    if expected >= 1:
        return None
    return (observed - expected) / (1 - expected)


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


# -- the report ---------------------------------------------------------------------------


@dataclass
class Agreement:
    folders: tuple[str, ...]
    articles: list[str] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    tokens: int = 0
    kappa: float | None = None
    pairs: list[PairReport] = field(default_factory=list)

    @property
    def kappa_method(self) -> str:
        return "cohen" if len(self.folders) == 2 else "fleiss"

    def to_json(self) -> dict[str, Any]:
        return {
            "folders": list(self.folders),
            "compared": len(self.articles),
            "skipped": len(self.skipped),
            "articles": self.articles,
            "skipped_articles": [{"article": s.article, "reason": s.reason} for s in self.skipped],
            "tokenizer": TOKENIZER,
            "tokens": self.tokens,
            "kappa": {"method": self.kappa_method, "value": _round(self.kappa)},
            "pairs": [p.to_json() for p in self.pairs],
        }


def agreement(folders: Sequence[str], gathered: Gathered) -> Agreement:
    """Span scores for every pair of folders and token kappa over all shared articles."""
    if len(folders) < 2:
        raise ValueError("agreement needs two or more folders")
    report = Agreement(tuple(folders), [s.id for s in gathered.shared], list(gathered.skipped))
    pairs = [(i, j) for i in range(len(folders)) for j in range(i + 1, len(folders))]
    report.pairs = [PairReport(folders[i], folders[j]) for i, j in pairs]
    columns: list[list[str]] = [[] for _ in folders]
    for shared in gathered.shared:
        for (i, j), pair in zip(pairs, report.pairs, strict=True):
            for label, score in span_scores(
                shared.versions[i].entities, shared.versions[j].entities
            ).items():
                pair.labels.setdefault(label, SpanScore()).add(score)
                pair.overall.add(score)
        tokens = regex_tokens(shared.article.text)
        for column, version in zip(columns, shared.versions, strict=True):
            column.extend(token_labels(shared.article.text, version.entities, tokens))
    report.tokens = len(columns[0])
    for (i, j), pair in zip(pairs, report.pairs, strict=True):
        pair.kappa = cohen_kappa(columns[i], columns[j])
    if len(folders) == 2:
        report.kappa = report.pairs[0].kappa
    else:
        report.kappa = fleiss_kappa(list(zip(*columns, strict=True)))
    return report

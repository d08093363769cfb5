"""How far a team has come: per member, articles assigned and reviewed, and agreement.

Agreement is computed by :mod:`tui.core.agree` on each pair of members' folders, exactly as
``newsmark agree ANNOTATIONS/A ANNOTATIONS/B`` computes it: since each member only writes the
articles routed to them, the articles two folders share are the pair's overlap. ``GET
/progress`` and ``newsmark team progress`` both print :meth:`Progress.to_json`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tui.core import store
from tui.core.agree import Agreement, agreement, gather
from tui.core.article import ArticleError, Corpus, read_article
from tui.core.edits import Status
from tui.core.store import StoreError
from tui.core.team import Team

REVIEWED: frozenset[Status] = frozenset({"accepted", "rejected"})


@dataclass
class MemberProgress:
    name: str
    assigned: int = 0
    reviewed: int = 0
    started: int = 0  # has a TOML: the person (or the model, on opening) touched it
    skipped: int = 0
    """Set aside with ``s``: the reader offers them no more, so they are not left to do."""
    unusable: int = 0
    """Assigned articles nobody can annotate (not UTF-8, binary, empty): never left to do,
    as ``stats`` and ``validate`` count them apart."""

    @property
    def left(self) -> int:
        """What the person's reader still offers as next to review."""
        return self.assigned - self.reviewed - self.skipped - self.unusable

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "assigned": self.assigned,
            "reviewed": self.reviewed,
            "started": self.started,
            "skipped": self.skipped,
            "unusable": self.unusable,
            "left": self.left,
        }


@dataclass
class PairProgress:
    """Two members who share articles; ``report`` is ``newsmark agree``'s for their folders."""

    a: str
    b: str
    shared: int  # articles routed to both that can be annotated
    report: Agreement

    def to_json(self) -> dict[str, Any]:
        pair = self.report.pairs[0]
        return {
            "a": self.a,
            "b": self.b,
            "shared": self.shared,
            "compared": len(self.report.articles),
            "overall": pair.overall.to_json(),
            "cohen_kappa": pair.to_json()["cohen_kappa"],
        }


@dataclass
class Progress:
    overlap: int
    statuses: frozenset[Status]
    members: list[MemberProgress] = field(default_factory=list)
    pairs: list[PairProgress] = field(default_factory=list)
    unusable: list[str] = field(default_factory=list)
    """Articles of the corpus that cannot be annotated, sorted (``validate`` says why)."""

    def pairs_of(self, name: str) -> list[PairProgress]:
        return [p for p in self.pairs if name in (p.a, p.b)]

    def to_json(self) -> dict[str, Any]:
        return {
            "overlap": self.overlap,
            "agreement_statuses": sorted(self.statuses),
            "members": [m.to_json() for m in self.members],
            "pairs": [p.to_json() for p in self.pairs],
            "unusable_articles": self.unusable,
        }


def _status(path: Path) -> Status | None:
    try:
        annotation, _ = store.read(path)
    except StoreError:
        return None
    return annotation.status


def _usable(articles: Path, article_id: str) -> bool:
    try:
        read_article(articles, article_id)
    except ArticleError:
        return False
    return True


def progress(team: Team, articles: Path, statuses: Iterable[Status] = ("accepted",)) -> Progress:
    """The team's figures now (reads every member's files: call it off an event loop).

    Raises :class:`~tui.core.article.CorpusError` when the articles folder cannot be used.
    """
    wanted = frozenset(statuses)
    corpus = Corpus.open(articles)
    routed = team.assignments(corpus.ids)
    result = Progress(team.overlap, wanted)
    untouched = set(corpus.ids)  # no TOML in anyone's folder: its article was never opened
    for name in team.names:
        mine = MemberProgress(name, assigned=len(routed[name]))
        folder = team.folder(name)
        for aid in routed[name]:
            path = store.annotation_path(folder, aid)
            if not path.exists():
                continue
            untouched.discard(aid)
            mine.started += 1
            status = _status(path)
            mine.reviewed += status in REVIEWED
            mine.skipped += status == "skipped"
        result.members.append(mine)
    # Counted as stats counts them: an article with a file was usable when it was opened.
    result.unusable = [aid for aid in sorted(untouched) if not _usable(articles, aid)]
    gone = set(result.unusable)
    for mine in result.members:
        mine.unusable = sum(aid in gone for aid in routed[mine.name])
    names = team.names
    for i, a in enumerate(names):
        for b in names[i + 1 :]:
            shared = len((set(routed[a]) & set(routed[b])) - gone)
            if not shared:
                continue
            folders = [team.folder(a), team.folder(b)]
            report = agreement([str(f) for f in folders], gather(articles, folders, wanted))
            result.pairs.append(PairProgress(a, b, shared, report))
    return result

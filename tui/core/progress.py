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
from tui.core.article import Corpus
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

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "assigned": self.assigned,
            "reviewed": self.reviewed,
            "started": self.started,
            "left": self.assigned - self.reviewed,
        }


@dataclass
class PairProgress:
    """Two members who share articles; ``report`` is ``newsmark agree``'s for their folders."""

    a: str
    b: str
    shared: int  # articles routed to both
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

    def pairs_of(self, name: str) -> list[PairProgress]:
        return [p for p in self.pairs if name in (p.a, p.b)]

    def to_json(self) -> dict[str, Any]:
        return {
            "overlap": self.overlap,
            "agreement_statuses": sorted(self.statuses),
            "members": [m.to_json() for m in self.members],
            "pairs": [p.to_json() for p in self.pairs],
        }


def _status(path: Path) -> Status | None:
    try:
        annotation, _ = store.read(path)
    except StoreError:
        return None
    return annotation.status


def progress(team: Team, articles: Path, statuses: Iterable[Status] = ("accepted",)) -> Progress:
    """The team's figures now (reads every member's files: call it off an event loop).

    Raises :class:`~tui.core.article.CorpusError` when the articles folder cannot be used.
    """
    wanted = frozenset(statuses)
    ids = Corpus.open(articles).ids
    routed = team.assignments(ids)
    result = Progress(team.overlap, wanted)
    for name in team.names:
        mine = MemberProgress(name, assigned=len(routed[name]))
        folder = team.folder(name)
        for aid in routed[name]:
            path = store.annotation_path(folder, aid)
            if not path.exists():
                continue
            mine.started += 1
            if _status(path) in REVIEWED:
                mine.reviewed += 1
        result.members.append(mine)
    names = team.names
    for i, a in enumerate(names):
        for b in names[i + 1 :]:
            shared = len(set(routed[a]) & set(routed[b]))
            if not shared:
                continue
            folders = [team.folder(a), team.folder(b)]
            report = agreement([str(f) for f in folders], gather(articles, folders, wanted))
            result.pairs.append(PairProgress(a, b, shared, report))
    return result

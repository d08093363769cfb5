"""The order articles are offered in: ``newsmark queue``, the reader's next article, the picker.

Three orders:

- ``file``: the corpus order (sorted paths), as always;
- ``uncertain``: what the model knows least first. An article's uncertainty is the number of
  errors its suggestions are expected to hold per 1,000 characters: the sum over the model's
  scored suggestions of the chance each is wrong (1 − score), divided by the article's length
  in thousands of characters (its file's size in bytes, the same for English text: counting
  characters would mean reading every article). A long article with one doubtful name ranks
  below a short one with the same doubt. Articles with no scored suggestion (never suggested,
  suggested by a pipeline that cannot score, or nothing found) follow, in file order; ties
  keep file order;
- ``random``: a shuffle fixed by the seed and each article's id, so the queue and the reader
  agree. Any subset keeps the relative order it has in the whole: a team member's articles
  come in the project's order restricted to theirs, so two people who share articles (see
  :mod:`tui.core.team`) meet the shared ones in the same order and their overlap grows as
  they go, not only at the end.

The reader computes the order once, when it has read every TOML, so it stays put while the
person works (an edit drops the scores it touches, which would reshuffle it).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Literal

from tui.core.confidence import uncertainty
from tui.core.edits import STATUSES, Status

if TYPE_CHECKING:
    from tui.core.workspace import Summary, Workspace

Order = Literal["file", "uncertain", "random"]
ORDERS: tuple[Order, ...] = ("file", "uncertain", "random")
NEW = "new"
"""The status word for an article with no annotation file yet."""
DEFAULT_STATUSES: frozenset[str] = frozenset({NEW, "unreviewed", "in_progress"})
"""What ``queue`` lists by default: what is left to review."""


def ordered(
    ids: Sequence[str],
    uncertain: Mapping[str, float | None],
    order: Order = "file",
    seed: int = 0,
) -> list[str]:
    """``ids`` in ``order``; ``uncertain`` gives each article's :func:`uncertainty`."""
    if order == "random":
        return sorted(ids, key=lambda aid: (_draw(seed, aid), aid))
    if order == "uncertain":
        known = [i for i in ids if uncertain.get(i) is not None]
        known.sort(key=lambda i: -(uncertain[i] or 0.0))  # sort is stable: ties keep file order
        return known + [i for i in ids if uncertain.get(i) is None]
    return list(ids)


def _draw(seed: int, article: str) -> bytes:
    """The article's place in the random order: a hash of the seed and its id alone."""
    return hashlib.sha256(f"{seed}\0{article}".encode("utf-8", "surrogateescape")).digest()[:8]


def listing(
    workspace: Workspace, order: Order, seed: int = 0, statuses: Iterable[str] = DEFAULT_STATUSES
) -> tuple[list[str], dict[str, Summary]]:
    """The articles with one of ``statuses`` in ``order`` (a file that cannot be read is left
    out, as the reader skips it), and every article's summary (each TOML read once)."""
    wanted = frozenset(statuses)
    summaries = {aid: workspace.summary(aid) for aid in workspace.ids}
    doubts = {aid: s.uncertainty for aid, s in summaries.items()}
    ids = [
        aid
        for aid in ordered(workspace.ids, doubts, order, seed)
        if summaries[aid].problem is None and status_word(summaries[aid].status) in wanted
    ]
    return ids, summaries


def parse_statuses(value: str) -> frozenset[str]:
    """``new,unreviewed``, ``all``…; :class:`ValueError` names a word that is not a status."""
    wanted: set[str] = set()
    for raw in value.split(","):
        name = raw.strip()
        if not name:
            continue
        if name == "all":
            wanted.update((NEW, *STATUSES))
        elif name == NEW or name in STATUSES:
            wanted.add(name)
        else:
            raise ValueError(
                f"unknown status {name!r}; use a comma list of {NEW}, {', '.join(STATUSES)} or all"
            )
    if not wanted:
        raise ValueError("no status given; use for example --status new,unreviewed")
    return frozenset(wanted)


def status_word(status: Status | None) -> str:
    return NEW if status is None else status


__all__ = [
    "DEFAULT_STATUSES",
    "NEW",
    "ORDERS",
    "Order",
    "listing",
    "ordered",
    "parse_statuses",
    "status_word",
    "uncertainty",
]

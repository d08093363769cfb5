"""A team sharing one annotations folder: who is in it, their passwords, who reads what.

The team file (``<annotations>/.newsmark-team.toml``, a dot file so no command takes it for
an article's annotations) holds ``overlap`` (how many people see each article) and one table
per member with a salted scrypt hash of their password. Each member writes only
``<annotations>/<name>/``, so a name is also a folder name: it is kept to ASCII letters,
digits, ``.``, ``_`` and ``-``, never starting with a dot, and never two that differ only in
case (they would be one folder on some file systems).

Articles are routed by rendezvous hashing: every (member, article) pair gets a score from a
hash of both, and an article goes to the ``overlap`` members with the highest scores. The
result depends on nothing but the names and the article id, and adding a member moves only
the articles where the newcomer now ranks in the top ``overlap``; every other article keeps
its people.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import re
import tomllib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import tomli_w

from tui.core.fsutil import atomic_write

TEAM_FILE = ".newsmark-team.toml"
NAME_RULE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")
MIN_PASSWORD = 8
MAX_PASSWORD = 1024  # scrypt's cost grows with the input; a bound keeps one login cheap

# scrypt with N=2**14, r=8, p=1 takes 16 MiB and tens of milliseconds: slow for a guesser,
# quick for a sign-in. The parameters are stored with each hash, so they can be raised later.
SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**14, 8, 1
SALT_BYTES, KEY_BYTES = 16, 32
MAX_SCRYPT_N = 2**20  # refuse hashes that would make a sign-in take seconds of memory


class TeamError(Exception):
    """A team file that cannot be used, or a request that cannot be met; one sentence."""


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def hash_password(password: str, *, salt: bytes | None = None) -> str:
    """``scrypt$N$r$p$salt$key``: a fresh random salt each time, so equal passwords differ."""
    check_password(password)
    salt = os.urandom(SALT_BYTES) if salt is None else salt
    key = hashlib.scrypt(
        password.encode("utf-8"), salt=salt, n=SCRYPT_N, r=SCRYPT_R, p=SCRYPT_P, dklen=KEY_BYTES
    )
    return f"scrypt${SCRYPT_N}${SCRYPT_R}${SCRYPT_P}${_b64(salt)}${_b64(key)}"


def _parse_hash(stored: str) -> tuple[int, int, int, bytes, bytes] | None:
    parts = stored.split("$")
    if len(parts) != 6 or parts[0] != "scrypt":
        return None
    try:
        n, r, p = int(parts[1]), int(parts[2]), int(parts[3])
        salt = base64.b64decode(parts[4], validate=True)
        key = base64.b64decode(parts[5], validate=True)
    except ValueError:
        return None
    if not (1 < n <= MAX_SCRYPT_N and n & (n - 1) == 0 and 1 <= r <= 32 and 1 <= p <= 16):
        return None
    if not salt or not key or n * r * 128 > 64 * 2**20:
        return None
    return n, r, p, salt, key


# Compared against when a name is unknown, so a wrong name costs as long as a wrong password.
_DUMMY = "$".join(
    ["scrypt", str(SCRYPT_N), str(SCRYPT_R), str(SCRYPT_P)]
    + [_b64(bytes(SALT_BYTES)), _b64(bytes(KEY_BYTES))]
)


def verify_password(password: str, stored: str | None) -> bool:
    """Whether ``password`` matches ``stored``; ``None`` (no such member) costs the same."""
    parsed = _parse_hash(stored if stored is not None else _DUMMY)
    if parsed is None or len(password) > MAX_PASSWORD:
        return False
    n, r, p, salt, key = parsed
    try:
        got = hashlib.scrypt(
            password.encode("utf-8", "surrogateescape"),
            salt=salt,
            n=n,
            r=r,
            p=p,
            dklen=len(key),
            maxmem=2 * n * r * 128 + 2**20,
        )
    except (ValueError, MemoryError, UnicodeEncodeError):
        return False
    return hmac.compare_digest(got, key) and stored is not None


def check_name(name: str) -> str:
    """The name, if it can be both a member's name and their folder's name."""
    if not NAME_RULE.fullmatch(name) or ".." in name:
        shown = name if name.isprintable() and len(name) <= 80 else repr(name[:80])
        raise TeamError(
            f"{shown!r} cannot be a team member's name: it names their folder, so use 1 to 64 "
            "ASCII letters, digits, '.', '_' or '-', starting with a letter or digit "
            "(e.g. kim or lee.w)."
        )
    return name


def check_password(password: str) -> str:
    if len(password) < MIN_PASSWORD:
        raise TeamError(f"the password is too short; use at least {MIN_PASSWORD} characters.")
    if len(password) > MAX_PASSWORD:
        raise TeamError(f"the password is too long; use at most {MAX_PASSWORD} characters.")
    if any(ch in password for ch in "\r\n\0"):
        raise TeamError("the password cannot hold a line break or a NUL character.")
    try:
        password.encode("utf-8")
    except UnicodeEncodeError:  # bytes that were not UTF-8, kept as lone surrogates
        raise TeamError(
            "the password is not valid UTF-8 text; type it again in a UTF-8 terminal."
        ) from None
    return password


@dataclass(frozen=True)
class Member:
    name: str
    password: str  # the scrypt hash, never the password
    added: str = ""
    extra: Mapping[str, Any] = field(default_factory=dict)  # keys people added: kept


@dataclass(frozen=True)
class Team:
    """The team file's contents; ``path`` is where it was read from (or will be written)."""

    path: Path
    overlap: int = 1
    members: Mapping[str, Member] = field(default_factory=dict)
    extra: Mapping[str, Any] = field(default_factory=dict)  # keys people added: kept

    @property
    def names(self) -> list[str]:
        return sorted(self.members)

    @property
    def root(self) -> Path:
        """The annotations folder the team shares; each member writes a folder in it."""
        return self.path.parent

    def folder(self, name: str) -> Path:
        return self.root / check_name(name)

    def with_member(self, name: str, password: str) -> Team:
        check_name(name)
        clash = next((m for m in self.members if m.casefold() == name.casefold()), None)
        if clash is not None:
            raise TeamError(
                f"{clash} is already in the team in {self.path}; "
                f"`newsmark team remove {clash}` first to give them a new password."
            )
        member = Member(name, hash_password(password), datetime.now(UTC).isoformat(" ", "seconds"))
        return replace(self, members={**self.members, name: member})

    def without(self, name: str) -> Team:
        if name not in self.members:
            raise TeamError(
                f"{name!r} is not in the team in {self.path}; `newsmark team list` shows who is."
            )
        return replace(self, members={k: v for k, v in self.members.items() if k != name})

    def with_overlap(self, overlap: int) -> Team:
        if overlap < 1:
            raise TeamError(f"overlap {overlap}: each article needs at least 1 annotator.")
        return replace(self, overlap=overlap)

    def assignments(self, ids: Sequence[str]) -> dict[str, list[str]]:
        """Each member's articles, in the order of ``ids`` (the queue order, where one exists)."""
        return assign(self.names, ids, self.overlap)

    def dumps(self) -> str:
        """The file, with every key people added by hand kept where it was."""
        members = {
            name: {
                **m.extra,
                "password": m.password,
                **({"added": m.added} if m.added else {}),
            }
            for name, m in sorted(self.members.items())
        }
        body = tomli_w.dumps({**self.extra, "overlap": self.overlap, "members": members})
        return (
            "# newsmark team: `newsmark team add|remove|list|overlap` change it; passwords are\n"
            "# stored only as salted scrypt hashes.\n" + body
        )

    def save(self) -> None:
        """Written atomically and readable by its owner only, from its first byte on: it
        holds the password hashes."""
        self.root.mkdir(parents=True, exist_ok=True)
        atomic_write(self.path, self.dumps().encode("utf-8"), mode=0o600)


def team_path(annotations: Path) -> Path:
    return annotations / TEAM_FILE


def load(annotations: Path, *, must_exist: bool = False) -> Team:
    """The team of an annotations folder; an empty team (overlap 1) when there is no file."""
    path = team_path(annotations)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        if must_exist:
            raise TeamError(
                f"{annotations} has no team yet; add people with "
                f"`newsmark team add NAME --annotations {annotations}`."
            ) from None
        return Team(path)
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        raise TeamError(f"{path} cannot be read ({reason}); check its permissions.") from None
    except tomllib.TOMLDecodeError as exc:
        raise TeamError(f"{path} is not valid TOML ({exc}); fix it or remove it.") from None
    overlap = data.get("overlap", 1)
    if not isinstance(overlap, int) or isinstance(overlap, bool) or overlap < 1:
        raise TeamError(f"{path}: overlap must be a whole number of 1 or more; fix the file.")
    table = data.get("members", {})
    if not isinstance(table, dict):
        raise TeamError(f"{path}: members must be a table of names; fix the file.")
    members: dict[str, Member] = {}
    for name, row in table.items():
        try:
            check_name(name)
        except TeamError as exc:
            raise TeamError(f"{path}: {exc}") from None
        password = row.get("password") if isinstance(row, dict) else None
        if not isinstance(password, str) or _parse_hash(password) is None:
            raise TeamError(
                f"{path}: {name} has no usable password hash; "
                f"`newsmark team remove {name}` and add them again."
            )
        added = row.get("added", "")
        extra = {k: v for k, v in row.items() if k not in ("password", "added")}
        members[name] = Member(name, password, added if isinstance(added, str) else "", extra)
    extra = {k: v for k, v in data.items() if k not in ("overlap", "members")}
    return Team(path, overlap, members, extra)


# -- routing ------------------------------------------------------------------------------


def score(member: str, article: str) -> int:
    """The rendezvous weight of a (member, article) pair: stable across runs and machines."""
    digest = hashlib.sha256(f"{member}\0{article}".encode("utf-8", "surrogateescape")).digest()
    return int.from_bytes(digest[:8], "big")


def owners(members: Iterable[str], article: str, overlap: int) -> list[str]:
    """The ``overlap`` members (all of them, if fewer) who annotate ``article``."""
    ranked = sorted(members, key=lambda m: (score(m, article), m), reverse=True)
    return sorted(ranked[:overlap])


def assign(members: Sequence[str], ids: Sequence[str], overlap: int) -> dict[str, list[str]]:
    """Every member's articles, each list in the order of ``ids``."""
    result: dict[str, list[str]] = {m: [] for m in members}
    for article in ids:
        for m in owners(members, article, overlap):
            result[m].append(article)
    return result


def member_view(annotations: Path, articles: Path, name: str) -> tuple[Path, list[str]]:
    """A member's folder and articles: what their reader opens.

    The articles come in the corpus's file order.
    Raises :class:`TeamError` (and :class:`~tui.core.article.CorpusError`).
    """
    from tui.core.article import Corpus

    team = load(annotations, must_exist=True)
    if name not in team.members:
        raise TeamError(
            f"{name!r} is not in the team in {team.path}; `newsmark team list` shows who is."
        )
    mine = team.assignments(Corpus.open(articles).ids)[name]
    if not mine:
        raise TeamError(
            f"No article is routed to {name} yet: {len(team.members)} people share "
            f"{articles} with overlap {team.overlap}; add articles, or raise the overlap "
            "with `newsmark team overlap N`."
        )
    return team.folder(name), mine

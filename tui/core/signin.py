"""Who is signed in to a team server, and who has been guessing passwords.

Sessions live in the server's memory only: a cookie carries a random token, the server keeps
the token's hash with the name and the moment it expires. A forged cookie names no session,
an expired one is dropped when seen, signing out forgets it, and restarting the server signs
everyone out. The clock is a parameter, so expiry and the failure window are tested without
waiting.
"""

from __future__ import annotations

import hashlib
import math
import secrets
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

Clock = Callable[[], float]

SESSION_SECONDS = 12 * 3600  # a working day; then sign in again
FAILURES_ALLOWED = 5  # wrong passwords for one name within the window before 429
FAILURE_WINDOW = 60.0
MAX_TRACKED = 10_000  # names whose failures are remembered; the oldest go first


def _key(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogateescape")).hexdigest()


def fingerprint(stored: str) -> str:
    """A short digest of a stored password hash: sessions keep it, never the hash itself."""
    return _key(stored)[:32]


@dataclass(frozen=True, slots=True)
class SignedIn:
    name: str
    expires: float
    proof: str = ""  # a fingerprint of the password signed in with: a new one ends the session


class Sessions:
    def __init__(self, lifetime: float = SESSION_SECONDS, clock: Clock = time.monotonic) -> None:
        self.lifetime = lifetime
        self.clock = clock
        self._live: dict[str, SignedIn] = {}

    def start(self, name: str, proof: str = "") -> str:
        """A new session for ``name``; the token goes in the cookie and nowhere else.
        ``proof`` (:func:`fingerprint` of the stored password) lets a password reset end it."""
        self._prune()
        token = secrets.token_urlsafe(32)
        self._live[_key(token)] = SignedIn(name, self.clock() + self.lifetime, proof)
        return token

    def session(self, token: str | None) -> SignedIn | None:
        """The live session of ``token``, or ``None`` (no such session, or it expired)."""
        if not token or len(token) > 256:
            return None
        key = _key(token)
        found = self._live.get(key)
        if found is None:
            return None
        if found.expires <= self.clock():
            del self._live[key]
            return None
        return found

    def who(self, token: str | None) -> str | None:
        """The name signed in with ``token``, or ``None``."""
        found = self.session(token)
        return found.name if found else None

    def end(self, token: str | None) -> None:
        if token:
            self._live.pop(_key(token), None)

    def end_all(self, name: str) -> None:
        self._live = {k: s for k, s in self._live.items() if s.name != name}

    def __len__(self) -> int:
        return len(self._live)

    def _prune(self) -> None:
        now = self.clock()
        self._live = {k: s for k, s in self._live.items() if s.expires > now}


class Throttle:
    """Failed sign-ins per name: more than ``allowed`` within ``window`` seconds blocks it."""

    def __init__(
        self,
        allowed: int = FAILURES_ALLOWED,
        window: float = FAILURE_WINDOW,
        clock: Clock = time.monotonic,
    ) -> None:
        self.allowed = allowed
        self.window = window
        self.clock = clock
        self._failures: dict[str, deque[float]] = {}

    def _recent(self, name: str) -> deque[float]:
        times = self._failures.get(name)
        if times is None:
            return deque()
        cutoff = self.clock() - self.window
        while times and times[0] <= cutoff:
            times.popleft()
        if not times:
            del self._failures[name]
        return times

    def blocked(self, name: str) -> bool:
        return len(self._recent(name)) > self.allowed

    def attempt(self, name: str) -> bool:
        """Whether a sign-in may check its password. It counts as failed from now on, so
        guesses sent all at once cannot each pass before any has failed; :meth:`succeeded`
        takes it back."""
        if self.blocked(name):
            return False
        self.fail(name)
        return True

    def succeeded(self, name: str) -> None:
        """An attempt had the right password: it is not a failure."""
        times = self._failures.get(name)
        if times:
            times.pop()

    def fail(self, name: str) -> bool:
        """Record a failure; whether the name is now blocked."""
        times = self._recent(name)
        if name not in self._failures:
            if len(self._failures) >= MAX_TRACKED:
                self._failures.pop(next(iter(self._failures)))
            self._failures[name] = times
        times.append(self.clock())
        return len(times) > self.allowed

    def retry_after(self, name: str) -> int:
        """Seconds until the name may try again."""
        times = self._recent(name)
        if len(times) <= self.allowed:
            return 0
        return max(1, math.ceil(times[-self.allowed - 1] + self.window - self.clock()))

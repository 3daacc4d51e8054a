"""Password guessing is slowed per account and per address: the first few tries are free, then each
answer waits longer (a growing delay), and past a limit the sign-in is refused (429, Retry-After)
for a short lock. A browser that signed in as a person before (its "known" cookie, signed by the
server) is counted on its own, so a stranger guessing that person's password does not lock them
out of their own browser.

Counts live in memory: a restart forgets them (it costs the guesser a restart of the server,
which only its owner can do).
"""

from __future__ import annotations

import math
import threading
import time
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Limits:
    """`rsconnect local-server`'s --signin-* options."""

    free_tries: int = 3  # failed tries in the window answered at once
    max_tries: int = 10  # failed tries in the window before the lock
    window: float = 900.0  # seconds a failed try is remembered
    lock: float = 60.0  # seconds a key stays refused (429) once it reached max_tries
    first_delay: float = 0.5  # the delay after the free tries; it doubles with each failure
    max_delay: float = 8.0


@dataclass
class _Record:
    tries: list[float] = field(default_factory=list)
    locked_until: float = 0.0


class Throttle:
    def __init__(self, limits: Limits) -> None:
        self.limits = limits
        self._records: dict[str, _Record] = {}
        self._lock = threading.Lock()

    def _record(self, key: str, now: float) -> _Record:
        record = self._records.setdefault(key, _Record())
        record.tries = [t for t in record.tries if now - t < self.limits.window]
        return record

    def retry_after(self, keys: list[str]) -> int | None:
        """Seconds until these keys may try again, or None when they may try now."""
        now = time.monotonic()
        with self._lock:
            waits = [self._record(k, now).locked_until - now for k in keys]
        longest = max(waits, default=0.0)
        return math.ceil(longest) if longest > 0 else None

    def begin(self, keys: list[str]) -> float:
        """Count a try (as failed until `succeeded` says otherwise, so tries sent at once count too)
        and return the seconds to wait before checking its password."""
        now = time.monotonic()
        limits = self.limits
        delay = 0.0
        with self._lock:
            for key in keys:
                record = self._record(key, now)
                record.tries.append(now)
                count = len(record.tries)
                if count >= limits.max_tries:
                    record.locked_until = now + limits.lock
                if count > limits.free_tries:
                    delay = max(delay, min(limits.max_delay, limits.first_delay * 2 ** (count - limits.free_tries - 1)))
            self._forget_old(now)
        return delay

    def succeeded(self, keys: list[str]) -> None:
        """The password was right: these keys start again from nothing."""
        with self._lock:
            for key in keys:
                self._records.pop(key, None)

    def forgive(self, keys: list[str]) -> None:
        """The try just begun did not count after all (an OAuth request that was not a guess):
        forget it, and the lock it may have set, without forgetting the tries before it."""
        now = time.monotonic()
        with self._lock:
            for key in keys:
                record = self._record(key, now)
                if record.tries:
                    record.tries.pop()
                if len(record.tries) < self.limits.max_tries:
                    record.locked_until = 0.0

    def _forget_old(self, now: float) -> None:
        if len(self._records) < 10000:
            return
        for key in [k for k, r in self._records.items() if not r.tries and r.locked_until <= now]:
            del self._records[key]


# The OAuth endpoints a stranger can call without signing in, limited per address the same way:
# client registration (each one a row in the database) and failed token requests (a code, refresh
# token or device code guessed, or a client id made up). A right answer resets nothing there.
REGISTER_LIMITS = Limits(free_tries=100, max_tries=100, window=3600.0, lock=60.0, first_delay=0.0, max_delay=0.0)
TOKEN_FAILURE_LIMITS = Limits(free_tries=10, max_tries=30, window=600.0, lock=60.0, first_delay=0.25, max_delay=4.0)


def keys_for(username: str, address: str, known_browser: bool) -> list[str]:
    """What a try counts against: a browser that signed in as this person before only against
    itself being that person's; anyone else against the account and the address."""
    name = username.strip().lower()
    if known_browser:
        return ["known:" + name]
    return ["account:" + name, "address:" + address]

"""How long the client waits for Connect, and how it retries reads (the environment can tune both)."""

from __future__ import annotations

import email.utils
import os
import time
from collections.abc import Mapping
from typing import Callable, TypeVar

import requests

from ..exceptions import InvalidInput

# Seconds without a byte from the server; long polls add their wait; env CONNECT_REQUEST_TIMEOUT.
DEFAULT_TIMEOUT: float = 60
RETRIED_METHODS = ("GET", "HEAD")  # idempotent: asking twice changes nothing on the server
RETRIED_STATUSES = (429, 502, 503, 504)  # too many requests, or a proxy saying the server is not there now
MAX_RETRY_AFTER = 30.0  # seconds: a Retry-After asking more is cut to this (a publish must not hang for hours)
DEFAULT_RETRIES = 4  # after the first attempt: 5 in all; CONNECT_RETRIES overrides
DEFAULT_BACKOFF = 0.5  # seconds before the first retry, doubled each time; CONNECT_RETRY_BACKOFF overrides
MAX_BACKOFF = 4.0  # seconds: no single wait is longer

_Number = TypeVar("_Number", int, float)


def retry_after(response: requests.Response, now: float | None = None) -> float | None:
    """Seconds the answer's Retry-After asks to wait (a number, or an HTTP date), None if it asks nothing."""
    value = (response.headers.get("Retry-After") or "").strip()
    if not value:
        return None
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None  # unreadable: the schedule's own wait applies
    if when is None or when.tzinfo is None:
        return None
    return max(0.0, when.timestamp() - (time.time() if now is None else now))


def retry_wait(scheduled: float, asked: float | None) -> float:
    """The wait before a retry: the schedule's, or longer when the server asked (capped)."""
    if asked is None:
        return scheduled
    return max(scheduled, min(asked, MAX_RETRY_AFTER))


def retry_schedule(environ: Mapping[str, str] | None = None) -> list[float]:
    """The waits (seconds) before each retry of a read: 0.5, 1, 2, 4 unless the environment says otherwise.

    CONNECT_RETRIES is the number of retries (0 turns them off); CONNECT_RETRY_BACKOFF the first
    wait, doubled each time up to MAX_BACKOFF (tests set it to 0.05).
    """
    environ = os.environ if environ is None else environ
    retries = _env_number(environ, "CONNECT_RETRIES", DEFAULT_RETRIES, int, "a whole number of retries")
    backoff = _env_number(environ, "CONNECT_RETRY_BACKOFF", DEFAULT_BACKOFF, float, "a number of seconds")
    return [min(MAX_BACKOFF, backoff * 2**i) for i in range(retries)]


def request_timeout(environ: Mapping[str, str] | None = None) -> float:
    """Seconds to wait for a byte from the server: CONNECT_REQUEST_TIMEOUT, else DEFAULT_TIMEOUT."""
    environ = os.environ if environ is None else environ
    timeout = _env_number(environ, "CONNECT_REQUEST_TIMEOUT", DEFAULT_TIMEOUT, float, "a number of seconds")
    if not timeout:
        raise InvalidInput(
            "CONNECT_REQUEST_TIMEOUT must be a positive number of seconds, not %r."
            % environ.get("CONNECT_REQUEST_TIMEOUT")
        )
    return timeout


def _env_number(
    environ: Mapping[str, str], name: str, default: _Number, kind: Callable[[str], _Number], what: str
) -> _Number:
    value = environ.get(name)
    if value is None or not value.strip():
        return default
    try:
        number = kind(value)
        if number < 0:
            raise ValueError
        return number
    except ValueError:
        raise InvalidInput("%s must be %s (0 or more), not %r." % (name, what, value)) from None


_TIMES = {1: "once", 2: "twice", 3: "three times", 4: "four times", 5: "five times", 6: "six times"}


def _times(n: int) -> str:
    return _TIMES.get(n, "%d times" % n)

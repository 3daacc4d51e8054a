"""Numbers the local server reads from its environment (RSCONNECT_LOCAL_RENDER_*, RSCONNECT_APP_LOG_*).

A value that is not a number is ignored with a warning in the server's log: a typo in a tuning
variable must not stop the server, nor pass silently.
"""

from __future__ import annotations

import logging
import os
from typing import Callable, TypeVar

log = logging.getLogger("localconnect")

Number = TypeVar("Number", int, float)


def env_number(name: str, default: Number, kind: Callable[[str], Number] = int, minimum: Number = 0) -> Number:
    """`kind(os.environ[name])`, at least `minimum`; `default` when unset, empty or not a number."""
    value = os.environ.get(name)
    if not value:
        return default
    try:
        return max(kind(value), minimum)
    except ValueError:
        log.warning("ignoring %s=%r: not a number", name, value)
        return default

"""How and when an app process ended: LOG.exit beside its log, written when the server stops it
(apps.py), read for its job (jobs.py): the exit code and the UTC time, one line."""

from __future__ import annotations

import time


def write_exit(log_path: str, code: int | None) -> None:
    """Record how and when an app process ended (LOG.exit: the exit code and the UTC time), for its job."""
    try:
        with open(log_path + ".exit", "w") as f:
            f.write("%s %s\n" % ("" if code is None else code, time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())))
    except OSError:  # the content's folder is gone (deleted): nothing to record
        pass


def read_exit(log_path: str) -> tuple[int | None, str | None]:
    """(exit code, end time) of an app process the server stopped; (None, None) when not recorded."""
    try:
        with open(log_path + ".exit") as f:
            code, end = f.read().split()
        return int(code), end
    except (OSError, ValueError):
        return None, None

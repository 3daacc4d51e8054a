"""Numbers the local server reads from its environment (RSCONNECT_LOCAL_RENDER_*, RSCONNECT_APP_LOG_*).

A value that is not a number is ignored with a warning in the server's log: a typo in a tuning
variable must not stop the server, nor pass silently.
"""
import logging
import os

log = logging.getLogger("localconnect")


def env_number(name, default, kind=int, minimum=0):
    """`kind(os.environ[name])`, at least `minimum`; `default` when unset, empty or not a number."""
    value = os.environ.get(name)
    if not value:
        return default
    try:
        return max(kind(value), minimum)
    except ValueError:
        log.warning("ignoring %s=%r: not a number", name, value)
        return default

"""Save the local server in the client's saved servers (rsconnect-python's servers.json).

Uses the project's `ServerStore`; the fallback writes the same layout (a JSON object keyed by
nickname, mode 0600) for when that module is unavailable.
"""

from __future__ import annotations

import json
import os
from typing import Any


def add_if_missing(name: str, url: str, api_key: str) -> bool:
    """Save (name, url, key) unless a server with that nickname exists. Returns whether it saved."""
    try:
        from ..store import Server, ServerStore
    except ImportError:
        return _fallback_add(name, url, api_key)
    store = ServerStore()
    if name in {s.name for s in store.list()}:
        return False
    store.add(Server(name, url, api_key))
    return True


def _fallback_add(name: str, url: str, api_key: str) -> bool:
    base = os.environ.get("XDG_CONFIG_HOME")
    folder = (
        os.path.join(base, "rsconnect-python") if base else os.path.join(os.path.expanduser("~"), ".rsconnect-python")
    )
    path = os.path.join(folder, "servers.json")
    os.makedirs(folder, exist_ok=True)
    data: dict[str, Any] = {}
    if os.path.exists(path):
        with open(path) as f:
            data = json.load(f)
    if name in data:
        return False
    data[name] = {"name": name, "url": url, "api_key": api_key, "insecure": False, "ca_cert": None}
    tmp = path + ".tmp"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        json.dump(data, f, indent=4)
    os.replace(tmp, path)
    return True

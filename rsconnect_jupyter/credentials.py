"""Where a saved server's secrets live: the OS keyring when the `keyring` library has a usable
backend (macOS Keychain, Windows Credential Manager, the Secret Service of GNOME/KDE), else
`servers.json` at mode 0600, as before (headless Linux and JupyterHub without D-Bus).

Entries are named as rsconnect-python 1.32 names its OAuth tokens: service "rsconnect-python",
user "<server URL>:<field>" with the URL as saved, so a `rsconnect login` of either tool is found
by the other. API keys go there too ("<URL>:api_key"), which rsconnect-python does not read
(its issue #799). store.py is the only caller; secrets are never logged.
"""

from __future__ import annotations

import functools
import os
import sys
from typing import Any

SERVICE = "rsconnect-python"
FIELDS = ("api_key", "access_token", "refresh_token")
# Set to "0" to keep secrets in servers.json even where a keyring works.
USE_KEYRING_ENV = "RSCONNECT_KEYRING"


@functools.lru_cache(maxsize=1)
def _backend() -> Any | None:
    """The keyring module when it has a usable backend, else None (asked once per process)."""
    if os.environ.get(USE_KEYRING_ENV, "1") == "0" or not _may_have_session_bus():
        return None
    try:
        import keyring
        import keyring.backends.fail
        import keyring.errors
    except ImportError:
        return None
    try:
        backend = keyring.get_keyring()
        if isinstance(backend, keyring.backends.fail.Keyring) or type(backend).__module__ == "keyring.backends.null":
            return None
        # The backend may be chosen yet unreachable (a Secret Service with no D-Bus session):
        # a read tells, without writing anything.
        keyring.get_password(SERVICE, "rsconnect-jupyter:probe")
    except Exception:
        return None
    return keyring


def _may_have_session_bus() -> bool:
    """On Linux the OS keyrings (Secret Service, KWallet) answer on the D-Bus session bus: with no
    bus there is none, said without importing keyring (half a second on a busy machine)."""
    if not sys.platform.startswith("linux") or os.environ.get("DBUS_SESSION_BUS_ADDRESS"):
        return True
    runtime = os.environ.get("XDG_RUNTIME_DIR")
    return bool(runtime) and os.path.exists(os.path.join(str(runtime), "bus"))


def available() -> bool:
    return _backend() is not None


def where() -> str:
    """In the user's words: where secrets go on this machine."""
    return "the system keyring" if available() else "servers.json (mode 0600)"


def get(url: str, field: str) -> str | None:
    backend = _backend()
    if backend is None:
        return None
    try:
        value = backend.get_password(SERVICE, "%s:%s" % (url, field))
    except Exception:
        return None
    return str(value) if value else None


def put(url: str, values: dict[str, str | None]) -> bool:
    """Store the values (an empty one is deleted); False when there is no usable keyring or it
    failed, and then nothing of `values` is left in it (the caller writes them to the file)."""
    backend = _backend()
    if backend is None:
        return False
    try:
        for field, value in values.items():
            if value:
                backend.set_password(SERVICE, "%s:%s" % (url, field), value)
            else:
                _delete(backend, url, field)
        return True
    except Exception:
        delete(url, list(values))
        return False


def delete(url: str, fields: list[str] | tuple[str, ...] = FIELDS) -> None:
    backend = _backend()
    if backend is None:
        return
    for field in fields:
        try:
            _delete(backend, url, field)
        except Exception:
            pass  # nothing stored, or a keyring that failed: the file is the fallback either way


def _delete(backend: Any, url: str, field: str) -> None:
    try:
        backend.delete_password(SERVICE, "%s:%s" % (url, field))
    except backend.errors.PasswordDeleteError:
        pass

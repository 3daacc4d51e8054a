"""Saving a server: the one set of rules `rsconnect add` and the dialogs' "Add server" both follow.

- The URL starts with http:// or https://.
- A CA certificate may be given as a file path or as its PEM text; either way the text is saved,
  as rsconnect-python 1.32 saves it (`ca_cert` in servers.json holds the certificate's data).
- The key is checked against the server before anything is saved, and it must be able to
  publish (a publisher or an administrator): a viewer's key is refused, since every use of a
  saved server is a publish.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import TYPE_CHECKING

from . import rules
from .exceptions import Fix, Hint, InvalidInput
from .store import Server, ServerStore

if TYPE_CHECKING:
    from .connect import User

PEM_MARK = "-----BEGIN"


def check_url(url: str) -> str:
    """The server URL, refused unless it is http:// or https://."""
    url = (url or "").strip()
    if not rules.is_server_url(url):  # served to the dialogs too (rules.dialog_rules)
        raise InvalidInput("The server URL %r must start with http:// or https://." % url)
    return url


def ca_cert_text(given: str | None) -> str | None:
    """The CA certificate's PEM text, from a path or the text itself; None when none is given."""
    if not given or not given.strip():
        return None
    if PEM_MARK in given:
        return given.strip() + "\n"
    path = os.path.expanduser(given.strip())
    if not os.path.isfile(path):
        raise InvalidInput(
            "The CA certificate file %s does not exist; check the path" % path, hint=Hint(Fix.GIVE_CA_CERT)
        )
    try:
        with open(path, encoding="utf-8") as f:
            text = f.read()
    except (OSError, UnicodeDecodeError) as e:
        raise InvalidInput(
            "Could not read the CA certificate file %s (%s)" % (path, e), hint=Hint(Fix.GIVE_CA_CERT)
        ) from None
    if PEM_MARK not in text:
        raise InvalidInput(
            "%s is not a PEM certificate (it has no BEGIN CERTIFICATE line)" % path,
            hint=Hint(Fix.GIVE_CA_CERT),
        )
    return text


@dataclass(frozen=True)
class Added:
    """What `add_server` saved: the server, the user behind its key, and whether it replaced one."""

    server: Server
    user: User
    replaced: bool


def add_server(
    name: str | None,
    url: str,
    api_key: str,
    insecure: bool = False,
    ca_cert: str | None = None,
    default: bool | None = None,
) -> Added:
    """Check the URL, the CA and the key (a publisher's or an administrator's), then save.

    Nothing is saved when a check fails. `default`: True marks it the default, None makes it the
    default only when it is the first saved server.
    """
    from .target import verify_server

    url = check_url(url)
    if not (api_key or "").strip():
        raise InvalidInput("Give the API key of your account on %s: Connect makes one under your name, API Keys." % url)
    server = Server(
        name=(name or "").strip() or url,
        url=url,
        api_key=api_key.strip(),
        insecure=bool(insecure),
        ca_cert=ca_cert_text(ca_cert),
    )
    user = verify_server(server)  # not Connect, a bad key, a viewer, locked: refused before saving
    store = ServerStore()
    saved = store.list()
    replaced = server.name in {s.name for s in saved}
    store.add(server, default=default if default is not None else (True if not saved else None))
    return Added(server=server, user=user, replaced=replaced)

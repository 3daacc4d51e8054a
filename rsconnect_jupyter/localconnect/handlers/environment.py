"""A content item's environment variables: names are shown, values never leave the server.

A change restarts the content's running app, as Connect does: the process stops, and the next
request starts it again with the new values (posit-sdk's `restart()` relies on this).
"""

from __future__ import annotations

import asyncio
import re
from typing import Any

from .. import errors
from .base import BaseHandler

ENV_NAME_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*\Z")


def check_changes(body: Any) -> dict[str, str | None]:
    """[{"name": ..., "value": ...}, ...] as {name: value}; a null value deletes the name."""
    if not isinstance(body, list) or not all(isinstance(e, dict) for e in body):
        raise errors.bad_json('Send a list of {"name": ..., "value": ...}.')
    changes: dict[str, str | None] = {}
    for entry in body:
        name, value = entry.get("name"), entry.get("value")
        if not isinstance(name, str) or not ENV_NAME_RE.match(name):
            raise errors.invalid_value("Invalid environment variable name %r." % name)
        if value is not None and not isinstance(value, str):
            raise errors.invalid_value("The value of %s must be a string or null." % name)
        if value is not None and "\x00" in value:  # no process can receive it
            raise errors.invalid_value("The value of %s contains a NUL character; remove it." % name)
        changes[name] = value
    return changes


class EnvironmentHandler(BaseHandler):
    def get(self, guid: str) -> None:
        user = self.user()
        self.content_for(user, guid, change=True)
        self.send_json(self.db.env_names(guid))

    async def patch(self, guid: str) -> None:
        user = self.user()
        self.content_for(user, guid, change=True)
        self.db.env_update(guid, check_changes(self.json_body()))
        await self.restart_app(guid)
        self.send_json(self.db.env_names(guid))

    async def put(self, guid: str) -> None:
        user = self.user()
        self.content_for(user, guid, change=True)
        self.db.env_update(guid, check_changes(self.json_body()), replace=True)
        await self.restart_app(guid)
        self.send_json(self.db.env_names(guid))

    async def restart_app(self, guid: str) -> None:
        """Stop the running app (blocks up to ~10 s: off the IOLoop); the next request starts it."""
        apps = self.state.runner.apps
        if apps.get(guid) is not None:
            await asyncio.get_running_loop().run_in_executor(None, apps.stop, guid)

"""Which requests to published content count as visits, and recording them (db_visits.py).

A visit is recorded after the access check passed (handlers/proxy.py), never for the API: a page
a person opens (a browser's document or frame) or a program's request (no Sec-Fetch-Dest: an API
call, a script fetching the content), not the scripts, styles and images a page loads, nor the
WebSocket an app keeps open.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from . import models

if TYPE_CHECKING:
    from collections.abc import Mapping

    from .db import Database
    from .rows import ContentRow, UserRow

PAGE_DESTINATIONS = ("document", "iframe", "frame")


def counts(headers: Mapping[str, str]) -> bool:
    if headers.get("Upgrade", "").lower() == "websocket":
        return False
    destination = headers.get("Sec-Fetch-Dest")
    return destination is None or destination in PAGE_DESTINATIONS


def record(
    db: Database, content: ContentRow, user: UserRow | None, path: str, query: str, headers: Mapping[str, str]
) -> None:
    """Keep a visit to `content` (at `path` under its URL) by `user` (None: nobody signed in)."""
    if not counts(headers):
        return
    variant_key = rendering_id = None
    if content["app_mode"] == "jupyter-static":  # a notebook: its variant, and the run it shows
        variant_key = models.variant_key(content["guid"])
        good = db.last_good_rendering(content["guid"])
        rendering_id = str(good["id"]) if good else None
    db.add_visit(
        content["guid"],
        user["guid"] if user else None,
        content["bundle_id"],
        variant_key,
        rendering_id,
        "/" + path.lstrip("/"),
        query or None,
        headers.get("User-Agent"),
    )

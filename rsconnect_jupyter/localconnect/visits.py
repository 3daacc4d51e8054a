"""Which requests to published content count as visits, and recording them (db_visits.py) in batches.

A visit is recorded after the access check passed (handlers/proxy.py), never for the API: a page
a person opens (a browser's document or frame) or a program's request (no Sec-Fetch-Dest: an API
call, a script fetching the content), not the scripts, styles and images a page loads, nor the
WebSocket an app keeps open.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import TYPE_CHECKING

from . import models
from .db_schedules import precise_now

if TYPE_CHECKING:
    from collections.abc import Mapping

    from .db import Database
    from .db_visits import Visit
    from .rows import ContentRow, UserRow

log = logging.getLogger("localconnect.visits")

PAGE_DESTINATIONS = ("document", "iframe", "frame")


def counts(headers: Mapping[str, str]) -> bool:
    if headers.get("Upgrade", "").lower() == "websocket":
        return False
    destination = headers.get("Sec-Fetch-Dest")
    return destination is None or destination in PAGE_DESTINATIONS


class Visits:
    """Visits kept in memory and written in batches by a thread of their own, so that a request to
    content never waits for the database's disk sync (a few milliseconds per write). The usage
    API flushes first, so it always sees every visit made before it was called."""

    def __init__(self, db: Database, interval: float = 0.5) -> None:
        self.db = db
        self.interval = interval
        self._pending: list[Visit] = []
        self._lock = threading.Lock()  # guards _pending
        self._writing = threading.Lock()  # one batch written at a time, in order
        threading.Thread(target=self._run, daemon=True, name="visits").start()

    def record(
        self, content: ContentRow, user: UserRow | None, path: str, query: str, headers: Mapping[str, str]
    ) -> None:
        """Keep a visit to `content` (at `path` under its URL) by `user` (None: nobody signed in)."""
        if not counts(headers):
            return
        variant_key = rendering_id = None
        if content["app_mode"] == "jupyter-static":  # a notebook: its variant, and the run it shows
            variant_key = models.variant_key(content["guid"])
            good = self.db.last_good_rendering(content["guid"])
            rendering_id = str(good["id"]) if good else None
        visit: Visit = (
            content["guid"],
            user["guid"] if user else None,
            content["bundle_id"],
            variant_key,
            rendering_id,
            "/" + path.lstrip("/"),
            query or None,
            headers.get("User-Agent"),
            precise_now(),
        )
        with self._lock:
            self._pending.append(visit)

    def flush(self) -> None:
        """Write the visits kept so far."""
        with self._writing:
            with self._lock:
                batch, self._pending = self._pending, []
            if batch:
                self.db.add_visits(batch)

    def _run(self) -> None:
        while True:
            time.sleep(self.interval)
            try:
                self.flush()
            except Exception:  # a full disk, say: the visits of this batch are lost, the server goes on
                log.exception("could not record %s", "visits")

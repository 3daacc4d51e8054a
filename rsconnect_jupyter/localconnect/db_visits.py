"""The database's visits: each request for a content page that passed its access check (who, which
content and bundle, the path, when), and each session of a Shiny app (its WebSocket, open to
closed), kept for Connect's usage metrics (`v1/instrumentation/content/visits`, `content/hits` and
`shiny/usage`: handlers/instrumentation.py).

Its table is created here (`create_visit_tables`, run when the database opens), beside db_schema.py's.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from typing import Any, Optional, cast

from .db_schedules import precise_now
from .db_schema import Connection, SqlValue
from .rows import ShinySessionRow, VisitRow

# A visit as recorded: content_guid, user_guid, bundle_id, variant_key, rendering_id, path, query,
# user_agent, time.
Visit = tuple[str, Optional[str], Optional[str], Optional[str], Optional[str], str, Optional[str], Optional[str], str]

# Connect's data version of the visits it records now (older, miscounted ones have lower versions:
# its API leaves out those below 3 unless asked).
VISIT_DATA_VERSION = 3

VISIT_SCHEMA = """
CREATE TABLE IF NOT EXISTS visits (
    id INTEGER PRIMARY KEY AUTOINCREMENT,  -- the paging cursor, and a hit's id
    content_guid TEXT NOT NULL,
    user_guid TEXT,                      -- NULL: nobody signed in (content open to all)
    bundle_id TEXT,                      -- the live bundle when visited
    variant_key TEXT,                    -- a notebook's variant; NULL for other content
    rendering_id TEXT,                   -- the notebook's run that was shown, when one was
    path TEXT NOT NULL,                  -- the path under the content's URL ("/" for its page)
    query TEXT,
    user_agent TEXT,
    time TEXT NOT NULL,                  -- UTC, RFC 3339 with microseconds
    data_version INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS visits_time ON visits (time);
CREATE TABLE IF NOT EXISTS shiny_sessions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,  -- the paging cursor
    content_guid TEXT NOT NULL,
    user_guid TEXT,
    started TEXT NOT NULL,               -- the app's WebSocket opened (UTC, RFC 3339, microseconds)
    ended TEXT,                          -- it closed; NULL while open (or when the server stopped)
    data_version INTEGER NOT NULL
);
"""
# Connect's data version of the Shiny sessions it records.
SHINY_DATA_VERSION = 1


def create_visit_tables(conn: sqlite3.Connection) -> None:
    conn.executescript(VISIT_SCHEMA)


class VisitQueries(Connection):
    def add_visits(self, visits: Sequence[Visit]) -> None:
        """Write visits in one transaction (one disk sync for all)."""
        self.transaction(
            (
                "INSERT INTO visits (content_guid, user_guid, bundle_id, variant_key, rendering_id, path, query,"
                " user_agent, time, data_version) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (*visit, VISIT_DATA_VERSION),
            )
            for visit in visits
        )

    def start_shiny_session(self, content_guid: str, user_guid: str | None) -> int:
        return cast(
            int,
            self.execute(
                "INSERT INTO shiny_sessions (content_guid, user_guid, started, data_version) VALUES (?, ?, ?, ?)",
                (content_guid, user_guid, precise_now(), SHINY_DATA_VERSION),
            ),
        )

    def end_shiny_session(self, session_id: int) -> None:
        self.execute("UPDATE shiny_sessions SET ended = ? WHERE id = ? AND ended IS NULL", (precise_now(), session_id))

    def visits(
        self,
        content_guids: Sequence[str] | None,
        start: str | None = None,
        end: str | None = None,
        min_data_version: int = 0,
        after: int | None = None,
        before: int | None = None,
        limit: int | None = None,
        ascending: bool = True,
    ) -> list[VisitRow]:
        """Visits in order of id, within [start, end] (UTC texts as stored), to the given content
        (None: any), from after `after` / before `before` (ids), at most `limit`."""
        return cast(
            "list[VisitRow]",
            self._usage("visits", "time", content_guids, start, end, min_data_version, after, before, limit, ascending),
        )

    def shiny_sessions(
        self,
        content_guids: Sequence[str] | None,
        start: str | None = None,
        end: str | None = None,
        min_data_version: int = 0,
        after: int | None = None,
        before: int | None = None,
        limit: int | None = None,
        ascending: bool = True,
    ) -> list[ShinySessionRow]:
        """Shiny sessions as `visits` has visits, in the window by the time they started."""
        return cast(
            "list[ShinySessionRow]",
            self._usage(
                "shiny_sessions",
                "started",
                content_guids,
                start,
                end,
                min_data_version,
                after,
                before,
                limit,
                ascending,
            ),
        )

    def _usage(
        self,
        table: str,
        time_column: str,
        content_guids: Sequence[str] | None,
        start: str | None,
        end: str | None,
        min_data_version: int,
        after: int | None,
        before: int | None,
        limit: int | None,
        ascending: bool,
    ) -> list[dict[str, Any]]:
        sql = "SELECT * FROM %s WHERE data_version >= ?" % table
        params: list[SqlValue] = [min_data_version]
        if content_guids is not None:
            sql += " AND content_guid IN (%s)" % ",".join("?" * len(content_guids))
            params.extend(content_guids)
        window = ((time_column + " >= ?", start), (time_column + " <= ?", end))
        for clause, value in (*window, ("id > ?", after), ("id < ?", before)):
            if value is not None:
                sql += " AND " + clause
                params.append(value)
        sql += " ORDER BY id " + ("ASC" if ascending else "DESC")
        if limit is not None:
            sql += " LIMIT ?"
            params.append(limit)
        return self.query(sql, params)

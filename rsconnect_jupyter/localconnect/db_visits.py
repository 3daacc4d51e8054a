"""The database's visits: each request for a content page that passed its access check (who, which
content and bundle, the path, when), kept for Connect's usage metrics
(`v1/instrumentation/content/visits` and `content/hits`: handlers/instrumentation.py).

Its table is created here (`create_visit_tables`, run when the database opens), beside db_schema.py's.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from typing import cast

from .db_schedules import precise_now
from .db_schema import Connection, SqlValue
from .rows import VisitRow

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
"""


def create_visit_tables(conn: sqlite3.Connection) -> None:
    conn.executescript(VISIT_SCHEMA)


class VisitQueries(Connection):
    def add_visit(
        self,
        content_guid: str,
        user_guid: str | None,
        bundle_id: str | None,
        variant_key: str | None,
        rendering_id: str | None,
        path: str,
        query: str | None,
        user_agent: str | None,
    ) -> None:
        self.execute(
            "INSERT INTO visits (content_guid, user_guid, bundle_id, variant_key, rendering_id, path, query,"
            " user_agent, time, data_version) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                content_guid,
                user_guid,
                bundle_id,
                variant_key,
                rendering_id,
                path,
                query,
                user_agent,
                precise_now(),
                VISIT_DATA_VERSION,
            ),
        )

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
        sql = "SELECT * FROM visits WHERE data_version >= ?"
        params: list[SqlValue] = [min_data_version]
        if content_guids is not None:
            sql += " AND content_guid IN (%s)" % ",".join("?" * len(content_guids))
            params.extend(content_guids)
        for clause, value in (("time >= ?", start), ("time <= ?", end), ("id > ?", after), ("id < ?", before)):
            if value is not None:
                sql += " AND " + clause
                params.append(value)
        sql += " ORDER BY id " + ("ASC" if ascending else "DESC")
        if limit is not None:
            sql += " LIMIT ?"
            params.append(limit)
        return cast("list[VisitRow]", self.query(sql, params))

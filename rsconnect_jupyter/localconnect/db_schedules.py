"""The database's schedules, renderings (each run of a notebook, kept) and who a report is mailed to.

Its tables are created here (`create_schedule_tables`, run when the database opens), beside
db_schema.py's, and the tasks table gains `end_time` (a deploy's or render's end) in older files.

A content item has one variant, as on Connect for a notebook: its id is the content's id. The
variant's mail settings (`email_collaborators`, `email_viewers`, `email_all`) are kept per content.
"""

from __future__ import annotations

import sqlite3
from datetime import datetime, timezone
from typing import TypedDict, cast

from .db_schema import Connection, SqlValue, now


def precise_now() -> str:
    """A run's start and end: RFC 3339 with microseconds, as Connect's render_time (runs take seconds)."""
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


SCHEDULE_SCHEMA = """
CREATE TABLE IF NOT EXISTS schedules (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    content_guid TEXT UNIQUE NOT NULL,   -- one schedule per variant, one variant per content item
    type TEXT NOT NULL,                  -- Connect's: minute, hour, day, weekday, ...
    schedule TEXT NOT NULL,              -- the rule as Connect sends it: a JSON string
    start_time TEXT NOT NULL,            -- UTC, RFC 3339
    timezone TEXT NOT NULL,
    activate INTEGER NOT NULL DEFAULT 1,  -- a successful run becomes the live output
    email INTEGER NOT NULL DEFAULT 0,    -- mail the result after a run
    next_run TEXT NOT NULL,              -- UTC, RFC 3339
    created_time TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS renderings (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    content_guid TEXT NOT NULL,
    bundle_id TEXT NOT NULL,
    task_id TEXT NOT NULL,
    trigger TEXT NOT NULL,               -- "schedule" or "request" (render now)
    started_time TEXT NOT NULL,
    end_time TEXT,
    status TEXT NOT NULL,                -- "running", "success" or "failed"
    exit_code INTEGER,
    error TEXT NOT NULL DEFAULT '',
    output TEXT                          -- the run's HTML, relative to the content's folder
);
CREATE TABLE IF NOT EXISTS variant_mail (
    content_guid TEXT PRIMARY KEY,
    email_collaborators INTEGER NOT NULL DEFAULT 0,
    email_viewers INTEGER NOT NULL DEFAULT 0,
    email_all INTEGER NOT NULL DEFAULT 0
);
"""


class ScheduleRow(TypedDict):
    id: int
    content_guid: str
    type: str
    schedule: str
    start_time: str
    timezone: str
    activate: int
    email: int
    next_run: str
    created_time: str


class RenderingRow(TypedDict):
    id: int
    content_guid: str
    bundle_id: str
    task_id: str
    trigger: str
    started_time: str
    end_time: str | None
    status: str
    exit_code: int | None
    error: str
    output: str | None


class MailRow(TypedDict):
    email_collaborators: int
    email_viewers: int
    email_all: int


def create_schedule_tables(conn: sqlite3.Connection) -> None:
    conn.executescript(SCHEDULE_SCHEMA)
    columns = {row[1] for row in conn.execute("PRAGMA table_info(tasks)").fetchall()}
    if "end_time" not in columns:  # a data folder from before jobs recorded their end
        conn.execute("ALTER TABLE tasks ADD COLUMN end_time TEXT")


class ScheduleQueries(Connection):
    """Schedules, renderings and the variant's mail settings."""

    # -- schedules ----------------------------------------------------------------------------
    def schedule(self, schedule_id: int | str) -> ScheduleRow | None:
        return cast("ScheduleRow | None", self.one("SELECT * FROM schedules WHERE id = ?", (schedule_id,)))

    def schedule_of(self, content_guid: str) -> ScheduleRow | None:
        return cast("ScheduleRow | None", self.one("SELECT * FROM schedules WHERE content_guid = ?", (content_guid,)))

    def schedules(self) -> list[ScheduleRow]:
        return cast("list[ScheduleRow]", self.query("SELECT * FROM schedules ORDER BY next_run, id"))

    def save_schedule(
        self,
        content_guid: str,
        type_: str,
        rule: str,
        start_time: str,
        tz: str,
        activate: bool,
        email: bool,
        next_run: str,
    ) -> ScheduleRow:
        """Create the content's schedule, or replace it (it keeps its id)."""
        values: tuple[SqlValue, ...] = (type_, rule, start_time, tz, int(activate), int(email), next_run)
        self.execute(
            "INSERT INTO schedules (content_guid, type, schedule, start_time, timezone, activate, email, next_run,"
            " created_time) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (content_guid) DO UPDATE SET"
            " type = excluded.type, schedule = excluded.schedule, start_time = excluded.start_time,"
            " timezone = excluded.timezone, activate = excluded.activate, email = excluded.email,"
            " next_run = excluded.next_run",
            (content_guid, *values, now()),
        )
        row = self.schedule_of(content_guid)
        assert row is not None
        return row

    def set_next_run(self, schedule_id: int, next_run: str) -> None:
        self.execute("UPDATE schedules SET next_run = ? WHERE id = ?", (next_run, schedule_id))

    def delete_schedule(self, schedule_id: int | str) -> None:
        self.execute("DELETE FROM schedules WHERE id = ?", (schedule_id,))

    # -- renderings ---------------------------------------------------------------------------
    def add_rendering(self, content_guid: str, bundle_id: str, task_id: str, trigger: str) -> int:
        new_id = self.execute(
            "INSERT INTO renderings (content_guid, bundle_id, task_id, trigger, started_time, status)"
            " VALUES (?, ?, ?, ?, ?, 'running')",
            (content_guid, bundle_id, task_id, trigger, precise_now()),
        )
        assert new_id is not None
        return new_id

    def finish_rendering(self, rendering_id: int, exit_code: int, error: str, output: str | None) -> None:
        self.execute(
            "UPDATE renderings SET end_time = ?, status = ?, exit_code = ?, error = ?, output = ? WHERE id = ?",
            (precise_now(), "success" if exit_code == 0 else "failed", exit_code, error, output, rendering_id),
        )

    def rendering(self, rendering_id: int | str) -> RenderingRow | None:
        return cast("RenderingRow | None", self.one("SELECT * FROM renderings WHERE id = ?", (rendering_id,)))

    def renderings(self, content_guid: str, limit: int = 100) -> list[RenderingRow]:
        """The content's runs, newest first."""
        return cast(
            "list[RenderingRow]",
            self.query(
                "SELECT * FROM renderings WHERE content_guid = ? ORDER BY id DESC LIMIT ?", (content_guid, limit)
            ),
        )

    def last_good_rendering(self, content_guid: str) -> RenderingRow | None:
        return cast(
            "RenderingRow | None",
            self.one(
                "SELECT * FROM renderings WHERE content_guid = ? AND status = 'success' ORDER BY id DESC LIMIT 1",
                (content_guid,),
            ),
        )

    def rendering_running(self, content_guid: str) -> bool:
        return bool(
            self.one("SELECT 1 AS x FROM renderings WHERE content_guid = ? AND status = 'running'", (content_guid,))
        )

    def fail_unfinished_renderings(self, error: str) -> None:
        """At start: runs a previous server left unfinished failed."""
        self.execute(
            "UPDATE renderings SET status = 'failed', exit_code = 1, error = ?, end_time = ? WHERE status = 'running'",
            (error, now()),
        )

    def task_end_time(self, task_id: str) -> str | None:
        row = self.one("SELECT end_time FROM tasks WHERE id = ?", (task_id,))
        return row["end_time"] if row else None

    # -- the variant's mail settings ----------------------------------------------------------
    def variant_mail(self, content_guid: str) -> MailRow:
        row = self.one(
            "SELECT email_collaborators, email_viewers, email_all FROM variant_mail WHERE content_guid = ?",
            (content_guid,),
        )
        return cast("MailRow", row or {"email_collaborators": 0, "email_viewers": 0, "email_all": 0})

    def set_variant_mail(self, content_guid: str, collaborators: bool, viewers: bool, everyone: bool) -> None:
        self.execute(
            "INSERT INTO variant_mail (content_guid, email_collaborators, email_viewers, email_all)"
            " VALUES (?, ?, ?, ?) ON CONFLICT (content_guid) DO UPDATE SET"
            " email_collaborators = excluded.email_collaborators, email_viewers = excluded.email_viewers,"
            " email_all = excluded.email_all",
            (content_guid, int(collaborators), int(viewers), int(everyone)),
        )

    def forget_schedules_of(self, content_guid: str) -> None:
        """The content was deleted: its schedule and runs go with it."""
        self.transaction(
            [
                ("DELETE FROM schedules WHERE content_guid = ?", (content_guid,)),
                ("DELETE FROM renderings WHERE content_guid = ?", (content_guid,)),
                ("DELETE FROM variant_mail WHERE content_guid = ?", (content_guid,)),
            ]
        )

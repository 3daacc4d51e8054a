"""The local server's database file: SQLite (WAL) in DATA_DIR/connect.db, its tables, and the one
connection the queries run on (each resource's queries: db_users.py, db_content.py, db_bundles.py,
db_tags.py; db.py puts them together as `Database`).

One connection guarded by a lock: the server's handlers and its deploy threads share it, and the
`add-user` command may write from another process at the same time (WAL makes that safe).
Rows come back as plain dicts; turning them into Connect's JSON shapes is `models.py`'s job.
"""

from __future__ import annotations

import os
import sqlite3
import threading
from collections.abc import Iterable, Sequence
from datetime import datetime, timezone
from typing import Any, Union

# What a statement's parameters may be (SQLite's types).
SqlValue = Union[str, int, float, bytes, None]
Params = Sequence[SqlValue]

SCHEMA = """
CREATE TABLE IF NOT EXISTS users (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    guid TEXT UNIQUE NOT NULL,
    username TEXT UNIQUE NOT NULL,
    user_role TEXT NOT NULL,
    created_time TEXT NOT NULL,
    locked INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS api_keys (
    key_hash TEXT PRIMARY KEY,          -- sha256 of the key: the key itself is never stored
    user_guid TEXT NOT NULL,
    created_time TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS content (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    guid TEXT UNIQUE NOT NULL,
    name TEXT NOT NULL,
    title TEXT,
    description TEXT NOT NULL DEFAULT '',
    access_type TEXT NOT NULL DEFAULT 'acl',
    owner_guid TEXT NOT NULL,
    app_mode TEXT NOT NULL DEFAULT 'unknown',
    bundle_id TEXT,
    py_version TEXT,
    created_time TEXT NOT NULL,
    last_deployed_time TEXT NOT NULL,
    UNIQUE (owner_guid, name)
);
CREATE TABLE IF NOT EXISTS content_locks (
    content_guid TEXT PRIMARY KEY,       -- no row: not locked, no message
    locked INTEGER NOT NULL DEFAULT 0,   -- locked content refuses uploads and deploys
    message TEXT NOT NULL DEFAULT ''     -- Connect's locked_message, shown to whoever tries
);
CREATE TABLE IF NOT EXISTS permissions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    content_guid TEXT NOT NULL,
    principal_guid TEXT NOT NULL,
    role TEXT NOT NULL,                  -- "owner" (a collaborator, app_role "editor") or "viewer"
    UNIQUE (content_guid, principal_guid)
);
CREATE TABLE IF NOT EXISTS bundles (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    content_guid TEXT NOT NULL,
    created_time TEXT NOT NULL,
    created_by TEXT,
    size INTEGER NOT NULL,
    archive_md5 TEXT NOT NULL,
    archive_sha1 TEXT NOT NULL,
    app_mode TEXT,
    py_version TEXT,
    primary_file TEXT                     -- what /content/{guid}/ serves, relative to the bundle folder
);
CREATE TABLE IF NOT EXISTS tasks (
    id TEXT PRIMARY KEY,
    content_guid TEXT NOT NULL,
    bundle_id TEXT,
    user_guid TEXT,
    output TEXT NOT NULL DEFAULT '[]',    -- JSON list of log lines
    finished INTEGER NOT NULL DEFAULT 0,
    code INTEGER NOT NULL DEFAULT 0,
    error TEXT NOT NULL DEFAULT '',
    created_time TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS vanities (
    content_guid TEXT PRIMARY KEY,       -- one vanity path per content item
    path TEXT UNIQUE NOT NULL,           -- "/q4/": a leading and a trailing slash
    created_time TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS tags (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL,
    parent_id INTEGER,                   -- NULL: a top-level tag (a category)
    created_time TEXT NOT NULL,
    updated_time TEXT NOT NULL,
    UNIQUE (name, parent_id)
);
CREATE TABLE IF NOT EXISTS content_tags (
    content_guid TEXT NOT NULL,
    tag_id INTEGER NOT NULL,
    PRIMARY KEY (content_guid, tag_id)
);
CREATE TABLE IF NOT EXISTS passwords (
    user_guid TEXT PRIMARY KEY,
    hash TEXT NOT NULL                   -- passwords.hash_password(): scrypt, never the password
);
CREATE TABLE IF NOT EXISTS sessions (
    id_hash TEXT PRIMARY KEY,            -- sha256 of the session id: the cookie's value is never stored
    user_guid TEXT NOT NULL,
    created_time TEXT NOT NULL,
    expires REAL NOT NULL                -- seconds since the epoch
);
CREATE TABLE IF NOT EXISTS environment (
    content_guid TEXT NOT NULL,
    name TEXT NOT NULL,
    value TEXT NOT NULL,
    PRIMARY KEY (content_guid, name)
);
"""


def now() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


class Connection:
    """The connection, and the four ways to run SQL on it that every query uses."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = str(path)
        self._lock = threading.RLock()
        # The database holds environment variable values (the server must start content with
        # them): only the server's user may read it. SQLite gives its -wal and -shm files the
        # database file's mode.
        os.close(os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600))
        os.chmod(self.path, 0o600)
        self._conn = sqlite3.connect(self.path, check_same_thread=False, timeout=30, isolation_level=None)
        self._conn.row_factory = sqlite3.Row
        self._conn.execute("PRAGMA journal_mode=WAL")
        self._conn.execute("PRAGMA busy_timeout=30000")
        self._conn.executescript(SCHEMA)

    def close(self) -> None:
        with self._lock:
            self._conn.close()

    def query(self, sql: str, params: Params = ()) -> list[dict[str, Any]]:
        with self._lock:
            return [dict(r) for r in self._conn.execute(sql, params).fetchall()]

    def one(self, sql: str, params: Params = ()) -> dict[str, Any] | None:
        rows = self.query(sql, params)
        return rows[0] if rows else None

    def execute(self, sql: str, params: Params = ()) -> int | None:
        """Run one statement; return the new row id."""
        with self._lock:
            return self._conn.execute(sql, params).lastrowid

    def transaction(self, statements: Iterable[tuple[str, Params]]) -> None:
        """Run [(sql, params), ...] atomically."""
        with self._lock:
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                for sql, params in statements:
                    self._conn.execute(sql, params)
            except BaseException:
                self._conn.execute("ROLLBACK")
                raise
            self._conn.execute("COMMIT")

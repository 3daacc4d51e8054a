"""The local server's state: SQLite (WAL) in DATA_DIR/connect.db.

One connection guarded by a lock: the server's handlers and its deploy threads share it, and the
`add-user` command may write from another process at the same time (WAL makes that safe).
Rows come back as plain dicts; turning them into Connect's JSON shapes is `models.py`'s job.
"""

from __future__ import annotations

import json
import os
import sqlite3
import threading
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime, timezone
from typing import Any, Union, cast

from .rows import BundleRow, ContentRow, PermissionRow, TagRow, TaskRow, UnfinishedTaskRow, UserRow, VanityRow

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


class Database:
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

    # -- users and keys ---------------------------------------------------------------------
    def user_by_key_hash(self, key_hash: str) -> UserRow | None:
        return cast(
            "UserRow | None",
            self.one(
                "SELECT u.* FROM users u JOIN api_keys k ON k.user_guid = u.guid WHERE k.key_hash = ?", (key_hash,)
            ),
        )

    def user(self, guid: str) -> UserRow | None:
        return cast("UserRow | None", self.one("SELECT * FROM users WHERE guid = ?", (guid,)))

    def user_by_name(self, username: str) -> UserRow | None:
        return cast("UserRow | None", self.one("SELECT * FROM users WHERE username = ?", (username,)))

    def add_user(self, guid: str, username: str, role: str) -> None:
        self.execute(
            "INSERT INTO users (guid, username, user_role, created_time) VALUES (?, ?, ?, ?)",
            (guid, username, role, now()),
        )

    def add_key(self, user_guid: str, key_hash: str) -> None:
        self.execute(
            "INSERT INTO api_keys (key_hash, user_guid, created_time) VALUES (?, ?, ?)", (key_hash, user_guid, now())
        )

    def password_hash(self, user_guid: str) -> str | None:
        row = self.one("SELECT hash FROM passwords WHERE user_guid = ?", (user_guid,))
        return None if row is None else cast(str, row["hash"])

    def set_password_hash(self, user_guid: str, password_hash: str) -> None:
        """A new password also ends the user's sessions: whoever knew the old one is signed out."""
        self.transaction(
            [
                ("INSERT OR REPLACE INTO passwords (user_guid, hash) VALUES (?, ?)", (user_guid, password_hash)),
                ("DELETE FROM sessions WHERE user_guid = ?", (user_guid,)),
            ]
        )

    def add_session(self, id_hash: str, user_guid: str, expires: float) -> None:
        self.transaction(
            [
                ("DELETE FROM sessions WHERE expires < strftime('%s', 'now')", ()),
                (
                    "INSERT INTO sessions (id_hash, user_guid, created_time, expires) VALUES (?, ?, ?, ?)",
                    (id_hash, user_guid, now(), expires),
                ),
            ]
        )

    def session_user(self, id_hash: str, at: float) -> UserRow | None:
        return cast(
            "UserRow | None",
            self.one(
                "SELECT u.* FROM users u JOIN sessions s ON s.user_guid = u.guid WHERE s.id_hash = ? AND s.expires > ?",
                (id_hash, at),
            ),
        )

    def delete_session(self, id_hash: str) -> None:
        self.execute("DELETE FROM sessions WHERE id_hash = ?", (id_hash,))

    def count_users(self) -> int:
        return cast("dict[str, int]", self.one("SELECT COUNT(*) AS n FROM users"))["n"]  # COUNT: one row

    # -- content ----------------------------------------------------------------------------
    def content(self, guid: str) -> ContentRow | None:
        return cast("ContentRow | None", self.one("SELECT * FROM content WHERE guid = ?", (guid,)))

    def content_by_id(self, content_id: int | str) -> ContentRow | None:
        return cast("ContentRow | None", self.one("SELECT * FROM content WHERE id = ?", (content_id,)))

    def content_list(self, name: str | None = None, owner_guid: str | None = None) -> list[ContentRow]:
        sql = "SELECT * FROM content WHERE 1=1"
        params: list[SqlValue] = []
        if name is not None:
            sql += " AND name = ?"
            params.append(name)
        if owner_guid is not None:
            sql += " AND owner_guid = ?"
            params.append(owner_guid)
        return cast("list[ContentRow]", self.query(sql + " ORDER BY id", params))

    def create_content(
        self, guid: str, name: str, title: str | None, description: str, access_type: str, owner_guid: str
    ) -> None:
        t = now()
        self.execute(
            "INSERT INTO content (guid, name, title, description, access_type, owner_guid, created_time,"
            " last_deployed_time) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (guid, name, title, description, access_type, owner_guid, t, t),
        )

    def update_content(self, guid: str, **fields: SqlValue) -> None:
        if fields:
            cols = ", ".join("%s = ?" % k for k in fields)
            self.execute("UPDATE content SET %s WHERE guid = ?" % cols, (*fields.values(), guid))

    def delete_content(self, guid: str) -> None:
        self.transaction(
            [
                ("DELETE FROM content WHERE guid = ?", (guid,)),
                ("DELETE FROM permissions WHERE content_guid = ?", (guid,)),
                ("DELETE FROM bundles WHERE content_guid = ?", (guid,)),
                ("DELETE FROM environment WHERE content_guid = ?", (guid,)),
                ("DELETE FROM vanities WHERE content_guid = ?", (guid,)),
                ("DELETE FROM content_tags WHERE content_guid = ?", (guid,)),
            ]
        )

    # -- permissions (collaborators) --------------------------------------------------------
    def permissions(self, content_guid: str) -> list[PermissionRow]:
        return cast(
            "list[PermissionRow]",
            self.query("SELECT * FROM permissions WHERE content_guid = ? ORDER BY id", (content_guid,)),
        )

    def permission_role(self, content_guid: str, user_guid: str) -> str | None:
        row = self.one(
            "SELECT role FROM permissions WHERE content_guid = ? AND principal_guid = ?", (content_guid, user_guid)
        )
        return row["role"] if row else None

    def set_permission(self, content_guid: str, principal_guid: str, role: str) -> PermissionRow:
        self.execute(
            "INSERT INTO permissions (content_guid, principal_guid, role) VALUES (?, ?, ?)"
            " ON CONFLICT (content_guid, principal_guid) DO UPDATE SET role = excluded.role",
            (content_guid, principal_guid, role),
        )
        # The row was just written: it is there.
        return cast(
            PermissionRow,
            self.one(
                "SELECT * FROM permissions WHERE content_guid = ? AND principal_guid = ?",
                (content_guid, principal_guid),
            ),
        )

    def permission(self, content_guid: str, permission_id: int | str) -> PermissionRow | None:
        return cast(
            "PermissionRow | None",
            self.one("SELECT * FROM permissions WHERE content_guid = ? AND id = ?", (content_guid, permission_id)),
        )

    def remove_permission_of(self, content_guid: str, principal_guid: str) -> None:
        self.execute(
            "DELETE FROM permissions WHERE content_guid = ? AND principal_guid = ?", (content_guid, principal_guid)
        )

    def delete_permission(self, content_guid: str, permission_id: int | str) -> None:
        self.execute("DELETE FROM permissions WHERE content_guid = ? AND id = ?", (content_guid, permission_id))

    # -- bundles ----------------------------------------------------------------------------
    def add_bundle(
        self,
        content_guid: str,
        created_by: str | None,
        size: int,
        md5: str,
        sha1: str,
        app_mode: str | None,
        py_version: str | None,
    ) -> int:
        return cast(
            int,
            self.execute(  # an INSERT always sets the row id
                "INSERT INTO bundles (content_guid, created_time, created_by, size, archive_md5, archive_sha1,"
                " app_mode, py_version) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (content_guid, now(), created_by, size, md5, sha1, app_mode, py_version),
            ),
        )

    def bundle(self, content_guid: str, bundle_id: int | str) -> BundleRow | None:
        return cast(
            "BundleRow | None",
            self.one("SELECT * FROM bundles WHERE content_guid = ? AND id = ?", (content_guid, bundle_id)),
        )

    def bundles(self, content_guid: str) -> list[BundleRow]:
        return cast(
            "list[BundleRow]", self.query("SELECT * FROM bundles WHERE content_guid = ? ORDER BY id", (content_guid,))
        )

    def update_bundle(self, bundle_id: int | str, **fields: SqlValue) -> None:
        cols = ", ".join("%s = ?" % k for k in fields)
        self.execute("UPDATE bundles SET %s WHERE id = ?" % cols, (*fields.values(), bundle_id))

    # -- tasks ------------------------------------------------------------------------------
    def add_task(self, task_id: str, content_guid: str, bundle_id: str | None, user_guid: str | None) -> None:
        self.execute(
            "INSERT INTO tasks (id, content_guid, bundle_id, user_guid, created_time) VALUES (?, ?, ?, ?, ?)",
            (task_id, content_guid, bundle_id, user_guid, now()),
        )

    def task(self, task_id: str) -> TaskRow | None:
        row = self.one("SELECT * FROM tasks WHERE id = ?", (task_id,))
        if row:
            row["output"] = json.loads(row["output"])
        return cast("TaskRow | None", row)

    def save_task(self, task_id: str, output: list[str], finished: bool, code: int, error: str) -> None:
        self.execute(
            "UPDATE tasks SET output = ?, finished = ?, code = ?, error = ? WHERE id = ?",
            (json.dumps(output), int(finished), code, error, task_id),
        )

    def bundle_in_deploy(self, content_guid: str, bundle_id: int | str) -> bool:
        """Whether a deploy task of this bundle is still running."""
        return bool(
            self.one(
                "SELECT 1 AS x FROM tasks WHERE content_guid = ? AND bundle_id = ? AND finished = 0",
                (content_guid, str(bundle_id)),
            )
        )

    def unfinished_tasks(self) -> list[UnfinishedTaskRow]:
        return cast("list[UnfinishedTaskRow]", self.query("SELECT id, output FROM tasks WHERE finished = 0"))

    def content_tasks(self, content_guid: str) -> list[dict[str, Any]]:
        """The content's tasks, oldest first, without their output (jobs.py lists them as jobs):
        number (the row's number), id, bundle_id, finished, code, created_time."""
        return self.query(
            "SELECT rowid AS number, id, bundle_id, finished, code, created_time FROM tasks"
            " WHERE content_guid = ? ORDER BY rowid",
            (content_guid,),
        )

    # -- environment variables ----------------------------------------------------------------
    def env_names(self, content_guid: str) -> list[str]:
        return [
            r["name"]
            for r in self.query("SELECT name FROM environment WHERE content_guid = ? ORDER BY name", (content_guid,))
        ]

    def env_values(self, content_guid: str) -> dict[str, str]:
        return {
            r["name"]: r["value"]
            for r in self.query("SELECT name, value FROM environment WHERE content_guid = ?", (content_guid,))
        }

    def env_update(self, content_guid: str, changes: Mapping[str, str | None], replace: bool = False) -> None:
        """changes: {name: value or None (delete)}; replace drops every other name."""
        statements: list[tuple[str, Params]] = []
        if replace:
            statements.append(("DELETE FROM environment WHERE content_guid = ?", (content_guid,)))
        for name, value in changes.items():
            if value is None:
                statements.append(("DELETE FROM environment WHERE content_guid = ? AND name = ?", (content_guid, name)))
            else:
                statements.append(
                    (
                        "INSERT INTO environment (content_guid, name, value) VALUES (?, ?, ?)"
                        " ON CONFLICT (content_guid, name) DO UPDATE SET value = excluded.value",
                        (content_guid, name, value),
                    )
                )
        self.transaction(statements)

    # -- queries the HTTP handlers need (added when handlers.py was split) ----------------------
    def users(self, prefix: str | None = None) -> list[UserRow]:
        """Every user, oldest first; with a prefix, those whose username starts with it."""
        rows = cast("list[UserRow]", self.query("SELECT * FROM users ORDER BY id"))
        if prefix:
            rows = [r for r in rows if r["username"].startswith(prefix)]
        return rows

    def delete_bundle(self, bundle_id: int | str) -> None:
        self.execute("DELETE FROM bundles WHERE id = ?", (bundle_id,))

    # -- vanity paths -----------------------------------------------------------------------------
    def vanity(self, content_guid: str) -> VanityRow | None:
        return cast("VanityRow | None", self.one("SELECT * FROM vanities WHERE content_guid = ?", (content_guid,)))

    def vanities(self) -> list[VanityRow]:
        return cast("list[VanityRow]", self.query("SELECT * FROM vanities ORDER BY path"))

    def set_vanity(self, content_guid: str, path: str, replace_other: bool = False) -> VanityRow:
        """Give the content `path` (its previous one goes); replace_other: take it from any other."""
        statements: list[tuple[str, Params]] = []
        if replace_other:
            statements.append(("DELETE FROM vanities WHERE path = ? AND content_guid != ?", (path, content_guid)))
        statements.append(
            (
                "INSERT INTO vanities (content_guid, path, created_time) VALUES (?, ?, ?)"
                " ON CONFLICT (content_guid) DO UPDATE SET path = excluded.path, created_time = excluded.created_time",
                (content_guid, path, now()),
            )
        )
        self.transaction(statements)
        return cast(VanityRow, self.vanity(content_guid))  # just written

    def delete_vanity(self, content_guid: str) -> None:
        self.execute("DELETE FROM vanities WHERE content_guid = ?", (content_guid,))

    # -- tags -------------------------------------------------------------------------------------
    def tags(self) -> list[TagRow]:
        return cast("list[TagRow]", self.query("SELECT * FROM tags ORDER BY id"))

    def tag(self, tag_id: int | str) -> TagRow | None:
        return cast("TagRow | None", self.one("SELECT * FROM tags WHERE id = ?", (tag_id,)))

    def add_tag(self, name: str, parent_id: int | None) -> int:
        t = now()
        return cast(
            int,
            self.execute(
                "INSERT INTO tags (name, parent_id, created_time, updated_time) VALUES (?, ?, ?, ?)",
                (name, parent_id, t, t),
            ),
        )

    def update_tag(self, tag_id: int | str, name: str, parent_id: int | None) -> None:
        self.execute(
            "UPDATE tags SET name = ?, parent_id = ?, updated_time = ? WHERE id = ?", (name, parent_id, now(), tag_id)
        )

    def delete_tags(self, tag_ids: Sequence[int]) -> None:
        """Remove these tags and their use on content."""
        statements: list[tuple[str, Params]] = []
        for tag_id in tag_ids:
            statements.append(("DELETE FROM content_tags WHERE tag_id = ?", (tag_id,)))
            statements.append(("DELETE FROM tags WHERE id = ?", (tag_id,)))
        self.transaction(statements)

    def content_tags(self, content_guid: str) -> list[TagRow]:
        return cast(
            "list[TagRow]",
            self.query(
                "SELECT t.* FROM tags t JOIN content_tags c ON c.tag_id = t.id WHERE c.content_guid = ? ORDER BY t.id",
                (content_guid,),
            ),
        )

    def tag_content(self, content_guid: str, tag_id: int | str) -> None:
        self.execute(
            "INSERT INTO content_tags (content_guid, tag_id) VALUES (?, ?) ON CONFLICT DO NOTHING",
            (content_guid, tag_id),
        )

    def untag_content(self, content_guid: str, tag_id: int | str) -> None:
        self.execute("DELETE FROM content_tags WHERE content_guid = ? AND tag_id = ?", (content_guid, tag_id))

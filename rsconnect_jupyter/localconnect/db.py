"""The local server's state: SQLite (WAL) in DATA_DIR/connect.db.

One connection guarded by a lock: the server's handlers and its deploy threads share it, and the
`add-user` command may write from another process at the same time (WAL makes that safe).
Rows come back as plain dicts; turning them into Connect's JSON shapes is `models.py`'s job.
"""
import json
import os
import sqlite3
import threading
from datetime import datetime, timezone

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
CREATE TABLE IF NOT EXISTS environment (
    content_guid TEXT NOT NULL,
    name TEXT NOT NULL,
    value TEXT NOT NULL,
    PRIMARY KEY (content_guid, name)
);
"""


def now():
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


class Database:
    def __init__(self, path):
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

    def close(self):
        with self._lock:
            self._conn.close()

    def query(self, sql, params=()):
        with self._lock:
            return [dict(r) for r in self._conn.execute(sql, params).fetchall()]

    def one(self, sql, params=()):
        rows = self.query(sql, params)
        return rows[0] if rows else None

    def execute(self, sql, params=()):
        """Run one statement; return the new row id."""
        with self._lock:
            return self._conn.execute(sql, params).lastrowid

    def transaction(self, statements):
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
    def user_by_key_hash(self, key_hash):
        return self.one(
            "SELECT u.* FROM users u JOIN api_keys k ON k.user_guid = u.guid WHERE k.key_hash = ?", (key_hash,)
        )

    def user(self, guid):
        return self.one("SELECT * FROM users WHERE guid = ?", (guid,))

    def user_by_name(self, username):
        return self.one("SELECT * FROM users WHERE username = ?", (username,))

    def add_user(self, guid, username, role):
        self.execute(
            "INSERT INTO users (guid, username, user_role, created_time) VALUES (?, ?, ?, ?)",
            (guid, username, role, now()),
        )

    def add_key(self, user_guid, key_hash):
        self.execute("INSERT INTO api_keys (key_hash, user_guid, created_time) VALUES (?, ?, ?)",
                     (key_hash, user_guid, now()))

    def count_users(self):
        return self.one("SELECT COUNT(*) AS n FROM users")["n"]

    # -- content ----------------------------------------------------------------------------
    def content(self, guid):
        return self.one("SELECT * FROM content WHERE guid = ?", (guid,))

    def content_by_id(self, content_id):
        return self.one("SELECT * FROM content WHERE id = ?", (content_id,))

    def content_list(self, name=None, owner_guid=None):
        sql, params = "SELECT * FROM content WHERE 1=1", []
        if name is not None:
            sql += " AND name = ?"
            params.append(name)
        if owner_guid is not None:
            sql += " AND owner_guid = ?"
            params.append(owner_guid)
        return self.query(sql + " ORDER BY id", params)

    def create_content(self, guid, name, title, description, access_type, owner_guid):
        t = now()
        self.execute(
            "INSERT INTO content (guid, name, title, description, access_type, owner_guid, created_time,"
            " last_deployed_time) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (guid, name, title, description, access_type, owner_guid, t, t),
        )

    def update_content(self, guid, **fields):
        if fields:
            cols = ", ".join("%s = ?" % k for k in fields)
            self.execute("UPDATE content SET %s WHERE guid = ?" % cols, (*fields.values(), guid))

    def delete_content(self, guid):
        self.transaction([
            ("DELETE FROM content WHERE guid = ?", (guid,)),
            ("DELETE FROM permissions WHERE content_guid = ?", (guid,)),
            ("DELETE FROM bundles WHERE content_guid = ?", (guid,)),
            ("DELETE FROM environment WHERE content_guid = ?", (guid,)),
        ])

    # -- permissions (collaborators) --------------------------------------------------------
    def permissions(self, content_guid):
        return self.query("SELECT * FROM permissions WHERE content_guid = ? ORDER BY id", (content_guid,))

    def permission_role(self, content_guid, user_guid):
        row = self.one("SELECT role FROM permissions WHERE content_guid = ? AND principal_guid = ?",
                       (content_guid, user_guid))
        return row["role"] if row else None

    def set_permission(self, content_guid, principal_guid, role):
        self.execute(
            "INSERT INTO permissions (content_guid, principal_guid, role) VALUES (?, ?, ?)"
            " ON CONFLICT (content_guid, principal_guid) DO UPDATE SET role = excluded.role",
            (content_guid, principal_guid, role),
        )
        return self.one("SELECT * FROM permissions WHERE content_guid = ? AND principal_guid = ?",
                        (content_guid, principal_guid))

    def delete_permission(self, content_guid, permission_id):
        self.execute("DELETE FROM permissions WHERE content_guid = ? AND id = ?", (content_guid, permission_id))

    # -- bundles ----------------------------------------------------------------------------
    def add_bundle(self, content_guid, created_by, size, md5, sha1, app_mode, py_version):
        return self.execute(
            "INSERT INTO bundles (content_guid, created_time, created_by, size, archive_md5, archive_sha1,"
            " app_mode, py_version) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (content_guid, now(), created_by, size, md5, sha1, app_mode, py_version),
        )

    def bundle(self, content_guid, bundle_id):
        return self.one("SELECT * FROM bundles WHERE content_guid = ? AND id = ?", (content_guid, bundle_id))

    def bundles(self, content_guid):
        return self.query("SELECT * FROM bundles WHERE content_guid = ? ORDER BY id", (content_guid,))

    def update_bundle(self, bundle_id, **fields):
        cols = ", ".join("%s = ?" % k for k in fields)
        self.execute("UPDATE bundles SET %s WHERE id = ?" % cols, (*fields.values(), bundle_id))

    # -- tasks ------------------------------------------------------------------------------
    def add_task(self, task_id, content_guid, bundle_id, user_guid):
        self.execute("INSERT INTO tasks (id, content_guid, bundle_id, user_guid, created_time) VALUES (?, ?, ?, ?, ?)",
                     (task_id, content_guid, bundle_id, user_guid, now()))

    def task(self, task_id):
        row = self.one("SELECT * FROM tasks WHERE id = ?", (task_id,))
        if row:
            row["output"] = json.loads(row["output"])
        return row

    def save_task(self, task_id, output, finished, code, error):
        self.execute("UPDATE tasks SET output = ?, finished = ?, code = ?, error = ? WHERE id = ?",
                     (json.dumps(output), int(finished), code, error, task_id))

    def unfinished_tasks(self):
        return self.query("SELECT id, output FROM tasks WHERE finished = 0")

    # -- environment variables ----------------------------------------------------------------
    def env_names(self, content_guid):
        return [r["name"] for r in self.query(
            "SELECT name FROM environment WHERE content_guid = ? ORDER BY name", (content_guid,))]

    def env_values(self, content_guid):
        return {r["name"]: r["value"] for r in self.query(
            "SELECT name, value FROM environment WHERE content_guid = ?", (content_guid,))}

    def env_update(self, content_guid, changes, replace=False):
        """changes: {name: value or None (delete)}; replace drops every other name."""
        statements = []
        if replace:
            statements.append(("DELETE FROM environment WHERE content_guid = ?", (content_guid,)))
        for name, value in changes.items():
            if value is None:
                statements.append(("DELETE FROM environment WHERE content_guid = ? AND name = ?", (content_guid, name)))
            else:
                statements.append((
                    "INSERT INTO environment (content_guid, name, value) VALUES (?, ?, ?)"
                    " ON CONFLICT (content_guid, name) DO UPDATE SET value = excluded.value",
                    (content_guid, name, value)))
        self.transaction(statements)

"""The database's OAuth sign-ins: registered clients, authorization codes, device codes, and the
grants (a person's signed-in clients) with their access and refresh tokens.

Codes and tokens are stored only as sha256 hashes, like API keys and sessions. A grant records a
stamp of its user's password when it was made (`oauth.password_stamp`), so a new password ends
every token of that user without this module touching the password table; removing a user ends
them too, since every lookup joins the user's row.
"""

from __future__ import annotations

import os
from typing import cast

from .db_schema import Connection, now
from .rows import OAuthClientRow, OAuthDeviceRow, OAuthGrantRow, UserRow

OAUTH_SCHEMA = """
CREATE TABLE IF NOT EXISTS oauth_clients (
    client_id TEXT PRIMARY KEY,
    client_name TEXT NOT NULL,
    redirect_uris TEXT NOT NULL,          -- JSON list
    grant_types TEXT NOT NULL,            -- JSON list
    created_time TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS oauth_codes (
    code_hash TEXT PRIMARY KEY,           -- sha256 of the authorization code
    client_id TEXT NOT NULL,
    user_guid TEXT NOT NULL,
    redirect_uri TEXT NOT NULL,
    code_challenge TEXT NOT NULL,         -- PKCE S256
    password_stamp TEXT NOT NULL,
    expires REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS oauth_devices (
    device_hash TEXT PRIMARY KEY,         -- sha256 of the device code
    user_code TEXT UNIQUE NOT NULL,       -- what the person types: short-lived, single use
    client_id TEXT NOT NULL,
    expires REAL NOT NULL,
    interval REAL NOT NULL,
    last_poll REAL NOT NULL DEFAULT 0,
    status TEXT NOT NULL DEFAULT 'pending', -- pending, approved, denied
    user_guid TEXT,
    password_stamp TEXT NOT NULL DEFAULT ''
);
CREATE TABLE IF NOT EXISTS oauth_grants (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    client_id TEXT NOT NULL,
    user_guid TEXT NOT NULL,
    password_stamp TEXT NOT NULL,
    created_time TEXT NOT NULL,
    last_used_time TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS oauth_tokens (
    token_hash TEXT PRIMARY KEY,          -- sha256 of the token
    grant_id INTEGER NOT NULL,
    kind TEXT NOT NULL,                   -- access or refresh
    expires REAL NOT NULL,
    used INTEGER NOT NULL DEFAULT 0       -- a refresh token is good once (rotation)
);
"""


class OAuthQueries(Connection):
    """Clients, codes, grants and tokens."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        super().__init__(path)
        with self._lock:
            self._conn.executescript(OAUTH_SCHEMA)

    # -- clients -------------------------------------------------------------------------------
    def add_oauth_client(self, client_id: str, name: str, redirect_uris: str, grant_types: str) -> None:
        self.execute(
            "INSERT INTO oauth_clients (client_id, client_name, redirect_uris, grant_types, created_time)"
            " VALUES (?, ?, ?, ?, ?)",
            (client_id, name, redirect_uris, grant_types, now()),
        )

    def oauth_client(self, client_id: str) -> OAuthClientRow | None:
        return cast("OAuthClientRow | None", self.one("SELECT * FROM oauth_clients WHERE client_id = ?", (client_id,)))

    # -- authorization codes ---------------------------------------------------------------------
    def add_oauth_code(
        self,
        code_hash: str,
        client_id: str,
        user_guid: str,
        redirect_uri: str,
        challenge: str,
        stamp: str,
        expires: float,
    ) -> None:
        self.transaction(
            [
                ("DELETE FROM oauth_codes WHERE expires < ?", (expires - 3600,)),
                (
                    "INSERT INTO oauth_codes (code_hash, client_id, user_guid, redirect_uri, code_challenge,"
                    " password_stamp, expires) VALUES (?, ?, ?, ?, ?, ?, ?)",
                    (code_hash, client_id, user_guid, redirect_uri, challenge, stamp, expires),
                ),
            ]
        )

    def take_oauth_code(self, code_hash: str) -> dict[str, str | float] | None:
        """The code's row, removed: a code is good once, whatever the outcome."""
        with self._lock:
            row = self.one("SELECT * FROM oauth_codes WHERE code_hash = ?", (code_hash,))
            self.execute("DELETE FROM oauth_codes WHERE code_hash = ?", (code_hash,))
        return cast("dict[str, str | float] | None", row)

    # -- device codes --------------------------------------------------------------------------
    def add_oauth_device(
        self, device_hash: str, user_code: str, client_id: str, expires: float, interval: float
    ) -> None:
        self.transaction(
            [
                ("DELETE FROM oauth_devices WHERE expires < ?", (expires - 3600,)),
                (
                    "INSERT INTO oauth_devices (device_hash, user_code, client_id, expires, interval)"
                    " VALUES (?, ?, ?, ?, ?)",
                    (device_hash, user_code, client_id, expires, interval),
                ),
            ]
        )

    def oauth_device_by_user_code(self, user_code: str) -> OAuthDeviceRow | None:
        return cast("OAuthDeviceRow | None", self.one("SELECT * FROM oauth_devices WHERE user_code = ?", (user_code,)))

    def oauth_device(self, device_hash: str) -> OAuthDeviceRow | None:
        return cast(
            "OAuthDeviceRow | None", self.one("SELECT * FROM oauth_devices WHERE device_hash = ?", (device_hash,))
        )

    def decide_oauth_device(self, user_code: str, status: str, user_guid: str, stamp: str) -> bool:
        """Approve or deny a pending device code; False when it is not pending any more."""
        with self._lock:
            cursor = self._conn.execute(
                "UPDATE oauth_devices SET status = ?, user_guid = ?, password_stamp = ?"
                " WHERE user_code = ? AND status = 'pending'",
                (status, user_guid, stamp, user_code),
            )
            return cursor.rowcount == 1

    def polled_oauth_device(self, device_hash: str, at: float) -> None:
        self.execute("UPDATE oauth_devices SET last_poll = ? WHERE device_hash = ?", (at, device_hash))

    def delete_oauth_device(self, device_hash: str) -> None:
        self.execute("DELETE FROM oauth_devices WHERE device_hash = ?", (device_hash,))

    # -- grants and tokens -----------------------------------------------------------------------
    def add_oauth_grant(self, client_id: str, user_guid: str, stamp: str) -> int:
        grant_id = self.execute(
            "INSERT INTO oauth_grants (client_id, user_guid, password_stamp, created_time, last_used_time)"
            " VALUES (?, ?, ?, ?, ?)",
            (client_id, user_guid, stamp, now(), now()),
        )
        return cast(int, grant_id)

    def add_oauth_tokens(self, grant_id: int, tokens: list[tuple[str, str, float]]) -> None:
        """[(token hash, kind, expires)] for one grant."""
        self.transaction(
            [
                ("DELETE FROM oauth_tokens WHERE expires < ?", (min(t[2] for t in tokens) - 86400 * 60,)),
                *(
                    (
                        "INSERT INTO oauth_tokens (token_hash, grant_id, kind, expires) VALUES (?, ?, ?, ?)",
                        (token_hash, grant_id, kind, expires),
                    )
                    for token_hash, kind, expires in tokens
                ),
                ("UPDATE oauth_grants SET last_used_time = ? WHERE id = ?", (now(), grant_id)),
            ]
        )

    def oauth_token(self, token_hash: str, kind: str, at: float) -> tuple[OAuthGrantRow, UserRow, int] | None:
        """(grant, user, used) of an unexpired token of this kind whose grant and user still exist."""
        row = self.one(
            "SELECT t.used AS token_used, g.id AS grant_id, g.client_id, g.password_stamp, g.created_time AS"
            " grant_created, g.last_used_time, u.* FROM oauth_tokens t JOIN oauth_grants g ON g.id = t.grant_id"
            " JOIN users u ON u.guid = g.user_guid WHERE t.token_hash = ? AND t.kind = ? AND t.expires > ?",
            (token_hash, kind, at),
        )
        if row is None:
            return None
        grant: OAuthGrantRow = {
            "id": row.pop("grant_id"),
            "client_id": row.pop("client_id"),
            "user_guid": row["guid"],
            "password_stamp": row.pop("password_stamp"),
            "created_time": row.pop("grant_created"),
            "last_used_time": row.pop("last_used_time"),
        }
        used = cast(int, row.pop("token_used"))
        return grant, cast("UserRow", row), used

    def use_refresh_token(self, token_hash: str) -> bool:
        """Mark a refresh token used; False when it already was (a replayed, stolen copy)."""
        with self._lock:
            cursor = self._conn.execute(
                "UPDATE oauth_tokens SET used = 1 WHERE token_hash = ? AND kind = 'refresh' AND used = 0", (token_hash,)
            )
            return cursor.rowcount == 1

    def oauth_token_grant(self, token_hash: str) -> int | None:
        row = self.one("SELECT grant_id FROM oauth_tokens WHERE token_hash = ?", (token_hash,))
        return None if row is None else cast(int, row["grant_id"])

    def delete_oauth_grant(self, grant_id: int, user_guid: str | None = None) -> bool:
        """End a grant and all its tokens (for `user_guid` only, when given); False if none was."""
        with self._lock:
            row = self.one("SELECT user_guid FROM oauth_grants WHERE id = ?", (grant_id,))
            if row is None or (user_guid is not None and row["user_guid"] != user_guid):
                return False
            self.transaction(
                [
                    ("DELETE FROM oauth_tokens WHERE grant_id = ?", (grant_id,)),
                    ("DELETE FROM oauth_grants WHERE id = ?", (grant_id,)),
                ]
            )
            return True

    def oauth_grants_of(self, user_guid: str, stamp: str) -> list[dict[str, str | int]]:
        """A person's signed-in clients (grants made with their current password), newest first."""
        return cast(
            "list[dict[str, str | int]]",
            self.query(
                "SELECT g.id, g.created_time, g.last_used_time, COALESCE(c.client_name, '') AS client_name"
                " FROM oauth_grants g LEFT JOIN oauth_clients c ON c.client_id = g.client_id"
                " WHERE g.user_guid = ? AND g.password_stamp = ? AND EXISTS"
                " (SELECT 1 FROM oauth_tokens t WHERE t.grant_id = g.id AND t.kind = 'refresh' AND t.used = 0"
                "  AND t.expires > strftime('%s', 'now'))"
                " ORDER BY g.id DESC",
                (user_guid, stamp),
            ),
        )

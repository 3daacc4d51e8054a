"""The database's users: accounts, API keys (their hashes), passwords (their hashes) and sessions."""

from __future__ import annotations

from typing import cast

from .db_schema import Connection, now
from .rows import UserRow


class UserQueries(Connection):
    """Users, keys, passwords and sessions."""

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

    def users(self, prefix: str | None = None) -> list[UserRow]:
        """Every user, oldest first; with a prefix, those whose username starts with it."""
        rows = cast("list[UserRow]", self.query("SELECT * FROM users ORDER BY id"))
        if prefix:
            rows = [r for r in rows if r["username"].startswith(prefix)]
        return rows

"""The database's content items, their collaborators and viewers (permissions) and their environment variables."""

from __future__ import annotations

from collections.abc import Mapping
from typing import cast

from .db_schema import Connection, Params, SqlValue, now
from .rows import ContentRow, PermissionRow


class ContentQueries(Connection):
    """Content, permissions and environment variables."""

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

    def content_lock(self, guid: str) -> tuple[bool, str]:
        """(locked, locked_message) of the content: (False, "") until a PATCH sets them."""
        row = self.one("SELECT locked, message FROM content_locks WHERE content_guid = ?", (guid,))
        return (False, "") if row is None else (bool(row["locked"]), str(row["message"]))

    def set_content_lock(self, guid: str, locked: bool, message: str) -> None:
        self.execute(
            "INSERT OR REPLACE INTO content_locks (content_guid, locked, message) VALUES (?, ?, ?)",
            (guid, int(locked), message),
        )

    def delete_content(self, guid: str) -> None:
        self.transaction(
            [
                ("DELETE FROM content WHERE guid = ?", (guid,)),
                ("DELETE FROM permissions WHERE content_guid = ?", (guid,)),
                ("DELETE FROM content_locks WHERE content_guid = ?", (guid,)),
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

"""The database's vanity paths and tags (and which content has which tag)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import cast

from .db_schema import Connection, Params, now
from .rows import TagRow, VanityRow


class TagQueries(Connection):
    """Vanity paths and tags."""

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

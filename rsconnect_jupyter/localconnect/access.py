"""Who may see a content item's pages (/content/{guid}/..., its app, its vanity path).

Connect's access types: `all` (anyone, signed in or not), `logged_in` (any signed-in user),
`acl` (the owner, collaborators and viewers on the list, and administrators).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from . import auth

if TYPE_CHECKING:
    from .db import Database
    from .rows import ContentRow, UserRow

ACCESS_TYPES = ("all", "logged_in", "acl")


def can_view(db: Database, user: UserRow | None, content: ContentRow) -> bool:
    if content["access_type"] == "all":
        return True
    if user is None:
        return False
    if content["access_type"] == "logged_in":
        return True
    return auth.can_see(db, user, content)


def can_preview(db: Database, user: UserRow | None, content: ContentRow) -> bool:
    """Draft previews are for those who may deploy the content, as on Connect."""
    return user is not None and auth.can_change(db, user, content)

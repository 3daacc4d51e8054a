"""Collaborators and viewers of a content item: role "owner" makes a user a collaborator (app_role "editor").

`v1/content/{guid}/permissions` lists (GET) and adds (POST); `.../permissions/{id}` reads (GET), changes
the role (PUT) and removes (DELETE) one entry, as on Connect. Only users are principals here (the local
server has no groups).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .. import errors, models
from .base import BaseHandler

if TYPE_CHECKING:
    from ..rows import ContentRow, PermissionRow, UserRow

ROLES = ("owner", "viewer")
SHAPE = 'Send {"principal_guid": "<a user\'s GUID>", "principal_type": "user", "role": "owner" or "viewer"}.'


class _PermissionBase(BaseHandler):
    def entry(self, guid: str, permission_id: str) -> PermissionRow:
        found = self.db.permission(guid, permission_id) if len(permission_id) < 19 else None
        if found is None:
            raise errors.not_found("Permission %s" % permission_id)
        return found

    def checked(self, content: ContentRow, body: Any) -> tuple[UserRow, str]:
        """The user and role a POST or PUT body names, checked."""
        if not isinstance(body, dict) or body.get("role") not in ROLES:
            raise errors.invalid_value(SHAPE)
        unknown = sorted(k for k in body if k not in ("principal_guid", "principal_type", "role", "id", "content_guid"))
        if unknown:
            raise errors.bad_json("Unknown field(s): %s. %s" % (", ".join(unknown), SHAPE))
        if body.get("principal_type", "user") == "group":
            raise errors.invalid_value("The local server has no groups: give each user a permission of their own.")
        if body.get("principal_type", "user") != "user":
            raise errors.invalid_value(SHAPE)
        principal_guid = body.get("principal_guid")
        principal = self.db.user(principal_guid) if isinstance(principal_guid, str) else None
        if principal is None:
            raise errors.not_found("User %s" % principal_guid)
        if principal["guid"] == content["owner_guid"]:
            raise errors.invalid_value("The owner already has every permission.")
        if body["role"] == "owner" and principal["user_role"] == "viewer":
            raise errors.invalid_value("A viewer cannot be a collaborator.")
        return principal, body["role"]


class PermissionsHandler(_PermissionBase):
    """`v1/content/{guid}/permissions`: the list, and adding an entry."""

    def get(self, guid: str) -> None:
        user = self.user()
        self.content_for(user, guid)
        self.send_json([models.permission_json(r) for r in self.db.permissions(guid)])

    def post(self, guid: str) -> None:
        user = self.user()
        content = self.content_for(user, guid, change=True)
        principal, role = self.checked(content, self.json_body())
        # A user who already has an entry gets its role changed (one entry per user).
        self.send_json(models.permission_json(self.db.set_permission(guid, principal["guid"], role)))


class PermissionHandler(_PermissionBase):
    """`v1/content/{guid}/permissions/{id}`: one entry (GET), its role changed (PUT), removed (DELETE)."""

    def get(self, guid: str, permission_id: str) -> None:
        user = self.user()
        self.content_for(user, guid)
        self.send_json(models.permission_json(self.entry(guid, permission_id)))

    def put(self, guid: str, permission_id: str) -> None:
        user = self.user()
        content = self.content_for(user, guid, change=True)
        entry = self.entry(guid, permission_id)
        body = self.json_body()
        if isinstance(body, dict):
            body.setdefault("principal_guid", entry["principal_guid"])
        principal, role = self.checked(content, body)
        if principal["guid"] != entry["principal_guid"]:
            raise errors.invalid_value(
                "A permission's user cannot change: remove this one and add one for the other user."
            )
        self.send_json(models.permission_json(self.db.set_permission(guid, principal["guid"], role)))

    def delete(self, guid: str, permission_id: str) -> None:
        user = self.user()
        self.content_for(user, guid, change=True)
        self.entry(guid, permission_id)
        self.db.delete_permission(guid, permission_id)
        self.send_no_content()

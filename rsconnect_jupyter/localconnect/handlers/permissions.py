"""Collaborators and viewers of a content item: role "owner" makes a user a collaborator (app_role "editor")."""

from __future__ import annotations

from .. import errors, models
from .base import BaseHandler


class PermissionsHandler(BaseHandler):
    def get(self, guid: str, permission_id: str | None = None) -> None:
        user = self.user()
        self.content_for(user, guid)
        self.send_json([models.permission_json(r) for r in self.db.permissions(guid)])

    def post(self, guid: str, permission_id: str | None = None) -> None:
        user = self.user()
        content = self.content_for(user, guid, change=True)
        body = self.json_body()
        if not isinstance(body, dict) or body.get("role") not in ("owner", "viewer"):
            raise errors.invalid_value('Send {principal_guid, principal_type: "user", role: "owner" or "viewer"}.')
        principal_guid = body.get("principal_guid")
        principal = self.db.user(principal_guid) if isinstance(principal_guid, str) else None
        if principal is None or body.get("principal_type", "user") != "user":
            raise errors.not_found("User %s" % body.get("principal_guid"))
        if principal["guid"] == content["owner_guid"]:
            raise errors.invalid_value("The owner already has every permission.")
        if body["role"] == "owner" and principal["user_role"] == "viewer":
            raise errors.invalid_value("A viewer cannot be a collaborator.")
        self.send_json(models.permission_json(self.db.set_permission(guid, principal["guid"], body["role"])))

    def delete(self, guid: str, permission_id: str | None = None) -> None:
        user = self.user()
        self.content_for(user, guid, change=True)
        if not any(str(p["id"]) == str(permission_id) for p in self.db.permissions(guid)):
            raise errors.not_found("Permission %s" % permission_id)
        assert permission_id is not None  # the route without an id answers DELETE with 404 above
        self.db.delete_permission(guid, permission_id)
        self.send_no_content()

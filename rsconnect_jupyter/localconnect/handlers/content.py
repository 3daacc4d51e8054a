"""Content items: list, create, read, change, delete; and the legacy `applications/{id}` lookup."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any, cast

from .. import actions, auth, errors, models
from .base import BaseHandler

if TYPE_CHECKING:
    from ..rows import ContentRow

NAME_RE = re.compile(r"^[A-Za-z0-9_.-]{3,64}\Z")
ACCESS_TYPES = ("acl", "logged_in", "all")
# Fields of a content item a client may send; other known fields are read-only and ignored.
CONTENT_FIELDS = ("name", "title", "description", "access_type")
READ_ONLY_FIELDS = set(models._UNMANAGED) | {
    "guid",
    "created_time",
    "last_deployed_time",
    "bundle_id",
    "app_mode",
    "content_category",
    "parameterized",
    "py_version",
    "py_environment_management",
    "run_as_current_user",
    "owner_guid",
    "content_url",
    "dashboard_url",
    "app_role",
    "id",
    "locked",
    "owner",
    "tags",
    "draft_marker_enabled",
    "metrics_collection_enabled",
    "notify_on_share",
    "otel_enabled",
    "public_content_status",
}


def check_content_fields(body: dict[str, Any]) -> dict[str, Any]:
    """The fields a client may set, checked; unknown fields are an error, read-only ones are dropped."""
    unknown = [k for k in body if k not in CONTENT_FIELDS and k not in READ_ONLY_FIELDS]
    if unknown:
        raise errors.bad_json("Unknown field(s): %s." % ", ".join(sorted(unknown)))
    fields = {k: body[k] for k in CONTENT_FIELDS if k in body}
    if "name" in fields and (not isinstance(fields["name"], str) or not NAME_RE.match(fields["name"])):
        raise errors.invalid_name("The content name must be 3 to 64 letters, digits, '-', '_' or '.'.")
    title = fields.get("title")
    if title is not None and (not isinstance(title, str) or not 3 <= len(title) <= 1024):
        raise errors.invalid_value("The title must be 3 to 1024 characters.")
    if "description" in fields:
        fields["description"] = fields["description"] or ""
        if not isinstance(fields["description"], str):
            raise errors.invalid_value("The description must be text.")
    if "access_type" in fields and fields["access_type"] not in ACCESS_TYPES:
        raise errors.invalid_value("access_type must be one of %s." % ", ".join(ACCESS_TYPES))
    return fields


class ContentListHandler(BaseHandler):
    def get(self) -> None:
        user = self.user()
        rows = self.db.content_list(
            name=self.get_argument("name", None), owner_guid=self.get_argument("owner_guid", None)
        )
        self.send_json([self.content_out(user, c) for c in rows if auth.can_see(self.db, user, c)])

    def post(self) -> None:
        user = self.user()
        auth.require_publisher(user)
        fields = check_content_fields(self.json_object())
        guid = actions.create_content(self.db, user["guid"], fields)
        self.send_json(self.content_out(user, cast("ContentRow", self.db.content(guid))))


class ContentHandler(BaseHandler):
    def get(self, guid: str) -> None:
        user = self.user()
        self.send_json(self.content_out(user, self.content_for(user, guid)))

    def patch(self, guid: str) -> None:
        user = self.user()
        content = self.content_for(user, guid, change=True)
        fields = check_content_fields(self.json_object())
        if "name" in fields and fields["name"] != content["name"]:
            if self.db.content_list(name=fields["name"], owner_guid=content["owner_guid"]):
                raise errors.name_in_use("Content named %r already exists." % fields["name"])
        self.db.update_content(guid, **fields)
        self.send_json(self.content_out(user, cast("ContentRow", self.db.content(guid))))

    def delete(self, guid: str) -> None:
        user = self.user()
        content = self.content_for(user, guid, change=True)
        if content["owner_guid"] != user["guid"] and user["user_role"] != "administrator":
            raise errors.forbidden("Only the owner or an administrator may delete content.")
        actions.delete_content(self.state, guid)
        self.send_no_content()


class ApplicationHandler(BaseHandler):
    """Legacy `applications/{id}`: look content up by its numeric id (or GUID)."""

    def get(self, app_id: str) -> None:
        user = self.user()
        if app_id.isdigit():  # SQLite integers stop at 19 digits
            content = self.db.content_by_id(int(app_id)) if len(app_id) < 19 else None
        else:
            content = self.db.content(app_id)
        if content is None:
            raise errors.not_found("Application %s" % app_id)
        content = self.content_for(user, content["guid"])
        self.send_json(models.application_json(content, self.server_url()))

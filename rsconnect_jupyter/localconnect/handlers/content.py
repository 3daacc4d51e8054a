"""Content items: list, create, read, change, delete; and the legacy `applications/{id}` lookup."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any, cast

from .. import actions, auth, errors, models
from ..access import ACCESS_TYPES
from .base import BaseHandler

if TYPE_CHECKING:
    from ..rows import ContentRow, UserRow

NAME_RE = re.compile(r"^[A-Za-z0-9_.-]{3,64}\Z")
# Fields of a content item a client may send and this server stores.
CONTENT_FIELDS = ("name", "title", "description", "access_type")
LOCK_FIELDS = ("locked", "locked_message")
# Settings Connect stores but this server does not (timeouts, processes, resources, images,
# run-as, ...): always shown with the value here. Sending that value (as a client that sends back what
# it read does) changes nothing; any other value is refused, never accepted and dropped.
UNSTORED_SETTINGS: dict[str, Any] = {key: None for key in models._UNMANAGED}
UNSTORED_SETTINGS.update(
    {
        "run_as_current_user": False,
        "draft_marker_enabled": False,
        "metrics_collection_enabled": False,
        "notify_on_share": False,
        "otel_enabled": False,
    }
)
# Fields Connect computes itself: a client sending them back (as read) is ignored, as on Connect.
READ_ONLY_FIELDS = {
    "guid",
    "created_time",
    "last_deployed_time",
    "bundle_id",
    "app_mode",
    "content_category",
    "parameterized",
    "py_version",
    "py_environment_management",
    "content_url",
    "dashboard_url",
    "app_role",
    "id",
    "owner",
    "tags",
    "vanity_url",
    "public_content_status",
}


def check_content_fields(body: dict[str, Any], owner: bool = False) -> dict[str, Any]:
    """The fields a client may set, checked; unknown fields are an error, read-only ones are dropped,
    settings this server does not store are refused unless they hold the value shown here.
    `owner`: owner_guid may be sent."""
    allowed = (
        set(CONTENT_FIELDS)
        | set(LOCK_FIELDS)
        | READ_ONLY_FIELDS
        | set(UNSTORED_SETTINGS)
        | ({"owner_guid"} if owner else set())
    )
    unknown = [k for k in body if k not in allowed]
    if unknown:
        raise errors.bad_json("Unknown field(s): %s." % ", ".join(sorted(unknown)))
    unstored = sorted(k for k in body if k in UNSTORED_SETTINGS and body[k] != UNSTORED_SETTINGS[k])
    if unstored:
        raise errors.invalid_value(
            "The local server does not store %s (it runs every item with its own defaults): "
            "leave %s out, or set %s on Posit Connect."
            % (", ".join(unstored), "it" if len(unstored) == 1 else "them", "it" if len(unstored) == 1 else "them")
        )
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


class _ContentBase(BaseHandler):
    def included(self, item: dict[str, Any]) -> dict[str, Any]:
        """What `include` asks for besides the item (comma-separated, as on Connect): `tags` (the
        item's tags), `vanity_url` (the full URL of its vanity path, or null); `owner` is always there."""
        include = {p.strip() for arg in self.get_arguments("include") for p in arg.split(",") if p.strip()}
        if "tags" in include:
            item["tags"] = [models.tag_json(t) for t in self.db.content_tags(item["guid"])]
        if "vanity_url" in include:
            vanity = self.db.vanity(item["guid"])
            item["vanity_url"] = self.server_url() + vanity["path"][1:] if vanity else None
        return item


def lock_change(current: tuple[bool, str], body: dict[str, Any]) -> tuple[bool, str] | None:
    """(locked, locked_message) after a request that may send either alone, checked; None when it
    sends neither (Connect stores both on the content item)."""
    if not any(k in body for k in LOCK_FIELDS):
        return None
    locked = body.get("locked", current[0])
    message = body.get("locked_message", current[1])
    if not isinstance(locked, bool):
        raise errors.invalid_value("locked must be true or false.")
    if message is None:
        message = ""
    if not isinstance(message, str) or len(message) > 4096:
        raise errors.invalid_value("locked_message must be text of at most 4096 characters.")
    return locked, message


class ContentListHandler(_ContentBase):
    def get(self) -> None:
        user = self.user()
        rows = self.db.content_list(
            name=self.get_argument("name", None), owner_guid=self.get_argument("owner_guid", None)
        )
        self.send_json([self.included(self.content_out(user, c)) for c in rows if auth.can_see(self.db, user, c)])

    def post(self) -> None:
        user = self.user()
        auth.require_publisher(user)
        body = self.json_object()
        fields = check_content_fields(body)
        lock = lock_change((False, ""), body)
        guid = actions.create_content(self.db, user["guid"], fields)
        if lock is not None:
            self.db.set_content_lock(guid, *lock)
        self.send_json(self.content_out(user, cast("ContentRow", self.db.content(guid))))


class ContentHandler(_ContentBase):
    def get(self, guid: str) -> None:
        user = self.user()
        self.send_json(self.included(self.content_out(user, self.content_for(user, guid))))

    def patch(self, guid: str) -> None:
        user = self.user()
        content = self.content_for(user, guid, change=True)
        body = self.json_object()
        fields = check_content_fields(body, owner=True)
        lock = lock_change(self.db.content_lock(guid), body)
        owner_guid = content["owner_guid"]
        if "owner_guid" in body and body["owner_guid"] != owner_guid:
            owner_guid = self.new_owner(user, body["owner_guid"])
            fields["owner_guid"] = owner_guid
        name = fields.get("name", content["name"])
        if name != content["name"] or owner_guid != content["owner_guid"]:
            if [c for c in self.db.content_list(name=name, owner_guid=owner_guid) if c["guid"] != guid]:
                raise errors.name_in_use("Content named %r already exists." % name)
        self.db.update_content(guid, **fields)
        if lock is not None:
            self.db.set_content_lock(guid, *lock)
        if owner_guid != content["owner_guid"]:
            self.db.remove_permission_of(guid, owner_guid)  # the owner needs no entry of their own
        self.send_json(self.content_out(user, cast("ContentRow", self.db.content(guid))))

    def new_owner(self, user: UserRow, owner_guid: Any) -> str:
        """The GUID of the new owner a PATCH names, checked: administrators only, a publisher or
        administrator who exists."""
        if user["user_role"] != "administrator":
            raise errors.forbidden("Only an administrator may change who owns content.")
        found = self.db.user(owner_guid) if isinstance(owner_guid, str) else None
        if found is None:
            raise errors.not_found("User %s" % owner_guid)
        if found["user_role"] == "viewer":
            raise errors.invalid_value("A viewer cannot own content: make %s a publisher first." % found["username"])
        return found["guid"]

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

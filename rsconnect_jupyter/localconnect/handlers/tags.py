"""Tags, as Connect has them: `v1/tags` (GET with `name` and `parent_id`, POST), `v1/tags/{id}` (GET,
PATCH, DELETE with its descendants), `v1/tags/{id}/content`, and a content item's tags
`v1/content/{guid}/tags` (GET, POST `{"tag_id"}`), `.../tags/{id}` (DELETE).

Any user reads tags; only administrators create, rename, move or delete them (as on Connect); who
may change a content item tags it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .. import auth, errors, models
from .base import BaseHandler

if TYPE_CHECKING:
    from ..rows import TagRow, UserRow


def require_admin(user: UserRow) -> None:
    if user["user_role"] != "administrator":
        raise errors.forbidden("Only an administrator may create, change or delete tags.")


class _TagBase(BaseHandler):
    def tag_of(self, tag_id: Any) -> TagRow:
        text = str(tag_id) if isinstance(tag_id, (str, int)) and not isinstance(tag_id, bool) else ""
        found = self.db.tag(text) if text.isdigit() and len(text) < 19 else None
        if found is None:
            raise errors.not_found("Tag %s" % tag_id)
        return found

    def checked(self, body: dict[str, Any], current: TagRow | None) -> tuple[str, int | None]:
        """The name and parent a POST or PATCH body asks for, checked (a PATCH keeps what it omits)."""
        unknown = sorted(k for k in body if k not in ("name", "parent_id"))
        if unknown:
            raise errors.bad_json('Unknown field(s): %s. Send {"name": ..., "parent_id": ...}.' % ", ".join(unknown))
        name = body.get("name", current["name"] if current else None)
        if not isinstance(name, str) or not name.strip() or len(name) > 255:
            raise errors.invalid_value("A tag needs a name of 1 to 255 characters.")
        parent_id = current["parent_id"] if current else None
        if "parent_id" in body:
            parent_id = None if body["parent_id"] in (None, "") else self.tag_of(body["parent_id"])["id"]
        if current is not None and parent_id is not None:
            ancestor: int | None = parent_id
            while ancestor is not None:  # a tag cannot sit under itself or its descendants
                if ancestor == current["id"]:
                    raise errors.invalid_value("A tag cannot be put under itself or one of its own tags.")
                found = self.db.tag(ancestor)
                ancestor = found["parent_id"] if found else None
        for other in self.db.tags():
            if (
                other["name"] == name
                and other["parent_id"] == parent_id
                and (current is None or other["id"] != current["id"])
            ):
                raise errors.name_in_use("A tag named %r already exists there." % name)
        return name, parent_id


class TagsHandler(_TagBase):
    def get(self) -> None:
        self.user()
        rows = self.db.tags()
        name = self.get_argument("name", None)
        if name is not None:
            rows = [r for r in rows if r["name"] == name]
        parent = self.get_argument("parent_id", None)
        if parent is not None:
            rows = [r for r in rows if str(r["parent_id"] or "") == parent]
        self.send_json([models.tag_json(r) for r in rows])

    def post(self) -> None:
        user = self.user()
        require_admin(user)
        name, parent_id = self.checked(self.json_object(), None)
        self.send_json(models.tag_json(self.tag_of(self.db.add_tag(name, parent_id))))


class TagHandler(_TagBase):
    def get(self, tag_id: str) -> None:
        self.user()
        self.send_json(models.tag_json(self.tag_of(tag_id)))

    def patch(self, tag_id: str) -> None:
        user = self.user()
        require_admin(user)
        tag = self.tag_of(tag_id)
        name, parent_id = self.checked(self.json_object(), tag)
        self.db.update_tag(tag["id"], name, parent_id)
        self.send_json(models.tag_json(self.tag_of(tag["id"])))

    def delete(self, tag_id: str) -> None:
        user = self.user()
        require_admin(user)
        tag = self.tag_of(tag_id)
        every = self.db.tags()
        doomed, frontier = [tag["id"]], [tag["id"]]
        while frontier:  # its descendants go with it
            frontier = [t["id"] for t in every if t["parent_id"] in frontier]
            doomed += frontier
        self.db.delete_tags(doomed)
        self.send_no_content()


class TagContentHandler(_TagBase):
    """`v1/tags/{id}/content`: the content items with this tag that the caller may see."""

    def get(self, tag_id: str) -> None:
        user = self.user()
        tag = self.tag_of(tag_id)
        items = [
            c
            for c in self.db.content_list()
            if auth.can_see(self.db, user, c) and any(t["id"] == tag["id"] for t in self.db.content_tags(c["guid"]))
        ]
        self.send_json([self.content_out(user, c) for c in items])


class ContentTagsHandler(_TagBase):
    def get(self, guid: str) -> None:
        user = self.user()
        self.content_for(user, guid)
        self.send_json([models.tag_json(r) for r in self.db.content_tags(guid)])

    def post(self, guid: str) -> None:
        user = self.user()
        self.content_for(user, guid, change=True)
        body = self.json_object()
        unknown = sorted(k for k in body if k != "tag_id")
        if unknown or "tag_id" not in body:
            raise errors.bad_json('Send {"tag_id": "<a tag\'s id>"}.')
        tag = self.tag_of(body["tag_id"])
        self.db.tag_content(guid, tag["id"])
        self.send_json([models.tag_json(r) for r in self.db.content_tags(guid)])


class ContentTagHandler(_TagBase):
    def delete(self, guid: str, tag_id: str) -> None:
        user = self.user()
        self.content_for(user, guid, change=True)
        tag = self.tag_of(tag_id)
        if not any(t["id"] == tag["id"] for t in self.db.content_tags(guid)):
            raise errors.not_found("Tag %s on content %s" % (tag_id, guid))
        self.db.untag_content(guid, tag["id"])
        self.send_no_content()

"""Who may see content: `v1/users` (to find people by name or e-mail), the content's
`permissions` list, and its `access_type` (all, logged_in, acl)."""

from __future__ import annotations

from typing import TypedDict, cast

from .session import Session
from .types import User


class Permission(TypedDict, total=False):
    """`v1/content/{guid}/permissions/{id}`: one person's (or group's) role on the content."""

    id: str
    content_guid: str
    principal_guid: str
    principal_type: str  # "user" or "group"
    role: str  # "owner" (a collaborator) or "viewer"


class Tag(TypedDict, total=False):
    """`v1/tags/{id}`: tags form a tree (`parent_id`); a name is unique among its siblings."""

    id: str
    name: str
    parent_id: str | None


class UsersPage(TypedDict, total=False):
    results: list[User]
    current_page: int
    total: int


PAGE_SIZE = 500  # Connect's largest page


class SharingAPI(Session):
    def users_with_prefix(self, prefix: str) -> list[User]:
        """Every user whose username, name or e-mail starts with `prefix`, across pages."""
        found: list[User] = []
        page = 1
        while True:
            answer = cast(
                UsersPage,
                self.get("v1/users", params={"prefix": prefix, "page_size": PAGE_SIZE, "page_number": page}) or {},
            )
            results = answer.get("results") or []
            found.extend(results)
            if len(results) < PAGE_SIZE or len(found) >= int(answer.get("total") or 0):
                return found
            page += 1

    def permissions(self, guid: str) -> list[Permission]:
        return cast("list[Permission]", self.get("v1/content/%s/permissions" % guid) or [])

    def permission_add(self, guid: str, principal_guid: str, role: str) -> Permission:
        body = {"principal_guid": principal_guid, "principal_type": "user", "role": role}
        return cast(Permission, self.request("POST", "v1/content/%s/permissions" % guid, json=body))

    def vanity_set(self, guid: str, path: str) -> dict[str, object]:
        """`PUT v1/content/{guid}/vanity`: serve the content at `path` too (Connect refuses a taken path)."""
        return cast("dict[str, object]", self.request("PUT", "v1/content/%s/vanity" % guid, json={"path": path}))

    def tags(self) -> list[Tag]:
        return cast("list[Tag]", self.get("v1/tags") or [])

    def tag_create(self, name: str, parent_id: str | None = None) -> Tag:
        body = {"name": name, **({"parent_id": parent_id} if parent_id else {})}
        return cast(Tag, self.request("POST", "v1/tags", json=body))

    def content_tags(self, guid: str) -> list[Tag]:
        return cast("list[Tag]", self.get("v1/content/%s/tags" % guid) or [])

    def content_tag_add(self, guid: str, tag_id: str) -> None:
        self.request("POST", "v1/content/%s/tags" % guid, json={"tag_id": str(tag_id)})

    def permission_update(self, guid: str, permission: Permission, role: str) -> Permission:
        body = {"principal_guid": permission["principal_guid"], "principal_type": "user", "role": role}
        path = "v1/content/%s/permissions/%s" % (guid, permission["id"])
        return cast(Permission, self.request("PUT", path, json=body))

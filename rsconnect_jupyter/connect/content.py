"""Content items: `v1/content` (and the legacy `applications/{id}` to find one by its numeric id)."""

from __future__ import annotations

import contextlib
from typing import cast

import requests

from ..exceptions import AuthenticationError, ConnectAPIError, NotAConnectServer, NotFound, PermissionDenied
from .errors import CODE_NOT_FOUND
from .session import Session
from .types import ContentItem, Lockfile


class ContentAPI(Session):
    """Create, find, update and delete content items."""

    def content_create(
        self,
        name: str | None = None,
        title: str | None = None,
        description: str | None = None,
        access_type: str | None = None,
    ) -> ContentItem:
        # Older servers reject unknown fields (code 121): send only the documented ones that are set.
        body = {
            k: v
            for k, v in dict(name=name, title=title, description=description, access_type=access_type).items()
            if v is not None
        }
        return cast(ContentItem, self.request("POST", "v1/content", json=body))

    def content_list(
        self, name: str | None = None, owner_guid: str | None = None, include: str | None = None
    ) -> list[ContentItem]:
        """`include` is Connect's comma-separated extras: "owner", "tags", "vanity_url"."""
        params = {k: v for k, v in dict(name=name, owner_guid=owner_guid, include=include).items() if v}
        return cast("list[ContentItem]", self.get("v1/content", params=params or None) or [])

    def content_get(self, guid: str) -> ContentItem:
        return cast(ContentItem, self.get("v1/content/%s" % guid))

    def content_get_by_id(self, content_id: str | int) -> ContentItem:
        """Content by its numeric id: the legacy `applications/{id}` gives the GUID; else search the list."""
        content_id = str(content_id)
        try:
            app = self.get("applications/%s" % content_id)
        except (AuthenticationError, PermissionDenied):
            raise
        except (ConnectAPIError, NotAConnectServer):
            app = None  # newer servers and the local server may not have the legacy endpoint
        if isinstance(app, dict) and app.get("guid"):
            return self.content_get(app["guid"])
        for item in self.content_list():
            if str(item.get("id")) == content_id:
                return item
        raise NotFound(
            "There is no content with id %s on %s (or you cannot see it)." % (content_id, self.url),
            status=404,
            code=CODE_NOT_FOUND,
        )

    def content_lockfile(self, guid: str) -> Lockfile:
        """The requirements.txt-style lock of the environment the content runs with; Connect names
        the Python it ran on in the `Generated-By` header ("connect; python=3.11.4")."""
        response: requests.Response = self.get("v1/content/%s/lockfile" % guid, stream=True)
        with contextlib.closing(response):
            header = response.headers.get("Generated-By") or ""
            python = header.split("python=", 1)[1].split(";")[0].strip() if "python=" in header else None
            return Lockfile(text=response.content.decode("utf-8"), python=python or None)

    def content_update(self, guid: str, **fields: object) -> ContentItem:
        return cast(ContentItem, self.request("PATCH", "v1/content/%s" % guid, json=fields))

    def content_delete(self, guid: str) -> None:
        self.request("DELETE", "v1/content/%s" % guid)

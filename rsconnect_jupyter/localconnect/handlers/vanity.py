"""Vanity paths: `v1/content/{guid}/vanity` (GET, PUT `{"path", "force"}`, DELETE), `v1/vanities`, and
the path itself (`/q4/`), which leads to the content.

As on Connect: one path per content item, written with a leading and a trailing slash; letters, digits,
`-`, `_`, `.` and `/`; not under a path Connect keeps for itself; no vanity inside another one. Who
may change the content may set its path; `force` (take it from another item) is for administrators.
"""

from __future__ import annotations

import re
from typing import Any

import tornado.web

from .. import errors, models
from .base import BaseHandler
from .proxy import ContentFilesHandler

SEGMENT_RE = re.compile(r"^[A-Za-z0-9_.-]+\Z")
# First path segments Connect keeps for itself (posit-sdk's list), plus this server's own.
RESERVED = {
    "favicon.ico",
    "connect",
    "apps",
    "users",
    "groups",
    "setpassword",
    "user-completion",
    "confirm",
    "recent",
    "reports",
    "plots",
    "unpublished",
    "settings",
    "metrics",
    "tokens",
    "help",
    "login",
    "welcome",
    "register",
    "resetpassword",
    "content",
}


def normalized(path: Any) -> str:
    """The vanity path as stored ("/q4/"), or a ConnectError saying what is wrong with it."""
    if not isinstance(path, str) or not path.strip("/"):
        raise errors.invalid_value('Send {"path": "/a-path/"}: the path must not be empty.')
    segments = path.strip("/").split("/")
    if any(not SEGMENT_RE.match(s) or s in (".", "..") for s in segments):
        raise errors.invalid_value(
            "The vanity path %r may hold only letters, digits, '-', '_', '.' and single '/' between names." % path
        )
    if segments[0].lower() in RESERVED or segments[0].startswith("__"):
        raise errors.invalid_value("The vanity path %r is reserved by Connect: choose another first name." % path)
    return "/" + "/".join(segments) + "/"


class VanityHandler(BaseHandler):
    def get(self, guid: str) -> None:
        user = self.user()
        self.content_for(user, guid)
        row = self.db.vanity(guid)
        if row is None:
            raise errors.not_found("A vanity path for content %s" % guid)
        self.send_json(models.vanity_json(row))

    def put(self, guid: str) -> None:
        user = self.user()
        self.content_for(user, guid, change=True)
        body = self.json_object()
        unknown = sorted(k for k in body if k not in ("path", "force"))
        if unknown:
            raise errors.bad_json(
                'Unknown field(s): %s. Send {"path": "/a-path/", "force": false}.' % ", ".join(unknown)
            )
        path = normalized(body.get("path"))
        force = body.get("force", False)
        if not isinstance(force, bool):
            raise errors.invalid_value("force must be true or false.")
        if force and user["user_role"] != "administrator":
            raise errors.forbidden("Only an administrator may take a vanity path from other content (force).")
        for other in self.db.vanities():
            if other["content_guid"] == guid:
                continue
            if other["path"] == path and not force:
                raise errors.name_in_use("The vanity path %s is already in use: choose another." % path)
            if other["path"] != path and (other["path"].startswith(path) or path.startswith(other["path"])):
                raise errors.name_in_use(
                    "The vanity path %s overlaps %s, already in use: a vanity cannot hold another."
                    % (path, other["path"])
                )
        self.send_json(models.vanity_json(self.db.set_vanity(guid, path, replace_other=force)))

    def delete(self, guid: str) -> None:
        user = self.user()
        self.content_for(user, guid, change=True)
        if self.db.vanity(guid) is None:
            raise errors.not_found("A vanity path for content %s" % guid)
        self.db.delete_vanity(guid)
        self.send_no_content()


class VanitiesHandler(BaseHandler):
    def get(self) -> None:
        user = self.user()
        if user["user_role"] != "administrator":
            raise errors.forbidden("Only an administrator may list every vanity path.")
        self.send_json([models.vanity_json(r) for r in self.db.vanities()])


class VanityPathHandler(ContentFilesHandler):
    """Any other path: a vanity path serves its content in place, as Connect does (files, the
    rendered notebook, the app over HTTP and WebSocket), after the same access check, so a visitor
    who may not see the content never learns its GUID; unknown paths answer 404."""

    def where(self) -> tuple[str, str, str]:
        path = "/" + self.path_kwargs["vpath"]
        for row in sorted(self.db.vanities(), key=lambda r: -len(r["path"])):
            if path == row["path"].rstrip("/"):
                # Answered before the request is read to its end: Tornado closes the connection after
                # it, so say so, or a client following the redirect on it gets a reset.
                self.set_header("Connection", "close")
                self.redirect(row["path"] + ("?" + self.request.query if self.request.query else ""), permanent=False)
                raise tornado.web.Finish()
            if path.startswith(row["path"]):
                prefix = row["path"].rstrip("/")
                return row["content_guid"], prefix, path[len(row["path"]) :]
        raise tornado.web.HTTPError(404, "Nothing is published at %s." % path)

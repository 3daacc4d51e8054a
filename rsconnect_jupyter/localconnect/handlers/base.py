"""What every handler shares: the server's state, who is calling, JSON in and out, Connect's error body.

The contract is docs/connect-api.md: paths under /__api__/, `Authorization: Key ...`,
errors as `{"code", "error", "payload"}` with Connect's codes.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any, cast

import tornado.web
from tornado.http1connection import HTTP1Connection

from .. import auth, errors, jsonlimits, models
from . import cookies

if TYPE_CHECKING:
    from ..db import Database
    from ..rows import BundleRow, ContentRow, UserRow
    from ..state import State

# API bodies are small JSON, read whole before any key is checked: keep them small. Bundle uploads
# and requests to apps are streamed, and their handlers raise the limit once they know the caller.
API_BODY_LIMIT = 1024 * 1024


class BaseHandler(tornado.web.RequestHandler):
    @property
    def state(self) -> State:
        state: State = self.application.settings["state"]
        return state

    @property
    def db(self) -> Database:
        return self.state.db

    def set_default_headers(self) -> None:
        # Every answer to a browser outside the API carries its sign-in cookie (pages.browser_id),
        # so it is there before any published page's script runs.
        if not self.request.path.startswith("/__api__/"):
            cookies.browser_id(self, self.state.browser_cookie)

    def http1_connection(self) -> HTTP1Connection:
        """The request's HTTP/1 connection (the only kind this server speaks)."""
        return cast(HTTP1Connection, self.request.connection)

    def server_url(self) -> str:
        """The URL clients reached us at (so links work through port forwards too)."""
        return "%s://%s/" % (self.request.protocol, self.request.host)

    def user(self) -> UserRow:
        user: UserRow = auth.user_for_header(self.db, self.request.headers.get("Authorization"))
        return user

    def send_json(self, data: Any, status: int = 200) -> None:
        self.set_status(status)
        self.set_header("Content-Type", "application/json; charset=UTF-8")
        self.finish(json.dumps(data))

    def send_no_content(self) -> None:
        self.set_status(204)
        self.finish()

    def json_body(self) -> Any:
        try:
            return jsonlimits.loads(self.request.body or b"null", API_BODY_LIMIT)
        except jsonlimits.JSONRefused as e:
            raise errors.bad_json("The request body cannot be used: %s." % e) from None

    def json_object(self) -> dict[str, Any]:
        """The body as a JSON object; no body counts as {}."""
        body = self.json_body() or {}
        if not isinstance(body, dict):
            raise errors.bad_json("The request body must be a JSON object.")
        return body

    def write_error(self, status_code: int, **kwargs: Any) -> None:
        exc = kwargs.get("exc_info", (None, None, None))[1]
        if isinstance(exc, errors.ConnectError):
            self.set_status(exc.status)
            body = exc.body()
        elif isinstance(exc, tornado.web.HTTPError):
            body = {
                "code": errors.NOT_FOUND if status_code == 404 else errors.INTERNAL,
                "error": exc.log_message or self._reason,
                "payload": None,
            }
        else:
            body = {"code": errors.INTERNAL, "error": "Internal server error", "payload": None}
        self.set_header("Content-Type", "application/json; charset=UTF-8")
        self.finish(json.dumps(body))

    def log_exception(self, typ: Any, value: BaseException | None, tb: Any) -> None:
        if isinstance(value, errors.ConnectError):
            return  # an answer, not a failure
        super().log_exception(typ, value, tb)

    # -- lookups with permission checks ------------------------------------------------------
    def content_for(self, user: UserRow, guid: str, change: bool = False) -> ContentRow:
        content = self.db.content(guid)
        if content is None:
            raise errors.not_found("Content %s" % guid)
        if not auth.can_see(self.db, user, content):
            raise errors.forbidden("You don't have permission to access this content.")
        if change and not auth.can_change(self.db, user, content):
            raise errors.forbidden(
                "You don't have permission to change this content: only its owner, "
                "collaborators and administrators may."
            )
        return content

    def bundle_of(self, guid: str, bundle_id: str) -> BundleRow:
        bundle = self.db.bundle(guid, bundle_id)
        if bundle is None:
            raise errors.not_found("Bundle %s" % bundle_id)
        return bundle

    def creator(self, bundle: BundleRow) -> UserRow | None:
        """The user who uploaded a bundle (None when unknown)."""
        return self.db.user(bundle["created_by"]) if bundle["created_by"] is not None else None

    def content_out(self, user: UserRow, content: ContentRow) -> dict[str, Any]:
        """The item as Connect shows it to this user (app_role depends on who asks)."""
        owner = self.db.user(content["owner_guid"])
        return models.content_json(
            content,
            self.server_url(),
            auth.app_role(self.db, user, content),
            owner,
            self.db.content_lock(content["guid"]),
        )


async def send_file(handler: tornado.web.RequestHandler, path: str) -> None:
    """Stream a file in chunks (bundles and content files may be large)."""
    with open(path, "rb") as f:
        while True:
            chunk = f.read(256 * 1024)
            if not chunk:
                break
            handler.write(chunk)
            await handler.flush()
    handler.finish()

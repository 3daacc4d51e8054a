"""A content item's bundles: list, upload (streamed to disk), read, delete, download."""

from __future__ import annotations

import asyncio
import html
import mimetypes
import os
from typing import TYPE_CHECKING, cast

import tornado.web

from .. import actions, apps, bundles, errors, intake, models
from .base import BaseHandler, send_file
from .pages import require_view

if TYPE_CHECKING:
    from ..rows import BundleRow, ContentRow, UserRow


@tornado.web.stream_request_body
class BundlesHandler(BaseHandler):
    """GET lists the bundles; POST receives one, streamed to disk with its md5 and sha1."""

    upload: intake.Upload | None
    current: UserRow
    content: ContentRow

    def initialize(self) -> None:
        self.upload = None

    async def prepare(self) -> None:
        if self.request.method != "POST":
            return
        guid = self.path_kwargs.get("guid") or self.path_args[0]
        self.current = self.user()
        self.content = self.content_for(self.current, guid, change=True)
        actions.check_unlocked(self.db, self.content)
        # Only now, with the key and the right to change this content checked, may the body be large.
        limit = self.state.max_bundle_size
        self.http1_connection().set_max_body_size(limit + 16 * 1024 * 1024)
        length = self.request.headers.get("Content-Length")
        if length and length.isdigit() and int(length) > limit:
            raise errors.too_large(limit)
        self.upload = intake.Upload(self.state.layout.uploads_dir(guid), limit, self.state.limits)

    def data_received(self, chunk: bytes) -> None:
        if self.upload is not None:
            self.upload.write(chunk)

    def on_finish(self) -> None:
        self.discard_upload()

    def on_connection_close(self) -> None:
        self.discard_upload()

    def discard_upload(self) -> None:
        if self.upload is not None:
            self.upload.discard()
            self.upload = None

    def get(self, guid: str) -> None:
        user = self.user()
        content = self.content_for(user, guid)
        self.send_json(
            [
                models.bundle_json(b, content["bundle_id"], self.creator(b), self.db.bundle_source(b["id"]))
                for b in self.db.bundles(guid)
            ]
        )

    async def post(self, guid: str) -> None:
        assert self.upload is not None  # prepare() made it
        bundle_id = await actions.store_bundle(self.state, guid, self.current["guid"], self.upload)
        self.upload = None  # moved into place: nothing to discard
        bundle = cast("BundleRow", self.db.bundle(guid, bundle_id))  # just added
        self.send_json(models.bundle_json(bundle, self.content["bundle_id"], self.current))


class BundleHandler(BaseHandler):
    def get(self, guid: str, bundle_id: str) -> None:
        user = self.user()
        content = self.content_for(user, guid)
        bundle = self.bundle_of(guid, bundle_id)
        source = self.db.bundle_source(bundle["id"])
        self.send_json(models.bundle_json(bundle, content["bundle_id"], self.creator(bundle), source))

    def delete(self, guid: str, bundle_id: str) -> None:
        user = self.user()
        content = self.content_for(user, guid, change=True)
        actions.check_delete_bundle(self.db, content, self.bundle_of(guid, bundle_id))  # the dashboard's rule too
        actions.delete_bundle(self.state, guid, bundle_id)
        self.send_no_content()


class BundleDownloadHandler(BaseHandler):
    async def get(self, guid: str, bundle_id: str) -> None:
        user = self.user()
        self.content_for(user, guid, change=True)
        self.bundle_of(guid, bundle_id)
        self.set_header("Content-Type", "application/gzip")
        self.set_header("Content-Disposition", 'attachment; filename="bundle-%s.tar.gz"' % bundle_id)
        await send_file(self, self.state.layout.bundle_archive(guid, bundle_id))


class BundlePreviewHandler(BaseHandler):
    """/content/{guid}/_bundle{id}/: a built bundle whether live or not, as Connect previews a draft
    (rsconnect-python opens it to check a draft before activating it). The live bundle is open to
    those who may see the content; a draft to those who may deploy it (owner, collaborators, admins).

    Documents (static, notebooks) are served from the bundle's own folder. An app's live bundle
    redirects to /content/{guid}/; a draft of an app is started with a process of its own, checked to
    answer, and stopped: the page says so (its process is not kept to browse; activate it for that)."""

    async def get(self, guid: str, bundle_id: str, path: str) -> None:
        content = self.db.content(guid)
        bundle = self.db.bundle(guid, bundle_id) if len(bundle_id) < 19 else None
        if content is None or bundle is None:
            raise tornado.web.HTTPError(404, "This content has no bundle %s." % bundle_id)
        require_view(self, content, preview=not str(content["bundle_id"]) == str(bundle_id))
        folder = self.state.layout.bundle_dir(guid, bundle_id)
        if not bundle["primary_file"] or not os.path.isdir(folder):
            raise tornado.web.HTTPError(
                404, "Bundle %s has not been built: deploy it (as a draft, activate false) first." % bundle_id
            )
        live = str(content["bundle_id"]) == str(bundle_id)
        if bundle["app_mode"] in apps.APP_MODES:
            if live:
                return self.redirect("/content/%s/%s" % (guid, path.lstrip("/")), permanent=False)
            return await self.check_app(guid, bundle_id)
        target = bundles.safe_join(folder, path.lstrip("/") or bundle["primary_file"])
        if target and os.path.isdir(target):
            target = os.path.join(target, "index.html")
        if not target or not os.path.isfile(target):
            raise tornado.web.HTTPError(404, "No such file in bundle %s." % bundle_id)
        ctype = mimetypes.guess_type(target)[0] or "application/octet-stream"
        if ctype.startswith("text/") or ctype == "application/javascript":
            ctype += "; charset=utf-8"
        self.set_header("Content-Type", ctype)
        self.set_header("Cache-Control", "no-store")  # a draft's files change when it is deployed again
        await send_file(self, target)

    async def check_app(self, guid: str, bundle_id: str) -> None:
        loop = asyncio.get_running_loop()
        try:
            await loop.run_in_executor(None, actions.check_draft_app, self.state, guid, bundle_id)
        except apps.AppFailed as e:
            raise tornado.web.HTTPError(502, "Bundle %s of this app did not start: %s" % (bundle_id, e)) from None
        self.set_header("Content-Type", "text/html; charset=utf-8")
        self.set_header("Cache-Control", "no-store")
        self.finish(
            "<!doctype html><title>Draft bundle %(id)s</title><p>Bundle %(id)s of this app started and answered, "
            "then was stopped: it is a draft, not live. Activate it to serve it at "
            '<a href="/content/%(guid)s/">/content/%(guid)s/</a>.</p>' % {"id": html.escape(bundle_id), "guid": guid}
        )

    def write_error(self, status_code: int, **kwargs: object) -> None:
        self.set_header("Content-Type", "text/plain; charset=utf-8")
        exc = cast("tuple[object, object, object]", kwargs.get("exc_info", (None, None, None)))[1]
        if isinstance(exc, errors.ConnectError):  # a wrong API key (pages.content_viewer): 401, not 500
            self.set_status(exc.status)
            self.finish(exc.message)
            return
        self.finish(getattr(exc, "log_message", None) or self._reason)

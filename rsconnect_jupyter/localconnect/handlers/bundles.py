"""A content item's bundles: list, upload (streamed to disk), read, delete, download."""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

import tornado.web

from .. import actions, errors, models
from .base import BaseHandler, send_file

if TYPE_CHECKING:
    from ..rows import BundleRow, ContentRow, UserRow


@tornado.web.stream_request_body
class BundlesHandler(BaseHandler):
    """GET lists the bundles; POST receives one, streamed to disk with its md5 and sha1."""

    upload: actions.Upload | None
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
        # Only now, with the key and the right to change this content checked, may the body be large.
        limit = self.state.max_bundle_size
        self.http1_connection().set_max_body_size(limit + 16 * 1024 * 1024)
        length = self.request.headers.get("Content-Length")
        if length and length.isdigit() and int(length) > limit:
            raise errors.too_large(limit)
        self.upload = actions.Upload(self.state.layout.uploads_dir(guid), limit)

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
        self.send_json([models.bundle_json(b, content["bundle_id"], self.creator(b)) for b in self.db.bundles(guid)])

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
        self.send_json(models.bundle_json(bundle, content["bundle_id"], self.creator(bundle)))

    def delete(self, guid: str, bundle_id: str) -> None:
        user = self.user()
        content = self.content_for(user, guid, change=True)
        self.bundle_of(guid, bundle_id)
        if str(content["bundle_id"]) == str(bundle_id):
            raise errors.invalid_value("The active bundle cannot be deleted.")
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

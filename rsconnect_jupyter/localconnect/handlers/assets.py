"""/__assets__/requirejs/..., /__assets__/mathjax/... and /__assets__/widgets/...: the scripts rendered
notebooks load (see localconnect/assets.py), served by this server to anyone, as a CDN would: they are
public files."""

from __future__ import annotations

import mimetypes
import os

import tornado.web

from .. import assets, bundles
from .base import BaseHandler, send_file


class AssetsHandler(BaseHandler):
    async def get(self, kind: str, asset: str) -> None:
        folder = assets.folder(kind)
        target = bundles.safe_join(folder, asset) if folder else None
        if not target or not os.path.isfile(target):
            raise tornado.web.HTTPError(404, "No such file.")
        ctype = mimetypes.guess_type(target)[0] or "application/octet-stream"
        if ctype.startswith("text/") or ctype == "application/javascript":
            ctype += "; charset=utf-8"
        self.set_header("Content-Type", ctype)
        self.set_header("Cache-Control", "public, max-age=86400")
        self.set_header("X-Content-Type-Options", "nosniff")
        await send_file(self, target)

    def write_error(self, status_code: int, **kwargs: object) -> None:
        self.set_header("Content-Type", "text/plain; charset=utf-8")
        self.finish("No such file.")

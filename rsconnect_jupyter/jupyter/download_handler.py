"""The Versions view's "Download source": a version's source bundle (.tar.gz), fetched from Connect
by this server (the browser never holds the server's key) and sent on as a file.

    POST content/download {server, guid, bundle_id} -> the .tar.gz (Content-Disposition: attachment)
"""

from __future__ import annotations

import os
import re
import tempfile

from tornado import web

from ..exceptions import RSConnectError
from .handlers import JSONHandlerMixin, guarded

CHUNK = 256 * 1024


def fetch_version(name: str, guid: str, bundle_id: str) -> tuple[str, str]:
    """(a temporary file holding the bundle, the file name to offer); the caller removes the file."""
    from .. import versions
    from .actions import saved_server

    content = versions.content_of(saved_server(name), guid)
    handle, path = tempfile.mkstemp(prefix="rsconnect-version-", suffix=".tar.gz")
    os.close(handle)
    try:
        versions.download(content, path, bundle_id, overwrite=True)
    except BaseException:
        os.unlink(path)
        raise
    stem = re.sub(r"[^A-Za-z0-9._-]+", "-", str(content.item.get("name") or guid)).strip("-.") or "content"
    return path, "%s-version-%s.tar.gz" % (stem, bundle_id)


class DownloadVersionHandler(JSONHandlerMixin):
    @web.authenticated
    @guarded
    async def post(self) -> None:
        from .actions import describe_error

        f = self.fields("server", "guid", "bundle_id")
        name, guid, bundle_id = (
            f.string("server"),
            f.string("guid", max_length=64),
            f.string("bundle_id", max_length=32),
        )
        try:
            path, filename = await self.run(fetch_version, name, guid, bundle_id)
        except RSConnectError as exc:
            return self.fail(400, describe_error(exc))
        except Exception as exc:  # noqa: BLE001 - one sentence for the dialog, the traceback in the log
            return self.fail(500, describe_error(exc))
        try:
            self.set_header("Content-Type", "application/gzip")
            self.set_header("Content-Disposition", 'attachment; filename="%s"' % filename)
            self.set_header("Content-Length", str(os.path.getsize(path)))
            with open(path, "rb") as source:
                while chunk := source.read(CHUNK):
                    self.write(chunk)
                    await self.flush()
            await self.finish()
        finally:
            os.unlink(path)


DOWNLOAD_ROUTES: list[tuple[str, type[JSONHandlerMixin]]] = [("content/download", DownloadVersionHandler)]

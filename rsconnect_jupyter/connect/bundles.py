"""Bundles (the uploaded versions of a content item's source) and their deploys."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterable
from typing import Any, BinaryIO, cast

import requests

from ..exceptions import ConnectAPIError
from ..progress import UPLOAD, CountingReader, Meter, ProgressCallback
from .session import Session
from .types import BundleItem, DeployStarted


class LengthRequired(ConnectAPIError):
    """A chunked upload was refused (HTTP 411): the server or a proxy wants a Content-Length."""


class BundlesAPI(Session):
    """`v1/content/{guid}/bundles` and `v1/content/{guid}/deploy`."""

    def bundle_upload(self, guid: str, fileobj: BinaryIO, progress: ProgressCallback | None = None) -> BundleItem:
        """Upload a .tar.gz from an open binary file; requests streams it (never read into memory).

        `progress` hears of the bytes sent (phase "upload"), counted as requests reads them.
        """
        path, headers = "v1/content/%s/bundles" % guid, {"Content-Type": "application/gzip"}
        try:
            length = os.fstat(fileobj.fileno()).st_size - fileobj.tell()
        except (AttributeError, OSError, ValueError):  # an unsized stream: sent chunked, its size unknown
            return cast(BundleItem, self.request("POST", path, data=fileobj, headers=headers))
        meter = Meter(progress, UPLOAD, length)
        meter.start()
        answer = cast(
            BundleItem, self.request("POST", path, data=CountingReader(fileobj, meter, length), headers=headers)
        )
        meter.finish()
        return answer

    def bundle_upload_stream(self, guid: str, chunks: Iterable[bytes]) -> BundleItem:
        """Upload a .tar.gz as it is written: `chunks` is sent with `Transfer-Encoding: chunked`
        (its length is only known at its end), through one connection. Never retried, as any write.

        A server or proxy that takes only a known length answers 411: `LengthRequired`, for the
        caller to send the archive again from a file (nothing was stored)."""
        path = "v1/content/%s/bundles" % guid
        kwargs: dict[str, Any] = dict(data=iter(chunks), headers={"Content-Type": "application/gzip"})
        response = self._send("POST", path, dict(kwargs, timeout=self.timeout))
        if response.status_code == 411:
            response.close()
            raise LengthRequired("%s wants the bundle's length before its bytes." % self.url, status=411)
        if response.status_code >= 400:
            raise self._error(response, "POST", path)
        try:
            return cast(BundleItem, response.json())
        except ValueError:
            raise self._not_json(response, "POST", path) from None

    def bundle_list(self, guid: str) -> list[BundleItem]:
        return cast("list[BundleItem]", self.get("v1/content/%s/bundles" % guid) or [])

    def bundle_get(self, guid: str, bundle_id: str | int) -> BundleItem:
        return cast(BundleItem, self.get("v1/content/%s/bundles/%s" % (guid, bundle_id)))

    def bundle_download(self, guid: str, bundle_id: str | int, fileobj: BinaryIO) -> None:
        """Write the bundle's .tar.gz to an open binary file, in chunks."""
        response: requests.Response = self.get("v1/content/%s/bundles/%s/download" % (guid, bundle_id), stream=True)
        with contextlib.closing(response):
            for chunk in response.iter_content(64 * 1024):
                fileobj.write(chunk)

    def bundle_delete(self, guid: str, bundle_id: str | int) -> None:
        """Delete a bundle that is not live (Connect refuses the live one)."""
        self.request("DELETE", "v1/content/%s/bundles/%s" % (guid, bundle_id))

    def deploy(self, guid: str, bundle_id: str | int, activate: bool = True) -> str:
        """Start deploying a bundle; returns the task id. `activate=False` builds a draft (Connect
        2025.06+): the field is sent only then, since older servers refuse fields they do not know."""
        body: dict[str, object] = {"bundle_id": str(bundle_id)}
        if not activate:
            body["activate"] = False
        answer = cast(DeployStarted, self.request("POST", "v1/content/%s/deploy" % guid, json=body))
        return answer["task_id"]

    def build(self, guid: str, bundle_id: str | int | None = None, activate: bool = True) -> str:
        """Build a bundle already uploaded again (its environment rebuilt), without a new upload;
        returns the task id. No bundle_id: Connect builds the live one."""
        body: dict[str, object] = {"bundle_id": None if bundle_id is None else str(bundle_id)}
        if not activate:
            body["activate"] = False
        answer = cast(DeployStarted, self.request("POST", "v1/content/%s/build" % guid, json=body))
        return answer["task_id"]

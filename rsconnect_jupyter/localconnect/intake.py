"""A bundle as it arrives: written to a temporary file, hashed, and checked while it streams in.

`Upload.write` gets the body's pieces from the handler (Content-Length or chunked alike) and
appends them to a file in the content's uploads folder, with the archive's MD5 and SHA-1. A thread
reads that same file behind the writer (waiting at its end for more) and checks the archive as
`bundles.extract` does (every member's name and kind, the caps, links, manifest.json), and unpacks
it into a folder beside it as it goes. So the check is done when the last byte lands, not in a
second pass afterwards; the deploy that usually follows takes the unpacked folder instead of
unpacking the archive again (the gunzip is paid once, while the network is the bottleneck); and
memory stays flat: the file is the only buffer, whatever the bundle's size. An archive that is not
gzip, or that the unpacking refuses, is checked afterwards from the file as `bundles.read_manifest`
does, so its answer is the same as before.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import os
import shutil
import tempfile
import threading
from typing import Any, BinaryIO, cast

from . import bundles

_GZIP_MAGIC = b"\x1f\x8b"


class _Gone(Exception):
    """The upload was discarded while the check was reading it."""


class _Behind(io.RawIOBase):
    """The upload's file, read behind its writer: at the end of what is written, wait for more."""

    def __init__(self, upload: Upload) -> None:
        self.upload = upload
        self.file = open(upload.path, "rb", buffering=0)  # noqa: SIM115 (closed by close())

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        while True:
            if self.upload.discarded:  # stop now, not after unpacking what is already on disk
                raise _Gone()
            n = self.file.readinto(buffer)
            if n:
                return n
            with self.upload.arrived:
                if self.upload.discarded:
                    raise _Gone()
                if self.upload.complete and self.file.tell() >= self.upload.size:
                    return 0
                if self.file.tell() >= self.upload.size:
                    self.upload.arrived.wait(1.0)

    def close(self) -> None:
        self.file.close()
        super().close()


class Upload:
    """A bundle as it arrives: written to a temporary file in the content's uploads folder, hashed
    on the way and checked behind the writer. Past `limit` bytes it stops writing (the request is
    still read, to answer 413)."""

    def __init__(self, folder: str, limit: int, limits: bundles.BundleLimits | None = None) -> None:
        os.makedirs(folder, exist_ok=True)
        fd, self.path = tempfile.mkstemp(dir=folder, suffix=".tar.gz")
        self.file = os.fdopen(fd, "wb", buffering=0)  # unbuffered: the checker reads what is written
        self.limit = limit
        self.limits: bundles.BundleLimits = limits or {}
        self.size = 0
        self.over = False
        self.complete = False
        self.discarded = False
        self.md5 = hashlib.md5()
        self.sha1 = hashlib.sha1()
        self.arrived = threading.Condition()
        self.started = False  # the check behind the writer (gzip only)
        self.checker: threading.Thread | None = None
        self.manifest: dict[str, Any] | None = None
        self.unpacked: str | None = None  # the checked archive's folder, once all of it is unpacked

    def write(self, chunk: bytes) -> None:
        if self.over or self.discarded:
            return
        if self.size + len(chunk) > self.limit:
            self.over = True  # keep reading (to answer 413) but stop writing
            self.discard_check()
            self.file.close()
            return
        self.file.write(chunk)
        self.md5.update(chunk)
        self.sha1.update(chunk)
        with self.arrived:
            self.size += len(chunk)
            self.arrived.notify_all()
        if not self.started and self.size >= 2:
            self._start_check()

    def _start_check(self) -> None:
        self.started = True
        with open(self.path, "rb") as f:
            if f.read(2) != _GZIP_MAGIC:
                return  # not gzip: checked from the file once complete
        self.checker = threading.Thread(target=self._check, name="bundle-check", daemon=True)
        self.checker.start()

    def _check(self) -> None:
        reader = _Behind(self)
        folder = self.path[: -len(".tar.gz")] + ".unpacked"
        try:
            with gzip.GzipFile(fileobj=io.BufferedReader(reader, 1 << 20), mode="rb") as unzipped:
                bundles.extract_stream(cast(BinaryIO, unzipped), folder, **self.limits)
            manifest = bundles.manifest_in(folder)
            with self.arrived:  # discard() either sees the folder or is seen here: never left behind
                if self.discarded:
                    raise _Gone()
                self.manifest, self.unpacked = manifest, folder
        except BaseException:  # gone, or refused: finish() reads the file again for the refusal's words
            shutil.rmtree(folder, ignore_errors=True)
        finally:
            reader.close()

    def finish(self) -> dict[str, Any]:
        """The checked manifest, once the whole body is here (blocks until the check ends)."""
        self.close()
        if self.checker is not None:
            self.checker.join()
        if self.manifest is not None:
            return self.manifest
        # Not gzip, too short to start the check, or refused: the one-pass check of the file says why.
        return bundles.read_manifest(self.path, **self.limits)

    def close(self) -> None:
        self.file.close()
        with self.arrived:
            self.complete = True
            self.arrived.notify_all()

    def discard_check(self) -> None:
        with self.arrived:
            self.discarded = True
            self.arrived.notify_all()

    def discard(self) -> None:
        self.discard_check()  # the check stops at its next read and removes what it unpacked
        self.file.close()
        if os.path.exists(self.path):
            os.unlink(self.path)
        with self.arrived:
            unpacked, self.unpacked = self.unpacked, None
        if unpacked is not None:
            shutil.rmtree(unpacked, ignore_errors=True)

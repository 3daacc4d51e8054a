"""A bundle written while it is uploaded (`StreamedBundle`), or to a temporary file when asked.

The builders plan a bundle (its manifest and files, every file checked readable) and return a
`StreamedBundle`. Publishing sends `chunks()`: the .tar.gz as it is made, one gzip member
compressed on every core (compress.ParallelGzip; already-compressed files stored, stored.py), each
file read once and hashed on the way, so compression, hashing and the network overlap and memory
stays flat whatever the bundle's size. Its manifest.json, with the checksums only known at the
end, is the archive's last member, as Posit Publisher writes it; Connect reads it from anywhere.

Anything that needs the archive as a file (its `path`, `size` before a stream, `names()`, a
server that wants a Content-Length) gets one written by `writer.write_bundle` (manifest.json
first), once.
"""

from __future__ import annotations

import time
from collections.abc import Generator, Iterable, Mapping
from pathlib import Path
from typing import Any

from ..progress import UPLOAD, Meter, ProgressCallback
from .archive import Bundle, BundleFile
from .compress import GZIP_LEVEL, ParallelGzip
from .writer import TAR_END, file_stats, manifest_entry, manifest_json, tar_entries, write_bundle


class _Parts:
    """The compressed bytes ready to send (ParallelGzip writes here; `chunks()` drains it)."""

    def __init__(self) -> None:
        self.parts: list[bytes] = []
        self.total = 0

    def write(self, data: bytes, /) -> int:
        self.parts.append(data)
        self.total += len(data)
        return len(data)

    def take(self) -> bytes:
        data = b"".join(self.parts)
        self.parts = []
        return data


class StreamedBundle(Bundle):
    """A planned bundle: `chunks()` streams it; `path` writes it to a temporary file first."""

    def __init__(
        self,
        manifest: Mapping[str, Any],
        files: Iterable[BundleFile],
        manifest_bytes: bytes | None = None,
        progress: ProgressCallback | None = None,
    ) -> None:
        self.planned = dict(manifest)
        self.files = list(files)
        self.mtime = time.time()
        self.stats = file_stats(self.files, self.mtime)  # an unreadable file is said now, as before
        self.manifest_bytes = manifest_bytes
        self.progress = progress
        self.file: Bundle | None = None  # the archive written to disk, once asked for
        self.sent = 0  # bytes of the archive streamed by chunks(), once it has finished
        self.found: tuple[dict[str, Any], dict[str, str]] | None = None  # manifest and checksums, once read

    @property
    def manifest(self) -> dict[str, Any]:
        """The manifest with every file's MD5: known once streamed, else the file is written now."""
        return self._found()[0]

    @manifest.setter
    def manifest(self, value: dict[str, Any]) -> None:
        raise AttributeError("a streamed bundle's manifest is found while it is written")

    @property
    def checksums(self) -> dict[str, str]:
        return self._found()[1]

    @checksums.setter
    def checksums(self, value: dict[str, str]) -> None:
        raise AttributeError("a streamed bundle's checksums are found while it is written")

    def _found(self) -> tuple[dict[str, Any], dict[str, str]]:
        if self.found is None:
            written = self.to_file()
            self.found = written.manifest, written.checksums
        return self.found

    def listed(self) -> list[str]:
        return [f.arcname for f in self.files]

    @property
    def app_mode(self) -> str:
        mode: str = self.planned["metadata"]["appmode"]
        return mode

    @property
    def written(self) -> bool:
        return self.file is not None

    @property
    def path(self) -> Path:
        return self.to_file().path

    @path.setter
    def path(self, value: Path) -> None:
        raise AttributeError("a streamed bundle's path is where it is written")

    @property
    def size(self) -> int:
        return self.sent if self.sent and self.file is None else self.to_file().size

    def to_file(self) -> Bundle:
        """The archive as a temporary file (written now, the first time; manifest.json first)."""
        if self.file is None:
            self.file = write_bundle(self.planned, self.files, self.manifest_bytes, self.progress)
        return self.file

    def total_bytes(self) -> int:
        """The bytes of the files to read: what progress counts."""
        return sum(size for size, _, _ in self.stats)

    def chunks(self) -> Generator[bytes, None, None]:
        """The .tar.gz, piece by piece as it is compressed; `progress` hears of the files' bytes
        read (phase "upload", of the sum of their sizes). Each call writes the archive anew."""
        out = _Parts()
        meter = Meter(self.progress, UPLOAD, self.total_bytes())
        meter.start()
        checksums: dict[str, str] = {}
        with ParallelGzip(out, GZIP_LEVEL, self.mtime) as gz:
            for _ in tar_entries(self.files, self.stats, gz, meter, checksums):
                if out.parts:
                    yield out.take()
            manifest, raw = self._final_manifest(checksums)
            gz.write(manifest_entry(raw, self.mtime))
            gz.write(TAR_END)
        yield out.take()
        self.found, self.sent = (manifest, checksums), out.total
        meter.finish()

    def _final_manifest(self, checksums: Mapping[str, str]) -> tuple[dict[str, Any], bytes]:
        if self.manifest_bytes is not None:
            import json

            return json.loads(self.manifest_bytes.decode("utf-8")), self.manifest_bytes
        manifest = dict(self.planned, files={f.arcname: {"checksum": checksums[f.arcname]} for f in self.files})
        return manifest, manifest_json(manifest)

    def close(self) -> None:
        if self.file is not None:
            self.file.close()


def plan_bundle(
    manifest: Mapping[str, Any],
    files: Iterable[BundleFile],
    manifest_bytes: bytes | None = None,
    progress: ProgressCallback | None = None,
) -> StreamedBundle:
    """A bundle to stream while it uploads (or to write to a file when something asks for one)."""
    return StreamedBundle(manifest, files, manifest_bytes, progress)

"""What goes into a bundle (`BundleFile`) and what comes out (`Bundle`, the .tar.gz on disk)."""

from __future__ import annotations

import io
import os
import tarfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO


@dataclass
class BundleFile:
    """One file of a bundle: its name inside the archive and where its bytes come from."""

    arcname: str
    path: Path | None = None
    data: bytes | None = None  # the bytes themselves (a rendered page, requirements.txt), else `path`

    def source(self) -> Path:
        """The file on disk to read (for a file given by `path`)."""
        if self.path is None:
            raise TypeError("BundleFile %r has neither data nor a path" % self.arcname)
        return self.path

    def open(self) -> BinaryIO:
        return open(self.source(), "rb") if self.data is None else io.BytesIO(self.data)

    def size(self) -> int:
        return len(self.data) if self.data is not None else os.path.getsize(self.source())


class Bundle:
    """A built bundle on disk. Use as a context manager so the temporary file goes away."""

    def __init__(self, path: str | Path, manifest: dict[str, Any], checksums: dict[str, str] | None = None) -> None:
        self.path = Path(path)
        self.manifest = manifest
        self.checksums = checksums or {}  # arcname -> MD5 of the bytes written into the archive

    @property
    def app_mode(self) -> str:
        mode: str = self.manifest["metadata"]["appmode"]
        return mode

    @property
    def size(self) -> int:
        return self.path.stat().st_size

    def listed(self) -> list[str]:
        """The names of the files the manifest lists."""
        return list(self.manifest["files"])

    def names(self) -> list[str]:
        with tarfile.open(self.path, "r:gz") as tar:
            return tar.getnames()

    def open(self) -> BinaryIO:
        """The archive as an open binary file, for a streamed upload."""
        return open(self.path, "rb")

    def close(self) -> None:
        try:
            self.path.unlink()
        except FileNotFoundError:
            pass

    def __enter__(self) -> Bundle:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

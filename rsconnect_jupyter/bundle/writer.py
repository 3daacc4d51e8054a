"""Writing a bundle: manifest.json then every file into a temporary .tar.gz, in one pass over the files.

The archive is written in one pass over the files: each chunk read is hashed (MD5, for the
manifest) and compressed at once, so no file is read twice and memory stays flat. Connect
wants manifest.json first, but its checksums are only known at the end; so the file starts
with a gap of exactly the right size, the files go after it as one gzip member (the level of
`tar czf`), and the manifest is written into the gap last as a gzip member of its own made of
stored (uncompressed) deflate blocks, whose length depends only on the manifest's length,
which is known in advance (every checksum is 32 hex digits). Two gzip members one after the
other are one valid gzip stream (RFC 1952), read as such by tar, Python's gzip and Go's.
The files' member is compressed by a few threads (`ParallelGzip`) while the main thread reads
and hashes, so bundling keeps up with (or beats) `tar czf`.
"""

from __future__ import annotations

import hashlib
import json
import os
import tarfile
import tempfile
import time
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from ..exceptions import BundleError, Fix, Hint
from ..progress import BUILD, Meter, ProgressCallback
from .archive import Bundle, BundleFile
from .compress import COPY_CHUNK, GZIP_LEVEL, ParallelGzip, stored_gzip, stored_gzip_length
from .stored import SAMPLE, looks_compressed, stored_by_name

_TAR_BLOCK = 512
TAR_END = b"\0" * (2 * _TAR_BLOCK)  # the end of a tar archive
PLACEHOLDER = "0" * 32

# A file's size, modification time and mode as its tar header gives them.
Stat = tuple[int, float, int]


def md5_of(bundle_file: BundleFile) -> str:
    digest = hashlib.md5()
    with bundle_file.open() as f:
        for chunk in iter(lambda: f.read(COPY_CHUNK), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _tar_header(arcname: str, size: int, mtime: float, mode: int = 0o644) -> bytes:
    info = tarfile.TarInfo(arcname)
    info.size = size
    info.mtime = int(mtime)
    info.mode = mode
    info.type = tarfile.REGTYPE
    return info.tobuf(tarfile.PAX_FORMAT, "utf-8", "surrogateescape")


def _tar_padding(size: int) -> bytes:
    return b"\0" * (-size % _TAR_BLOCK)


def _copy_hashing(
    bundle_file: BundleFile, size: int, out: ParallelGzip, buffer: bytearray, meter: Meter
) -> Iterator[str | None]:
    """Copy `size` bytes of the file (the size in its tar header) into `out`, hashing as it goes:
    yields None after each chunk (so a stream can send what is ready), then the file's MD5.

    A file that is already compressed (by its name, or by its first chunk) is stored, not deflated."""
    digest = hashlib.md5()
    if bundle_file.data is not None:
        digest.update(bundle_file.data)
        out.write(bundle_file.data)
        meter.add(len(bundle_file.data))
        yield digest.hexdigest()
        return
    remaining = size
    view = memoryview(buffer)
    store = stored_by_name(bundle_file.arcname)
    first = True
    with open(bundle_file.source(), "rb", buffering=0) as src:
        while remaining:
            n = src.readinto(view[: min(len(buffer), remaining)])
            if not n:
                raise BundleError(
                    "%s got shorter while the bundle was being written: publish again once nothing "
                    "is writing to it." % bundle_file.path
                )
            chunk = view[:n]
            if first:
                store = store or looks_compressed(bytes(chunk[:SAMPLE]))
                first = False
            digest.update(chunk)
            out.write(chunk, store=store)
            remaining -= n
            meter.add(n)
            yield None
    yield digest.hexdigest()


def tar_entries(
    files: list[BundleFile], stats: list[Stat], out: ParallelGzip, meter: Meter, checksums: dict[str, str]
) -> Iterator[None]:
    """Write each file's tar header, bytes and padding into `out`, its MD5 into `checksums`;
    yields after each chunk read."""
    buffer = bytearray(COPY_CHUNK)
    for f, (size, file_mtime, mode) in zip(files, stats):
        out.write(_tar_header(f.arcname, size, file_mtime, mode))
        try:
            for digest in _copy_hashing(f, size, out, buffer, meter):
                if digest is None:
                    yield None
                else:
                    checksums[f.arcname] = digest
        except OSError as e:
            raise _unreadable(f, e) from e
        out.write(_tar_padding(size))


def write_bundle(
    manifest: Mapping[str, Any],
    files: Iterable[BundleFile],
    manifest_bytes: bytes | None = None,
    progress: ProgressCallback | None = None,
) -> Bundle:
    """Write manifest.json then every file to a temporary .tar.gz, in one pass over the files.

    The manifest's `files` are filled in with each file's MD5, computed while the file is copied.
    With `manifest_bytes` (`deploy manifest`), those exact bytes are the bundle's manifest.json and
    the checksums found are kept in `Bundle.checksums` (for the caller to compare). `progress`
    hears of the files' bytes read (phase "build", of the sum of their sizes).
    """
    written: dict[str, Any] = dict(manifest)
    files = list(files)
    mtime = time.time()
    stats = file_stats(files, mtime)
    if manifest_bytes is None:
        written["files"] = {f.arcname: {"checksum": PLACEHOLDER} for f in files}
        manifest_length = len(manifest_json(written))
    else:
        manifest_length = len(manifest_bytes)
    head = _tar_header("manifest.json", manifest_length, mtime)
    head_member_length = len(head) + manifest_length + len(_tar_padding(manifest_length))
    gap = stored_gzip_length(head_member_length)
    meter = Meter(progress, BUILD, sum(size for size, _, _ in stats))
    meter.start()

    checksums: dict[str, str] = {}
    fd, path = tempfile.mkstemp(prefix="rsconnect-bundle-", suffix=".tar.gz")
    try:
        with os.fdopen(fd, "wb") as raw:
            raw.seek(gap)
            with ParallelGzip(raw, GZIP_LEVEL, mtime) as gz:
                for _ in tar_entries(files, stats, gz, meter, checksums):
                    pass
                gz.write(TAR_END)
            if manifest_bytes is None:
                written["files"] = {name: {"checksum": checksums[name]} for name in written["files"]}
                manifest_bytes = manifest_json(written)
            else:
                written = json.loads(manifest_bytes.decode("utf-8"))
            assert len(manifest_bytes) == manifest_length, "manifest length changed"
            member = stored_gzip(head + manifest_bytes + _tar_padding(manifest_length), mtime)
            assert len(member) == gap, "manifest member does not fill its gap"
            raw.seek(0)
            raw.write(member)
    except BaseException:
        os.unlink(path)
        raise
    meter.finish()
    return Bundle(path, written, checksums)


def file_stats(files: list[BundleFile], mtime: float) -> list[Stat]:
    """Sizes as the tar headers say them, even if a file grows meanwhile; executables stay executable.
    An unreadable file is said here, before anything is written or sent."""
    return [(len(f.data), mtime, 0o644) if f.data is not None else _stat(f) for f in files]


def manifest_entry(manifest_bytes: bytes, mtime: float) -> bytes:
    """manifest.json as a tar member: header, bytes, padding."""
    length = len(manifest_bytes)
    return _tar_header("manifest.json", length, mtime) + manifest_bytes + _tar_padding(length)


def _stat(bundle_file: BundleFile) -> Stat:
    try:
        st = os.stat(bundle_file.source())
    except OSError as e:
        raise _unreadable(bundle_file, e) from e
    return st.st_size, st.st_mtime, 0o755 if st.st_mode & 0o111 else 0o644


def _unreadable(bundle_file: BundleFile, error: OSError) -> BundleError:
    return BundleError(
        "Could not read %s (%s)" % (bundle_file.path, error.strerror or error), hint=Hint(Fix.LEAVE_OUT_FILE)
    )


def manifest_json(manifest: Mapping[str, Any]) -> bytes:
    return json.dumps(manifest, indent=2).encode("utf-8")

"""Bundles are untrusted: read and extract them with our own checks.

`tarfile`'s `filter="data"` only exists from Python 3.12 (and late 3.9-3.11 patch releases), so
every member is checked here: no absolute paths, no `..`, no device files or FIFOs, links only to
a place inside the bundle, and caps on the member count and the total uncompressed size (a gzip
bomb stops being read as soon as it passes the cap). Links are written as copies of their target,
so nothing on disk can point outside the bundle's folder.
"""

from __future__ import annotations

import os
import posixpath
import shutil
import tarfile
from collections.abc import Iterator
from typing import IO, Any, BinaryIO, TypedDict, cast

from . import errors, jsonlimits

DEFAULT_MAX_FILES = 20000
DEFAULT_MAX_UNPACKED = 4 * 1024**3


class BundleLimits(TypedDict, total=False):
    """The server's caps for `read_manifest` and `extract` (keyword arguments); unset: the defaults."""

    max_files: int
    max_unpacked: int


class BundleRefused(errors.ConnectError):
    def __init__(self, message: str, code: int = errors.BAD_BUNDLE) -> None:
        super().__init__(400, code, message)


def _clean_name(name: str) -> str:
    """The member's path relative to the bundle root, or BundleRefused."""
    if "\\" in name or "\x00" in name:
        raise BundleRefused("The bundle has an invalid file name: %r." % name)
    if name.startswith("/") or (len(name) > 1 and name[1] == ":"):
        raise BundleRefused("The bundle has an absolute path: %r." % name)
    parts = [p for p in name.split("/") if p not in ("", ".")]
    if ".." in parts:
        raise BundleRefused("The bundle has a path that leaves the bundle: %r." % name)
    return "/".join(parts)


def _link_target(member: tarfile.TarInfo, clean: str) -> str:
    """The bundle-relative path a link points at, or BundleRefused when it points outside."""
    target = member.linkname
    if target.startswith("/") or "\\" in target:
        raise BundleRefused("The bundle has a link that points outside the bundle: %r -> %r." % (member.name, target))
    base = posixpath.dirname(clean) if member.issym() else ""
    joined = posixpath.normpath(posixpath.join(base, target))
    if joined == ".." or joined.startswith("../") or joined.startswith("/"):
        raise BundleRefused("The bundle has a link that points outside the bundle: %r -> %r." % (member.name, target))
    return joined


def _members(tar: tarfile.TarFile, max_files: int, max_unpacked: int) -> Iterator[tuple[tarfile.TarInfo, str]]:
    """Yield (member, clean name) after checking each one."""
    count = total = 0
    for member in tar:
        count += 1
        if count > max_files:
            raise BundleRefused("The bundle has more than %d files." % max_files)
        if not (member.isreg() or member.isdir() or member.issym() or member.islnk()):
            raise BundleRefused("The bundle has a device file, FIFO or other special file: %r." % member.name)
        clean = _clean_name(member.name)
        if member.issym() or member.islnk():
            _link_target(member, clean)
        total += max(member.size, 0)
        if total > max_unpacked:
            raise BundleRefused("The bundle unpacks to more than %d bytes." % max_unpacked)
        yield member, clean


def _open(path: str | os.PathLike[str]) -> tarfile.TarFile:
    try:
        return tarfile.open(path, "r:*")
    except (tarfile.TarError, OSError, EOFError) as e:
        raise BundleRefused("The bundle is not a readable .tar.gz archive (%s)." % e) from e


def read_manifest(
    path: str | os.PathLike[str], max_files: int = DEFAULT_MAX_FILES, max_unpacked: int = DEFAULT_MAX_UNPACKED
) -> dict[str, Any]:
    """Check every member of the archive and return its parsed, validated manifest.json."""
    with _open(path) as tar:
        return _checked_manifest(tar, max_files, max_unpacked)


def _checked_manifest(tar: tarfile.TarFile, max_files: int, max_unpacked: int) -> dict[str, Any]:
    manifest_bytes = None
    try:
        for member, clean in _members(tar, max_files, max_unpacked):
            if clean == "manifest.json" and member.isreg():
                # a regular member always has a file object
                manifest_bytes = cast(IO[bytes], tar.extractfile(member)).read(jsonlimits.MAX_MANIFEST_BYTES + 1)
    except (tarfile.TarError, OSError, EOFError, ValueError) as e:
        raise BundleRefused("The bundle is not a readable .tar.gz archive (%s)." % e) from e
    if manifest_bytes is None:
        raise BundleRefused("The bundle has no manifest.json at its root.", errors.INVALID_MANIFEST)
    return parse_manifest(manifest_bytes)


def manifest_in(folder: str) -> dict[str, Any]:
    """The parsed, validated manifest.json of an extracted bundle."""
    path = os.path.join(folder, "manifest.json")
    if not os.path.isfile(path) or os.path.islink(path):
        raise BundleRefused("The bundle has no manifest.json at its root.", errors.INVALID_MANIFEST)
    with open(path, "rb") as f:
        return parse_manifest(f.read(jsonlimits.MAX_MANIFEST_BYTES + 1))


def parse_manifest(data: bytes) -> dict[str, Any]:
    try:
        manifest = jsonlimits.loads(data, jsonlimits.MAX_MANIFEST_BYTES)
    except jsonlimits.JSONRefused as e:
        raise BundleRefused("The bundle's manifest.json cannot be used: %s." % e, errors.INVALID_MANIFEST) from None
    if not isinstance(manifest, dict) or not isinstance(manifest.get("metadata"), dict):
        raise BundleRefused('The bundle\'s manifest.json has no "metadata" object.', errors.INVALID_MANIFEST)
    mode = manifest["metadata"].get("appmode")
    if not isinstance(mode, str) or not mode:
        raise BundleRefused("The bundle's manifest.json has no metadata.appmode.", errors.INVALID_MANIFEST)
    python = manifest.get("python")
    if python is not None and not (isinstance(python, dict) and isinstance(python.get("version", ""), str)):
        raise BundleRefused('The bundle\'s manifest.json has an invalid "python" section.', errors.INVALID_MANIFEST)
    return manifest


def python_version(manifest: dict[str, Any]) -> str | None:
    python = manifest.get("python") or {}
    return python.get("version") or None


def extract(
    path: str | os.PathLike[str],
    dest: str | os.PathLike[str],
    max_files: int = DEFAULT_MAX_FILES,
    max_unpacked: int = DEFAULT_MAX_UNPACKED,
) -> str:
    """Extract the archive into the new folder `dest` (which must not exist yet)."""
    with _open(path) as tar:
        return _extract(tar, dest, max_files, max_unpacked)


def extract_stream(
    fileobj: BinaryIO,
    dest: str | os.PathLike[str],
    max_files: int = DEFAULT_MAX_FILES,
    max_unpacked: int = DEFAULT_MAX_UNPACKED,
) -> str:
    """`extract` of an uncompressed tar read once, front to back (the upload as it arrives: intake.py)."""
    try:
        tar = tarfile.open(fileobj=fileobj, mode="r|", bufsize=1 << 20)
    except (tarfile.TarError, OSError, EOFError) as e:
        raise BundleRefused("The bundle is not a readable .tar.gz archive (%s)." % e) from e
    with tar:
        return _extract(tar, dest, max_files, max_unpacked)


def _extract(tar: tarfile.TarFile, dest: str | os.PathLike[str], max_files: int, max_unpacked: int) -> str:
    dest = os.path.abspath(dest)
    os.makedirs(dest)
    real_dest = os.path.realpath(dest)
    links: list[tuple[str, str]] = []

    def inside(rel: str) -> str:
        full = os.path.join(dest, *rel.split("/")) if rel else dest
        parent = os.path.realpath(os.path.dirname(full))
        if parent != real_dest and not parent.startswith(real_dest + os.sep):
            raise BundleRefused("The bundle writes outside its folder: %r." % rel)
        return full

    try:
        for member, clean in _members(tar, max_files, max_unpacked):
            if not clean:
                continue
            if member.isdir():
                os.makedirs(inside(clean), exist_ok=True)
            elif member.isreg():
                full = inside(clean)
                os.makedirs(os.path.dirname(full), exist_ok=True)
                if os.path.islink(full) or os.path.isdir(full):
                    raise BundleRefused("The bundle has a file that replaces a folder: %r." % clean)
                data = cast(IO[bytes], tar.extractfile(member))  # a regular member: a file object
                with open(full, "wb") as out:
                    shutil.copyfileobj(data, out, 1024 * 1024)
                os.chmod(full, 0o755 if member.mode & 0o100 else 0o644)
            else:
                links.append((clean, _link_target(member, clean)))
    except (tarfile.TarError, EOFError) as e:
        raise BundleRefused("The bundle is not a readable .tar.gz archive (%s)." % e) from e
    # Links become copies of what they point at, once every regular file is in place.
    for clean, target in links:
        src, full = inside(target), inside(clean)
        if os.path.isdir(src):
            shutil.copytree(src, full, symlinks=False, dirs_exist_ok=True)
        elif os.path.isfile(src):
            os.makedirs(os.path.dirname(full), exist_ok=True)
            shutil.copyfile(src, full)
    return dest


def safe_join(root: str, rel: str) -> str | None:
    """root/rel when it stays inside root (for serving files), else None."""
    rel = rel.lstrip("/")
    try:
        clean = _clean_name(rel)
    except BundleRefused:
        return None
    full = os.path.realpath(os.path.join(root, *clean.split("/"))) if clean else os.path.realpath(root)
    real_root = os.path.realpath(root)
    if full != real_root and not full.startswith(real_root + os.sep):
        return None
    return full

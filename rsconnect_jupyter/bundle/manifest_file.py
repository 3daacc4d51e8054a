"""An existing manifest.json (`deploy manifest`): read and check it, bundle exactly the files it lists.

`find_manifest` and `read_manifest` only read the file; they could live in rsconnect_jupyter/manifest.py
beside the builders of new manifests (left here for now: that module has another owner in issue 13).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ..exceptions import InvalidInput
from ..progress import ProgressCallback
from .archive import Bundle, BundleFile
from .files import PathLike
from .writer import write_bundle


def find_manifest(path: PathLike) -> Path:
    """`path` itself, or the manifest.json in it when it is a directory."""
    path = Path(path)
    if path.is_dir():
        path = path / "manifest.json"
    if not path.is_file():
        raise InvalidInput(
            '%s does not exist: give a manifest.json (write one with "rsconnect write-manifest").' % path
        )
    return path


def read_manifest(path: PathLike) -> tuple[dict[str, Any], bytes]:
    """The manifest (parsed) and its exact bytes, or one sentence about what is wrong with it."""
    path = find_manifest(path)
    raw = path.read_bytes()
    try:
        manifest = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as e:
        raise InvalidInput(
            '%s is not valid JSON (%s): fix it, or write it again with "rsconnect write-manifest".'
            % (path, str(e).rstrip("."))
        ) from e
    metadata = manifest.get("metadata") if isinstance(manifest, dict) else None
    if not isinstance(metadata, dict) or not isinstance(metadata.get("appmode"), str) or not metadata["appmode"]:
        raise InvalidInput(
            "%s has no metadata.appmode, so Connect could not tell what it is: write it again with "
            '"rsconnect write-manifest".' % path
        )
    files = manifest.get("files")
    if not isinstance(files, dict) or not files:
        raise InvalidInput('%s lists no files: write it again with "rsconnect write-manifest".' % path)
    return manifest, raw


def manifest_files(path: PathLike, manifest: Mapping[str, Any]) -> list[BundleFile]:
    """The files a manifest lists, as BundleFiles; each must exist beside it (manifest.json itself aside)."""
    path = find_manifest(path)
    base = path.parent.resolve()
    files: list[BundleFile] = []
    missing: list[str] = []
    for name in manifest["files"]:
        if name == "manifest.json":
            continue
        parts = name.replace("\\", "/").split("/")
        if name.startswith("/") or ".." in parts or (len(name) > 1 and name[1] == ":"):
            raise InvalidInput(
                '%s lists "%s", which is outside its folder: files must be given relative to the '
                "manifest's folder." % (path, name)
            )
        full = base.joinpath(*[p for p in parts if p not in ("", ".")])
        if not full.is_file():
            missing.append(name)
        else:
            files.append(BundleFile("/".join(p for p in parts if p not in ("", ".")), path=full))
    if missing:
        shown = ", ".join(missing[:3]) + (" and %d more" % (len(missing) - 3) if len(missing) > 3 else "")
        verb, pronoun = ("is", "it") if len(missing) == 1 else ("are", "them")
        raise InvalidInput(
            '%s lists %s, which %s not in %s: restore %s, or write the manifest again with "rsconnect write-manifest".'
            % (path.name, shown, verb, base, pronoun)
        )
    return files


def manifest_bundle(path: PathLike, progress: ProgressCallback | None = None) -> Bundle:
    """The manifest as it is (its exact bytes) and exactly the files it lists; its app mode is kept.

    `Bundle.checksums` holds the MD5 of what was bundled, to compare with the manifest's.
    """
    manifest, raw = read_manifest(path)
    files = manifest_files(path, manifest)
    return write_bundle(manifest, files, manifest_bytes=raw, progress=progress)


def changed_files(bundle: Bundle, manifest: Mapping[str, Any]) -> list[str]:
    """Names whose bundled bytes differ from the checksum the manifest gives."""
    changed: list[str] = []
    for name, entry in (manifest.get("files") or {}).items():
        expected = entry.get("checksum") if isinstance(entry, dict) else None
        got = bundle.checksums.get(name)
        if expected and got and expected.lower() != got:
            changed.append(name)
    return changed

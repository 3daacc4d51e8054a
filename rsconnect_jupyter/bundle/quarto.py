"""Quarto source bundles (quarto-static, quarto-shiny), as rsconnect-python 1.32 builds them.

A document: the document, requirements.txt when the jupyter engine runs code, and the extra files.
A project: the folder's files minus what never goes into a bundle, -x globs and what a local render
left (.quarto, the output folder, each input's .html and _files folder).
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Sequence
from pathlib import Path

from .. import apps
from .. import manifest as manifests
from ..exceptions import InvalidInput
from ..manifest import Manifest
from ..progress import ProgressCallback
from ..quarto import QuartoContent, rendered_excludes
from ..snapshot import Snapshot
from .archive import Bundle, BundleFile
from .files import PathLike, collect_files, unique
from .stream import plan_bundle
from .writer import md5_of


def quarto_files(
    content: QuartoContent,
    snapshot: Snapshot | None,
    extra_files: Iterable[PathLike] = (),
    excludes: Sequence[str] = (),
) -> list[BundleFile]:
    base = content.base_dir
    files = []
    if snapshot is not None:
        files.append(BundleFile(manifests.REQUIREMENTS_FILE, data=snapshot["requirements"].encode("utf-8")))
    if content.is_project:
        rules = apps.Excludes(base, [*excludes, *rendered_excludes(content)])
        files += [BundleFile(rel, path=base / rel) for rel in apps.list_files(base, rules)]
    else:
        files.append(BundleFile(content.path.name, path=content.path))
    files += [f for f in collect_files(base, extra_files) if f.arcname != "manifest.json"]
    return unique(files)


def quarto_manifest(content: QuartoContent, snapshot: Snapshot | None) -> Manifest:
    return manifests.quarto_manifest(content.app_mode, content.version, content.engines, content.is_site, snapshot)


def quarto_bundle(
    content: QuartoContent,
    snapshot: Snapshot | None,
    files: list[BundleFile],
    progress: ProgressCallback | None = None,
) -> Bundle:
    return plan_bundle(quarto_manifest(content, snapshot), files, progress=progress)


def write_quarto_manifest(
    content: QuartoContent,
    snapshot: Snapshot | None,
    extra_files: Iterable[PathLike] = (),
    excludes: Sequence[str] = (),
    overwrite: bool = False,
) -> list[Path]:
    """manifest.json in the document's folder or the project's (requirements.txt too when the jupyter
    engine needs one and there is none), with the checksums `deploy quarto` would send."""
    base = Path(os.path.abspath(str(content.base_dir)))
    manifest_path = base / "manifest.json"
    if manifest_path.exists() and not overwrite:
        raise InvalidInput("%s already exists: pass --overwrite to replace it." % manifest_path)
    files = quarto_files(content, snapshot, extra_files, excludes)
    manifest = quarto_manifest(content, snapshot)
    manifest["files"] = {f.arcname: {"checksum": md5_of(f)} for f in files}
    written = []
    requirements_path = base / manifests.REQUIREMENTS_FILE
    if snapshot is not None and (not requirements_path.exists() or snapshot.get("source") != "file"):
        with open(requirements_path, "w", encoding="utf-8", newline="") as f:
            f.write(snapshot["requirements"])
        written.append(requirements_path)
    manifest_path.write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    written.append(manifest_path)
    return written

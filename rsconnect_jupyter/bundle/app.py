"""APIs and apps: a directory's bundle (`python-api`, `-fastapi`, `-dash`, `-streamlit`, `-bokeh`).

rsconnect_jupyter/apps.py decides which files of the directory belong; this module bundles them.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable
from pathlib import Path
from typing import Union

from .. import apps
from .. import manifest as manifests
from ..exceptions import InvalidInput
from ..manifest import Manifest
from ..progress import ProgressCallback
from ..snapshot import Snapshot
from .archive import Bundle, BundleFile
from .files import PathLike, collect_files, unique
from .stream import plan_bundle
from .writer import md5_of

# `-x` globs as given, or the rules already built from them.
ExcludesLike = Union[apps.Excludes, Iterable[str]]


def app_files(
    directory: PathLike,
    snapshot: Snapshot,
    extra_files: Iterable[PathLike] = (),
    excludes: ExcludesLike = (),
) -> list[BundleFile]:
    """The files of an API's or app's bundle: requirements.txt, then the directory's files.

    requirements.txt is the snapshot's (the directory's own file as-is, or the generated list);
    EXTRA_FILES are included even when an exclude or a default rule would leave them out.
    """
    directory = Path(os.path.abspath(str(directory)))
    if not directory.is_dir():
        raise InvalidInput("%s is not a directory: give the folder that holds the app." % directory)
    rules = excludes if isinstance(excludes, apps.Excludes) else apps.Excludes(directory, excludes)
    files = [BundleFile(manifests.REQUIREMENTS_FILE, data=snapshot["requirements"].encode("utf-8"))]
    files += [
        BundleFile(rel, path=directory / rel)
        for rel in apps.list_files(directory, rules)
        if rel != manifests.REQUIREMENTS_FILE
    ]
    files += [f for f in collect_files(directory, extra_files) if f.arcname != "manifest.json"]
    return unique(files)


def app_manifest(app_mode: str, entrypoint: str, snapshot: Snapshot) -> Manifest:
    return manifests.python_manifest(app_mode, entrypoint, snapshot)


def app_bundle(
    directory: PathLike,
    app_mode: str,
    entrypoint: str,
    snapshot: Snapshot,
    extra_files: Iterable[PathLike] = (),
    excludes: ExcludesLike = (),
    files: list[BundleFile] | None = None,
    progress: ProgressCallback | None = None,
) -> Bundle:
    """`python-api`, `python-fastapi`, `python-dash`, `python-streamlit` or `python-bokeh`."""
    files = app_files(directory, snapshot, extra_files, excludes) if files is None else files
    return plan_bundle(app_manifest(app_mode, entrypoint, snapshot), files, progress=progress)


def write_app_manifest(
    directory: PathLike,
    app_mode: str,
    entrypoint: str,
    snapshot: Snapshot,
    extra_files: Iterable[PathLike] = (),
    excludes: ExcludesLike = (),
    overwrite: bool = False,
) -> list[Path]:
    """`rsconnect write-manifest TYPE DIR`: DIR/manifest.json, and DIR/requirements.txt if missing.

    Returns the paths written. The checksums match the bundle `deploy TYPE` would build, so
    `deploy manifest DIR/manifest.json` publishes the same thing.
    """
    directory = Path(os.path.abspath(str(directory)))
    manifest_path = directory / "manifest.json"
    requirements_path = directory / manifests.REQUIREMENTS_FILE
    if manifest_path.exists() and not overwrite:
        raise InvalidInput("%s already exists: pass --overwrite to replace it." % manifest_path)
    if requirements_path.exists() and snapshot.get("source") != "file" and not overwrite:
        raise InvalidInput(
            "%s exists but --force-generate lists the installed packages instead: pass --overwrite "
            "to replace it too, or leave out --force-generate." % requirements_path
        )
    files = app_files(directory, snapshot, extra_files, excludes)
    manifest = app_manifest(app_mode, entrypoint, snapshot)
    manifest["files"] = {f.arcname: {"checksum": md5_of(f)} for f in files}
    written = []
    if not requirements_path.exists() or snapshot.get("source") != "file":
        # As given, line endings too (Path.write_text takes `newline` only from Python 3.10).
        with open(requirements_path, "w", encoding="utf-8", newline="") as f:
            f.write(snapshot["requirements"])
        written.append(requirements_path)
    manifest_path.write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    written.append(manifest_path)
    return written

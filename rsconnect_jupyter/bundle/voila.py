"""Voila dashboards (`jupyter-voila`): the notebook, requirements.txt, voila.json when it is beside
the notebook, and the extra files, as rsconnect-python's `deploy voila` bundles them.

Connect runs the notebook with the voila that requirements.txt installs, so the requirements must
name it: `voila_missing` tells the publish flow to warn before the upload.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path

from .. import manifest as manifests
from ..exceptions import InvalidInput
from ..manifest import Manifest
from ..progress import ProgressCallback
from ..snapshot import Snapshot
from .archive import Bundle, BundleFile
from .files import PathLike, unique
from .notebook import notebook_source_files
from .stream import plan_bundle
from .writer import md5_of

APP_MODE = "jupyter-voila"
VOILA_CONFIG = "voila.json"  # Voila's settings beside the notebook: rsconnect-python bundles it too


def voila_files(notebook_path: PathLike, snapshot: Snapshot, extra_files: Iterable[PathLike] = ()) -> list[BundleFile]:
    """The notebook, requirements.txt, voila.json (when beside the notebook) and the extra files."""
    path = Path(notebook_path)
    files = notebook_source_files(path, snapshot, extra_files)
    config = path.parent / VOILA_CONFIG
    if config.is_file():
        files = unique(files + [BundleFile(VOILA_CONFIG, path=config.resolve())])
    return files


def voila_manifest(notebook_name: str, snapshot: Snapshot) -> Manifest:
    return manifests.python_manifest(APP_MODE, notebook_name, snapshot)


def voila_bundle(
    notebook_path: PathLike,
    snapshot: Snapshot,
    extra_files: Iterable[PathLike] = (),
    progress: ProgressCallback | None = None,
) -> Bundle:
    """`jupyter-voila`: Connect installs the requirements and serves the notebook with Voila."""
    path = Path(notebook_path)
    files = voila_files(path, snapshot, extra_files)
    return plan_bundle(voila_manifest(path.name, snapshot), files, progress=progress)


def voila_missing(requirements: str) -> bool:
    """True when no line of the requirements names the voila package."""
    from ..checks import requirement_names  # the one reading of names (PEP 503), imported when needed

    return "voila" not in requirement_names(requirements)


def write_voila_manifest(
    notebook_path: PathLike,
    snapshot: Snapshot,
    extra_files: Iterable[PathLike] = (),
    overwrite: bool = False,
) -> list[Path]:
    """`rsconnect write-manifest voila`: manifest.json (and requirements.txt if missing) beside the
    notebook. Returns the paths written; the checksums match the bundle `deploy voila` builds."""
    path = Path(notebook_path)
    folder = path.parent
    manifest_path = folder / "manifest.json"
    if manifest_path.exists() and not overwrite:
        raise InvalidInput("%s already exists: pass --overwrite to replace it." % manifest_path)
    files = voila_files(path, snapshot, extra_files)
    manifest = voila_manifest(path.name, snapshot)
    manifest["files"] = {f.arcname: {"checksum": md5_of(f)} for f in files}
    written = []
    requirements_path = folder / manifests.REQUIREMENTS_FILE
    if not requirements_path.exists():
        with open(requirements_path, "w", encoding="utf-8", newline="") as f:
            f.write(snapshot["requirements"])
        written.append(requirements_path)
    manifest_path.write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    written.append(manifest_path)
    return written

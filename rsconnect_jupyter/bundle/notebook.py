"""Notebooks: reading and checking a .ipynb file, rendering it to HTML, and its two kinds of bundle.

Builders:
  html_snapshot_bundle   the notebook rendered to HTML as saved (or executed first)   -> static
  notebook_source_bundle the notebook, its requirements.txt and extra files          -> jupyter-static
"""

from __future__ import annotations

import json
import warnings
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .. import manifest as manifests
from ..exceptions import BundleError, InvalidInput
from ..progress import ProgressCallback
from ..snapshot import Snapshot
from .archive import Bundle, BundleFile
from .files import PathLike, collect_files, unique
from .stream import plan_bundle
from .writer import md5_of

if TYPE_CHECKING:
    from nbformat import NotebookNode


def _check_notebook_path(notebook_path: PathLike) -> Path:
    path = Path(notebook_path)
    if not path.is_file():
        raise InvalidInput("The notebook %s does not exist." % notebook_path)
    if path.suffix.lower() != ".ipynb":
        raise InvalidInput("%s is not a notebook: give a .ipynb file." % notebook_path)
    return path


def _invalid_notebook(notebook_path: PathLike, e: Exception) -> BundleError:
    reason = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
    return BundleError(
        "%s is not a valid notebook (%s): open and save it in Jupyter, or fix the file."
        % (notebook_path, reason.rstrip(".")[:200])
    )


def read_notebook(notebook_path: PathLike) -> NotebookNode:
    """The notebook as nbformat v4 (a NotebookNode, validated by nbformat), or one clear sentence about
    why it cannot be used. Imports nbformat (slow: jsonschema); only HTML rendering needs it."""
    path = _check_notebook_path(notebook_path)
    import nbformat

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            # nbformat and nbconvert leave some functions unannotated: hence the ignores below.
            nb: NotebookNode = nbformat.read(str(path), as_version=4)  # type: ignore[no-untyped-call]
            nbformat.validate(nb)
    except Exception as e:
        raise _invalid_notebook(notebook_path, e) from e
    return nb


def check_notebook_file(notebook_path: PathLike) -> dict[str, Any]:
    """The notebook parsed with the standard library's json (a plain dict), or one clear sentence about
    why it cannot be used.

    For source bundles and manifests, which send the file as it is: nbformat 4, `metadata` a dict,
    `cells` a list of dicts each with a `cell_type` and a `source`. Older formats (which nbformat
    converts) go through `read_notebook`, so they are accepted or refused exactly as before.
    """
    path = _check_notebook_path(notebook_path)
    try:
        with open(str(path), encoding="utf8") as f:
            text = f.read()
        try:
            nb = json.loads(text)
        except ValueError:
            message = "Notebook does not appear to be JSON: %r" % text  # nbformat's words
            raise ValueError(message[:77] + "..." if len(message) > 80 else message) from None
        if not isinstance(nb, dict):
            raise ValueError("The notebook is a JSON %s, not an object" % type(nb).__name__)
        version = nb.get("nbformat", 1)  # nbformat's default
        if type(version) is not int:
            raise ValueError("Unsupported nbformat version %r" % (version,))
        if version != 4:
            return dict(read_notebook(path))  # 1-3 (nbformat converts them) or unsupported: as before
        if not isinstance(nb.get("metadata"), dict):
            raise ValueError("The notebook's metadata is missing or not an object")
        cells = nb.get("cells")
        if not isinstance(cells, list):
            raise ValueError("The notebook's cells are missing or not a list")
        for i, cell in enumerate(cells):
            if not isinstance(cell, dict):
                raise ValueError("Cell %d is not an object" % (i + 1))
            for key in ("cell_type", "source"):
                if key not in cell:
                    raise ValueError("Cell %d has no %s" % (i + 1, key))
            if not isinstance(cell["cell_type"], str):
                raise ValueError("Cell %d's cell_type is not a string" % (i + 1))
            source = cell["source"]
            if not (
                isinstance(source, str) or (isinstance(source, list) and all(isinstance(line, str) for line in source))
            ):
                raise ValueError("Cell %d's source is not text" % (i + 1))
    except BundleError:
        raise
    except Exception as e:
        raise _invalid_notebook(notebook_path, e) from e
    return nb


def render_html(
    notebook_path: PathLike,
    hide_all_input: bool = False,
    hide_tagged_input: bool = False,
    execute: bool = False,
    timeout: int = 600,
) -> str:
    """The notebook as one HTML document: as saved, or executed first with `execute`."""
    from nbconvert import HTMLExporter
    from nbconvert.preprocessors import TagRemovePreprocessor

    path = Path(notebook_path)
    nb = read_notebook(path)
    if execute:
        from nbconvert.preprocessors import ExecutePreprocessor

        kernel = (nb.metadata.get("kernelspec") or {}).get("name") or "python3"
        try:
            executor = ExecutePreprocessor(timeout=timeout, kernel_name=kernel)  # type: ignore[no-untyped-call]
            executor.preprocess(nb, {"metadata": {"path": str(path.parent.resolve())}})
        except Exception as e:
            first = (str(e).strip().splitlines() or [type(e).__name__])[-1]
            raise BundleError(
                "Running %s failed (%s): fix the notebook, or publish it without --execute."
                % (path.name, first.rstrip(".")[:300])
            ) from e
    exporter = HTMLExporter()  # type: ignore[no-untyped-call]
    if hide_all_input:
        exporter.exclude_input = True
        exporter.exclude_input_prompt = True
    if hide_tagged_input:
        hidden = TagRemovePreprocessor(remove_input_tags={"hide_input"}, enabled=True)  # type: ignore[no-untyped-call]
        exporter.register_preprocessor(hidden, enabled=True)  # type: ignore[no-untyped-call]
    try:
        body, _ = exporter.from_notebook_node(nb, resources={"metadata": {"name": path.stem}})
    except Exception as e:
        reason = str(e).strip()[:200] or type(e).__name__
        raise BundleError("Rendering %s to HTML failed (%s)." % (path.name, reason)) from e
    return body


def html_snapshot_bundle(
    notebook_path: PathLike,
    extra_files: Iterable[PathLike] = (),
    hide_all_input: bool = False,
    hide_tagged_input: bool = False,
    execute: bool = False,
    progress: ProgressCallback | None = None,
) -> Bundle:
    """`static`: the notebook rendered to `<name>.html`, plus the extra files."""
    path = Path(notebook_path)
    extras = collect_files(path.parent, extra_files)
    html_name = path.stem + ".html"
    html = render_html(path, hide_all_input, hide_tagged_input, execute).encode("utf-8")
    files = unique([BundleFile(html_name, data=html)] + extras)
    return plan_bundle(manifests.static_manifest(html_name), files, progress=progress)


def notebook_source_files(
    notebook_path: PathLike, snapshot: Snapshot, extra_files: Iterable[PathLike] = ()
) -> list[BundleFile]:
    """The files of a notebook with source: the notebook, requirements.txt, the extra files."""
    path = Path(notebook_path)
    check_notebook_file(path)
    extras = collect_files(path.parent, extra_files)
    requirements = BundleFile(manifests.REQUIREMENTS_FILE, data=snapshot["requirements"].encode("utf-8"))
    return unique([BundleFile(path.name, path=path.resolve()), requirements] + extras)


def notebook_source_bundle(
    notebook_path: PathLike,
    snapshot: Snapshot,
    extra_files: Iterable[PathLike] = (),
    hide_all_input: bool = False,
    hide_tagged_input: bool = False,
    progress: ProgressCallback | None = None,
) -> Bundle:
    """`jupyter-static`: Connect rebuilds the environment and renders the notebook itself."""
    path = Path(notebook_path)
    files = notebook_source_files(path, snapshot, extra_files)
    manifest = manifests.notebook_manifest(path.name, snapshot, hide_all_input, hide_tagged_input)
    return plan_bundle(manifest, files, progress=progress)


def write_notebook_manifest(
    notebook_path: PathLike,
    snapshot: Snapshot,
    extra_files: Iterable[PathLike] = (),
    hide_all_input: bool = False,
    hide_tagged_input: bool = False,
    overwrite: bool = False,
) -> list[Path]:
    """`rsconnect write-manifest notebook`: manifest.json (and requirements.txt if missing) beside it.

    Returns the paths written. The checksums match the bundle deploy would build.
    """
    path = Path(notebook_path)
    folder = path.parent
    manifest_path = folder / "manifest.json"
    if manifest_path.exists() and not overwrite:
        raise InvalidInput("%s already exists: pass --overwrite to replace it." % manifest_path)
    files = notebook_source_files(path, snapshot, extra_files)
    manifest = manifests.notebook_manifest(path.name, snapshot, hide_all_input, hide_tagged_input)
    manifest["files"] = {f.arcname: {"checksum": md5_of(f)} for f in files}
    written = []
    requirements_path = folder / manifests.REQUIREMENTS_FILE
    if not requirements_path.exists():
        requirements_path.write_text(snapshot["requirements"], encoding="utf-8")
        written.append(requirements_path)
    manifest_path.write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    written.append(manifest_path)
    return written

"""`static` content from an existing HTML file and the files it needs."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from .. import manifest as manifests
from ..exceptions import InvalidInput
from ..progress import ProgressCallback
from .archive import Bundle, BundleFile
from .files import PathLike, collect_files, unique
from .stream import plan_bundle


def html_bundle(
    html_path: PathLike, extra_files: Iterable[PathLike] = (), progress: ProgressCallback | None = None
) -> Bundle:
    """`static` from an existing HTML file."""
    path = Path(html_path)
    if not path.is_file():
        raise InvalidInput("The file %s does not exist." % html_path)
    if path.suffix.lower() not in (".html", ".htm"):
        raise InvalidInput("%s is not an HTML file: give a .html file." % html_path)
    extras = collect_files(path.parent, extra_files)
    files = unique([BundleFile(path.name, path=path.resolve())] + extras)
    return plan_bundle(manifests.static_manifest(path.name), files, progress=progress)

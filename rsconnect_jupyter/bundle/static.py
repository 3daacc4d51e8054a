"""`static` content from an existing HTML file and the files it needs, or from a folder of pages
(a rendered Quarto site's `_site/`), as Quarto's own publisher sends them to Connect."""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from pathlib import Path

from .. import apps
from .. import manifest as manifests
from ..exceptions import InvalidInput
from ..progress import ProgressCallback
from .archive import Bundle, BundleFile
from .files import PathLike, collect_files, unique, walk_directory
from .stream import plan_bundle

HTML_SUFFIXES = (".html", ".htm")


def html_bundle(
    html_path: PathLike, extra_files: Iterable[PathLike] = (), progress: ProgressCallback | None = None
) -> Bundle:
    """`static` from an existing HTML file, with its `NAME_files/` folder when it has one (where
    Quarto and R Markdown put a rendered document's scripts, styles and figures)."""
    path = Path(html_path)
    if not path.is_file():
        raise InvalidInput("The file %s does not exist." % html_path)
    if path.suffix.lower() not in HTML_SUFFIXES:
        raise InvalidInput("%s is not an HTML file: give a .html file." % html_path)
    resources = path.parent / (path.stem + "_files")
    support = walk_directory(resources, path.parent) if resources.is_dir() else []
    extras = collect_files(path.parent, extra_files)
    files = unique([BundleFile(path.name, path=path.resolve())] + support + extras)
    return plan_bundle(manifests.static_manifest(path.name), files, progress=progress)


def site_pages(directory: Path, excludes: Sequence[str] = ()) -> tuple[list[str], list[str]]:
    """(every file of the folder that goes, its HTML pages), relative and `/`-separated."""
    files = apps.list_files(directory, apps.Excludes(directory, excludes))
    return files, [f for f in files if f.lower().endswith(HTML_SUFFIXES)]


def landing_page(directory: Path, pages: list[str], entrypoint: str | None) -> str:
    """-e/--entrypoint (relative to the folder), else index.html, else the only page."""
    if entrypoint:
        given = Path(entrypoint)
        rel = (
            Path(os.path.relpath(os.path.abspath(str(given)), str(directory))).as_posix()
            if given.is_absolute()
            else given.as_posix()
        )
        if rel not in pages:
            raise InvalidInput(
                "%s is not an HTML page in %s: give -e/--entrypoint a page of the folder." % (entrypoint, directory)
            )
        return rel
    if "index.html" in pages:
        return "index.html"
    if len(pages) == 1:
        return pages[0]
    if not pages:
        raise InvalidInput(
            "%s has no .html page: render it first (quarto render), then publish the output folder." % directory
        )
    raise InvalidInput(
        "%s has several pages and no index.html: say which one opens the site with -e/--entrypoint (for example -e %s)."
        % (directory, pages[0])
    )


def html_site_bundle(
    directory: PathLike,
    entrypoint: str | None = None,
    extra_files: Iterable[PathLike] = (),
    excludes: Sequence[str] = (),
    progress: ProgressCallback | None = None,
) -> Bundle:
    """`static` from a folder of rendered pages: all of it (minus what never goes, and -x globs),
    landing on `entrypoint`; more than one page makes it a site (`content_category: site`)."""
    folder = Path(os.path.abspath(str(directory)))
    if not folder.is_dir():
        raise InvalidInput("The folder %s does not exist." % directory)
    names, pages = site_pages(folder, excludes)
    primary = landing_page(folder, pages, entrypoint)
    files = unique([BundleFile(rel, path=folder / rel) for rel in names] + collect_files(folder, extra_files))
    return plan_bundle(manifests.static_manifest(primary, site=len(pages) > 1), files, progress=progress)

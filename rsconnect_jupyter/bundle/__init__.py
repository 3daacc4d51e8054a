"""Bundles: `.tar.gz` files, written while they upload (manifest.json last) or to a temporary file.

The builders plan a bundle (`plan_bundle`: a `StreamedBundle`); publishing streams it to the
server as it is written (`StreamedBundle.chunks`), and anything that needs a file gets one
(`write_bundle`, manifest.json first). Never held in memory; every file is read once: its MD5 (the
manifest's checksums) is computed while it is copied into the archive.

Builders:
  html_snapshot_bundle   a notebook rendered to HTML as saved (or executed first)   -> static
  notebook_source_bundle a notebook, its requirements.txt and extra files          -> jupyter-static
  html_bundle            an existing HTML file and the files it needs              -> static
  html_site_bundle       a folder of rendered pages (a Quarto site's _site/)       -> static (site)
  quarto_bundle          Quarto source: a document or a project                    -> quarto-static|shiny
  app_bundle             an API's or app's directory (apps.py chooses the files)   -> python-*
  manifest_bundle        exactly the files an existing manifest.json lists         -> its own mode

Modules, one job each:
  archive        BundleFile (what goes in) and Bundle (the .tar.gz on disk)
  compress       gzip on a few threads (stored blocks for data already compressed), and the stored
                 member that holds manifest.json in a written bundle
  stored         which files are stored as they are (their name, signature, or a quick sample)
  stream         StreamedBundle: the bundle planned, streamed by chunks() or written when asked
  writer         write_bundle: manifest.json first, every file read once (MD5 and gzip in one pass)
  files          the user's extra files and a folder's files, no name twice
  notebook       reading, checking and rendering notebooks; their bundles and write-manifest
  static         an existing HTML file, or a folder of rendered pages
  quarto         Quarto source (quarto.py inspects it)
  app            an API's or app's directory; its bundle and write-manifest
  manifest_file  an existing manifest.json and exactly the files it lists

static, quarto, app and manifest_file are imported when one of their names is first used (`__getattr__`
below): a notebook's deploy needs none of them, and every module costs the CLI start-up time.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

from .archive import Bundle, BundleFile
from .compress import COPY_CHUNK, GZIP_LEVEL, ParallelGzip
from .files import EXCLUDED_DIRS, EXCLUDED_FILES, collect_files, walk_directory
from .notebook import (
    check_notebook_file,
    html_snapshot_bundle,
    notebook_source_bundle,
    notebook_source_files,
    read_notebook,
    render_html,
    write_notebook_manifest,
)
from .stream import StreamedBundle, plan_bundle
from .writer import md5_of, write_bundle

if TYPE_CHECKING:
    from .app import app_bundle, app_files, app_manifest, write_app_manifest
    from .manifest_file import changed_files, find_manifest, manifest_bundle, manifest_files, read_manifest
    from .quarto import quarto_bundle, quarto_files, write_quarto_manifest
    from .static import html_bundle, html_site_bundle, landing_page, site_pages

# name -> the module that defines it, imported on first use
_LAZY = {
    **dict.fromkeys(("html_bundle", "html_site_bundle", "landing_page", "site_pages"), ".static"),
    **dict.fromkeys(("quarto_bundle", "quarto_files", "write_quarto_manifest"), ".quarto"),
    **dict.fromkeys(("app_bundle", "app_files", "app_manifest", "write_app_manifest"), ".app"),
    **dict.fromkeys(
        ("changed_files", "find_manifest", "manifest_bundle", "manifest_files", "read_manifest"), ".manifest_file"
    ),
}


def __getattr__(name: str) -> object:
    """The names of static, app and manifest_file, imported on first use (PEP 562)."""
    if name not in _LAZY:
        raise AttributeError("module %r has no attribute %r" % (__name__, name))
    value: object = getattr(importlib.import_module(_LAZY[name], __name__), name)
    globals()[name] = value  # next time, found without this function
    return value


_ParallelGzip = ParallelGzip  # the name tests/core/test_core_apps.py knows it by

__all__ = [
    "COPY_CHUNK",
    "EXCLUDED_DIRS",
    "EXCLUDED_FILES",
    "GZIP_LEVEL",
    "Bundle",
    "BundleFile",
    "StreamedBundle",
    "ParallelGzip",
    "_ParallelGzip",
    "app_bundle",
    "app_files",
    "app_manifest",
    "changed_files",
    "check_notebook_file",
    "collect_files",
    "find_manifest",
    "html_bundle",
    "html_site_bundle",
    "html_snapshot_bundle",
    "landing_page",
    "manifest_bundle",
    "manifest_files",
    "md5_of",
    "plan_bundle",
    "quarto_bundle",
    "quarto_files",
    "notebook_source_bundle",
    "notebook_source_files",
    "read_manifest",
    "read_notebook",
    "site_pages",
    "render_html",
    "walk_directory",
    "write_app_manifest",
    "write_bundle",
    "write_notebook_manifest",
    "write_quarto_manifest",
]

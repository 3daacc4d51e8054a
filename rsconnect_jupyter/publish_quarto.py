"""Publishing Quarto: its source (Connect renders it), or its rendered output as static pages."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from . import bundle as bundles
from . import quarto
from .options import ContentOptions, EnvironmentOptions, Feedback, FilesOptions, Target
from .publish_flow import Deployment, Publication, log_snapshot, publish, take_snapshot
from .snapshot import Snapshot
from .target import StrPath, default_title


@dataclass(frozen=True)
class QuartoOptions:
    """`--quarto PATH`: the Quarto that inspects the source (None: one on PATH, else the files)."""

    quarto: str | None = None


def deployed_path(content: quarto.QuartoContent) -> Path:
    """The file the deployment record is kept for: the document, or for a project DIR/<DIR's name>.py
    (rsconnect-python's record of a directory: DIR/rsconnect-python/<DIR's name>.json)."""
    if content.is_project:
        return content.path / (content.path.name + ".py")
    return content.path


def prepare(
    path: StrPath, options: QuartoOptions, env: EnvironmentOptions, feedback: Feedback
) -> tuple[quarto.QuartoContent, Snapshot | None]:
    """Inspect the source and, when the jupyter engine runs code, take the environment's snapshot."""
    content = quarto.inspect(path, options.quarto)
    log = feedback.log
    log("Quarto: inspected with %s; engines %s." % (content.inspected_by, ", ".join(content.engines)))
    if content.is_project:
        log("Project inputs: %s." % (", ".join(content.inputs) or "none"))
    snapshot = None
    if content.needs_python:
        snapshot = take_snapshot(env, content.base_dir, feedback)
        log_snapshot(snapshot, log, "document")
    return content, snapshot


def publish_quarto(
    target: Target,
    path: StrPath,
    options: QuartoOptions | None = None,
    files: FilesOptions | None = None,
    content_options: ContentOptions | None = None,
    env: EnvironmentOptions | None = None,
    feedback: Feedback | None = None,
) -> Deployment:
    """Publish a Quarto document (.qmd, .ipynb, ...) or project folder as source that Connect renders
    (quarto-static, or quarto-shiny). A server without Quarto refuses it before anything is sent."""
    files = files or FilesOptions()
    env = env or EnvironmentOptions()
    feedback = feedback or Feedback()
    content, snapshot = prepare(path, options or QuartoOptions(), env, feedback)
    bundled = bundles.quarto_files(content, snapshot, files.extra_files, files.excludes)
    progress = feedback.progress
    return publish(
        target,
        Publication(
            deployed_path(content),
            content.app_mode,
            lambda: bundles.quarto_bundle(content, snapshot, bundled, progress=progress),
            python_version=snapshot["python"] if snapshot else None,
            python_requires=snapshot.get("python_requires") if snapshot else None,
            fallback_title=default_title(content.path),
        ),
        content_options,
        feedback,
        ignore_python_version=env.ignore_python_version,
    )


def site_title(directory: Path) -> str:
    """A rendered site's title: its folder's name, or the project's for Quarto's `_site`/`_book`."""
    return default_title(directory.parent if directory.name.startswith("_") else directory)


def publish_site(
    target: Target,
    directory: StrPath,
    entrypoint: str | None = None,
    files: FilesOptions | None = None,
    content_options: ContentOptions | None = None,
    feedback: Feedback | None = None,
) -> Deployment:
    """Publish a folder of rendered pages (a Quarto `_site/`) as static content, landing on
    `entrypoint` (default index.html); with more than one page it is a site, as Quarto sends it."""
    files = files or FilesOptions()
    feedback = feedback or Feedback()
    folder = Path(os.path.abspath(str(directory)))
    progress = feedback.progress
    _, pages = bundles.site_pages(folder, files.excludes)
    primary = bundles.landing_page(folder, pages, entrypoint)  # checked before any request
    feedback.log("Pages: %d, opening on %s." % (len(pages), primary))
    return publish(
        target,
        Publication(
            folder / (folder.name + ".py"),
            "static",
            lambda: bundles.html_site_bundle(folder, primary, files.extra_files, files.excludes, progress=progress),
            fallback_title=site_title(folder),
        ),
        content_options,
        feedback,
    )

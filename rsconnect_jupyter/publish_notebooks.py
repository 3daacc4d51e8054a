"""Publishing a notebook (an HTML snapshot, its source for jupyter-static, or a Voila dashboard) and an
existing HTML file."""

from __future__ import annotations

import sys
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable

from . import bundle as bundles
from . import checks
from .exceptions import InvalidInput
from .options import CheckOptions, ContentOptions, EnvironmentOptions, Feedback, FilesOptions, NotebookOptions, Target
from .publish_flow import Deployment, Publication, log_snapshot, publish, take_snapshot
from .target import StrPath, with_server

if TYPE_CHECKING:
    from .bundle.archive import Bundle
    from .snapshot import Snapshot


def check_notebook(notebook_path: StrPath, extra_files: Iterable[StrPath] = ()) -> None:
    """Fail before any request on a missing or invalid notebook, or an extra file outside its folder."""
    path = Path(notebook_path)
    bundles.check_notebook_file(path)
    bundles.collect_files(path.parent, extra_files)


def publish_notebook(
    target: Target,
    notebook_path: StrPath,
    notebook: NotebookOptions,
    files: FilesOptions | None = None,
    content: ContentOptions | None = None,
    env: EnvironmentOptions | None = None,
    feedback: Feedback | None = None,
    before_upload: CheckOptions | None = None,
) -> Deployment:
    """Publish a notebook as an HTML snapshot (`notebook.static`) or with its source (jupyter-static).

    The snapshot is `env.snapshot` (taken elsewhere: the notebook's kernel), else one taken with
    `env.python`. The checks before upload (checks.py) warn, or refuse with `before_upload.strict`.
    """
    files = files or FilesOptions()
    env = env or EnvironmentOptions()
    feedback = feedback or Feedback()
    before_upload = before_upload or CheckOptions()
    path = Path(notebook_path)
    target = with_server(target, path)
    check_notebook(path, files.extra_files)
    extra, progress = files.extra_files, feedback.progress
    if notebook.static:
        checks.enforce(checks.static_findings(path), feedback.log, before_upload)
        return publish(
            target,
            Publication(
                path,
                "static",
                lambda: bundles.html_snapshot_bundle(
                    path,
                    extra,
                    notebook.hide_all_input,
                    notebook.hide_tagged_input,
                    notebook.execute,
                    progress=progress,
                ),
            ),
            content,
            feedback,
        )
    snapshot, findings = snapshot_and_findings(path, extra, env, feedback)
    checks.enforce(findings, feedback.log, before_upload)
    return publish(
        target,
        source_publication(
            path,
            "jupyter-static",
            lambda: bundles.notebook_source_bundle(
                path, snapshot, extra, notebook.hide_all_input, notebook.hide_tagged_input, progress=progress
            ),
            snapshot,
        ),
        content,
        feedback,
        ignore_python_version=env.ignore_python_version,
    )


def publish_voila(
    target: Target,
    notebook_path: StrPath,
    files: FilesOptions | None = None,
    content: ContentOptions | None = None,
    env: EnvironmentOptions | None = None,
    feedback: Feedback | None = None,
    before_upload: CheckOptions | None = None,
) -> Deployment:
    """Publish a notebook as a Voila dashboard (jupyter-voila): Connect installs its requirements and
    serves it with Voila, running it for each visitor. The bundle is the notebook, requirements.txt,
    voila.json if beside it, and the extra files (bundle/voila.py). Requirements without voila are
    one more finding of the checks before upload (a warning; a refusal with `before_upload.strict`)."""
    from .bundle import voila

    files = files or FilesOptions()
    env = env or EnvironmentOptions()
    feedback = feedback or Feedback()
    before_upload = before_upload or CheckOptions()
    path = Path(notebook_path)
    target = with_server(target, path)
    check_notebook(path, files.extra_files)
    extra, progress = files.extra_files, feedback.progress
    snapshot, findings = snapshot_and_findings(path, extra, env, feedback)
    if voila.voila_missing(snapshot["requirements"]):
        if snapshot.get("source") == "generated":
            sentence = "The packages installed here do not include voila, which serves the dashboard: install it."
        else:
            sentence = "%s does not list voila, which serves the dashboard: add voila to it." % listed_in(snapshot)
        findings.insert(0, checks.Finding("missing-package", "voila", sentence))
    checks.enforce(findings, feedback.log, before_upload)
    return publish(
        target,
        source_publication(
            path, voila.APP_MODE, lambda: voila.voila_bundle(path, snapshot, extra, progress=progress), snapshot
        ),
        content,
        feedback,
        ignore_python_version=env.ignore_python_version,
    )


def snapshot_and_findings(
    path: Path, extra: Iterable[StrPath], env: EnvironmentOptions, feedback: Feedback
) -> tuple[Snapshot, list[checks.Finding]]:
    """A publish with source: the environment's snapshot (logged) and what the checks found."""
    snapshot = take_snapshot(env, path.parent, feedback)
    log_snapshot(snapshot, feedback.log, "notebook")
    return snapshot, source_findings(path, snapshot, extra, env)


def source_publication(
    path: Path, app_mode: str, make_bundle: Callable[[], Bundle], snapshot: Mapping[str, Any]
) -> Publication:
    """What a publish with source sends: the bundle, and the Python the snapshot was taken with."""
    return Publication(
        path, app_mode, make_bundle, python_version=snapshot["python"], python_requires=snapshot.get("python_requires")
    )


def listed_in(snapshot: Mapping[str, Any]) -> str:
    """Where the packages of a snapshot come from, in the words the checks' sentences use."""
    if snapshot.get("source") == "generated":
        return "the environment's packages"
    return str(snapshot.get("requirements_file") or "requirements.txt")


def source_findings(
    path: Path, snapshot: Mapping[str, Any], extra: Iterable[StrPath], env: EnvironmentOptions
) -> list[checks.Finding]:
    """The checks for a publish with source, against the packages the bundle will list."""
    bundled = [f.arcname for f in bundles.collect_files(path.parent, extra)]
    python = snapshot.get("executable") or env.python or sys.executable
    return checks.source_findings(path, snapshot["requirements"], python, bundled, listed_in(snapshot))


def publish_html(
    target: Target,
    html_path: StrPath,
    files: FilesOptions | None = None,
    content: ContentOptions | None = None,
    feedback: Feedback | None = None,
) -> Deployment:
    """Publish an existing HTML file (and the files it needs) as static content."""
    files = files or FilesOptions()
    feedback = feedback or Feedback()
    path = Path(html_path)
    target = with_server(target, path)
    bundles.collect_files(path.parent, files.extra_files)
    if not path.is_file():
        raise InvalidInput("The file %s does not exist." % html_path)
    progress = feedback.progress
    extra = files.extra_files
    return publish(
        target,
        Publication(path, "static", lambda: bundles.html_bundle(path, extra, progress=progress)),
        content,
        feedback,
    )

"""Publishing a Python API or app from its directory, and what an existing manifest.json lists."""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import apps
from . import bundle as bundles
from .exceptions import InvalidInput
from .options import AppOptions, ContentOptions, EnvironmentOptions, Feedback, FilesOptions, Target
from .publish_flow import Deployment, Publication, log_snapshot, publish, take_snapshot
from .target import Log, StrPath, default_title, with_server

if TYPE_CHECKING:
    from .bundle import Bundle, BundleFile
    from .snapshot import Snapshot


def app_deployed_path(directory: StrPath) -> Path:
    """The file a directory's deployment record is kept for: DIR/<DIR's name>.py, as rsconnect-python
    does, so the record is DIR/rsconnect-python/<DIR's name>.json and the title defaults to DIR's name."""
    directory = Path(os.path.abspath(str(directory)))
    return directory / (directory.name + ".py")


def check_app(
    directory: StrPath,
    app_mode: str,
    entrypoint: str | None = None,
    extra_files: Iterable[StrPath] = (),
    excludes: Sequence[str] = (),
) -> str:
    """Fail before any request on a missing directory, a bad entrypoint or extra file; returns the
    manifest's entrypoint (`module:object`, or the script's file name for Streamlit and Bokeh)."""
    directory = Path(directory)
    if not directory.exists():
        raise InvalidInput("The directory %s does not exist." % directory)
    if not directory.is_dir():
        raise InvalidInput("%s is not a directory: give the folder that holds the app." % directory)
    if app_mode not in apps.APP_TYPES.values():
        raise InvalidInput(
            '"%s" is not an app mode for a directory: use one of %s.'
            % (app_mode, ", ".join(sorted(set(apps.APP_TYPES.values()))))
        )
    resolved = apps.resolve_entrypoint(directory, entrypoint, app_mode)
    rules = apps.Excludes(directory, excludes)
    module_path = apps.entrypoint_file(directory, resolved)
    relpath = Path(os.path.relpath(os.path.abspath(str(module_path)), os.path.abspath(str(directory)))).as_posix()
    if rules.user_excluded(relpath):
        raise InvalidInput(
            "The entrypoint %s is excluded by -x/--exclude: change the pattern so that it is bundled." % relpath
        )
    bundles.collect_files(directory, extra_files)
    return resolved


def app_files(
    directory: StrPath,
    snapshot: Snapshot,
    extra_files: Iterable[StrPath] = (),
    excludes: Sequence[str] = (),
    log: Log | None = None,
) -> list[BundleFile]:
    """The bundle's files for an app, warning (once) about `.env` files that would be published."""
    files = bundles.app_files(directory, snapshot, extra_files, excludes)
    secrets = apps.secret_files([f.arcname for f in files])
    if secrets and log:
        log(
            "Warning: publishing %s, which may hold secrets: leave %s out with -x .env (or -x '**/.env'), "
            "and set secrets with -E NAME instead." % (", ".join(secrets), "it" if len(secrets) == 1 else "them")
        )
    return files


def publish_app(
    target: Target,
    directory: StrPath,
    app: AppOptions,
    files: FilesOptions | None = None,
    content: ContentOptions | None = None,
    env: EnvironmentOptions | None = None,
    feedback: Feedback | None = None,
) -> Deployment:
    """Publish a Python API or app from its directory (python-api, -fastapi, -dash, -streamlit, -bokeh).

    The whole directory goes, minus apps.py's default excludes and `files.excludes`; the
    entrypoint is `module[:object]` (default: apps.py's rules, object `app`). requirements.txt is
    the directory's own, else generated from `env.python` (or `env.snapshot`, taken elsewhere).
    """
    files = files or FilesOptions()
    env = env or EnvironmentOptions()
    feedback = feedback or Feedback()
    log = feedback.log
    directory = Path(os.path.abspath(str(directory)))
    resolved = check_app(directory, app.app_mode, app.entrypoint, files.extra_files, files.excludes)
    target = with_server(target, app_deployed_path(directory))
    snapshot = take_snapshot(env, directory, feedback)
    log("Entrypoint: %s" % resolved)
    if (directory / "manifest.json").is_file():
        log(
            'Note: %s is not used (the bundle gets a fresh one); "rsconnect deploy manifest" publishes '
            "with it." % (directory / "manifest.json")
        )
    log_snapshot(snapshot, log, "app")
    bundled = app_files(directory, snapshot, files.extra_files, files.excludes, log)
    progress = feedback.progress
    return publish(
        target,
        Publication(
            app_deployed_path(directory),
            app.app_mode,
            lambda: bundles.app_bundle(directory, app.app_mode, resolved, snapshot, files=bundled, progress=progress),
            python_version=snapshot["python"],
            python_requires=snapshot.get("python_requires"),
        ),
        content,
        feedback,
        ignore_python_version=env.ignore_python_version,
    )


def manifest_title(manifest_path: StrPath, manifest: Mapping[str, Any]) -> str:
    """The title `deploy manifest` gives new content: the primary file's name without extension
    (metadata.entrypoint, primary_rmd or primary_html); when the entrypoint is a module
    (`app:app`, an API or app), the manifest folder's name, as for `deploy TYPE DIRECTORY`."""
    folder = Path(os.path.abspath(str(manifest_path))).parent
    meta = manifest.get("metadata") or {}
    for key in ("entrypoint", "primary_rmd", "primary_html"):
        name = meta.get(key)
        if isinstance(name, str) and name.strip():
            if (folder / name).is_file():
                return default_title(Path(name.rsplit("/", 1)[-1]))
            break
    return default_title(folder)


def check_manifest(manifest_path: StrPath) -> tuple[Path, dict[str, Any], list[BundleFile]]:
    """Fail before any request on a missing or invalid manifest, or a file it lists that is missing.

    Returns the manifest's path, the parsed manifest and its files.
    """
    path = bundles.find_manifest(manifest_path)
    manifest, _raw = bundles.read_manifest(path)
    return path, manifest, bundles.manifest_files(path, manifest)


def publish_manifest(
    target: Target,
    manifest_path: StrPath,
    content: ContentOptions | None = None,
    env: EnvironmentOptions | None = None,
    feedback: Feedback | None = None,
) -> Deployment:
    """Publish exactly what a manifest.json lists, with its app mode, the manifest as it is
    (of `env`, only `ignore_python_version` applies: the manifest names its Python)."""
    env = env or EnvironmentOptions()
    feedback = feedback or Feedback()
    log = feedback.log
    path, manifest, listed = check_manifest(manifest_path)
    feedback.detail("Files: %s" % ", ".join(f.arcname for f in listed))
    target = with_server(target, path)
    app_mode = manifest["metadata"]["appmode"]
    python_version = (manifest.get("python") or {}).get("version") or None
    progress = feedback.progress

    def build() -> Bundle:
        bundle = bundles.manifest_bundle(path, progress=progress)
        changed = bundles.changed_files(bundle, manifest)
        if changed:
            shown = ", ".join(changed[:5]) + (" and %d more" % (len(changed) - 5) if len(changed) > 5 else "")
            log(
                "Warning: %s changed since the manifest was written (its checksums differ); they are published "
                'as they are now: run "rsconnect write-manifest" with --overwrite to refresh it.' % shown
            )
        return bundle

    publication = Publication(
        path, app_mode, build, python_version=python_version, fallback_title=manifest_title(path, manifest)
    )
    return publish(target, publication, content, feedback, ignore_python_version=env.ignore_python_version)

"""The publish flow, the one place that knows it (the CLI and the notebook handlers call it).

    (resolve the server) -> check the input -> check server and key -> (snapshot, Python check)
    -> build the bundle -> resolve the target -> set environment variables -> upload -> deploy
    -> follow the task -> save the record

Callers hand it option objects (options.py) and nothing else; every check of the input runs
here, once. Nothing changes on the server before the bundle is built and every check has
passed, and the deployment record is written only after the task succeeded, so a failure
leaves state as it was.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, cast

from . import apps, environment
from . import bundle as bundles
from .exceptions import DeployFailed, InvalidInput, RSConnectError
from .manifest import describe_mode
from .options import AppOptions, ContentOptions, EnvironmentOptions, Feedback, FilesOptions, NotebookOptions, Target
from .store import DeploymentRecord, DeploymentStore, Server
from .target import (
    DEPLOYER_APP_ROLES,
    ENV_NAME,
    GUID_RE,
    PUBLISHER_ROLES,
    Log,
    StrPath,
    check_can_deploy,
    check_python_version,
    choose_server,
    client_for,
    client_of,
    create_content,
    default_title,
    environment_values,
    find_content,
    find_target,
    get_content,
    name_from_title,
    unique_name,
    validate_title,
    verify_server,
    with_server,
)

if TYPE_CHECKING:
    from .bundle import Bundle, BundleFile
    from .connect import ConnectClient, Task
    from .environment import Snapshot

# The publish flow's own names, and target.py's that callers (the CLI, the handlers, tests) reach here.
__all__ = [
    "DEFAULT_TASK_TIMEOUT",
    "DEPLOYER_APP_ROLES",
    "ENV_NAME",
    "GUID_RE",
    "POLL_WAIT",
    "PUBLISHER_ROLES",
    "Deployment",
    "Publication",
    "app_deployed_path",
    "app_files",
    "check_app",
    "check_can_deploy",
    "check_manifest",
    "check_notebook",
    "check_python_version",
    "choose_server",
    "client_for",
    "create_content",
    "default_title",
    "environment_snapshot",
    "environment_values",
    "find_content",
    "follow_task",
    "get_content",
    "log_snapshot",
    "manifest_title",
    "name_from_title",
    "publish",
    "publish_app",
    "publish_html",
    "publish_manifest",
    "publish_notebook",
    "task_timeout",
    "unique_name",
    "validate_title",
    "verify_server",
]

DEFAULT_TASK_TIMEOUT = 1800  # seconds; CONNECT_TASK_TIMEOUT overrides
POLL_WAIT = 5  # seconds of long poll per task request (Connect allows 0-20)


@dataclass
class Deployment:
    server_url: str
    content_guid: str
    content_id: str
    content_url: str | None
    dashboard_url: str | None
    title: str | None
    app_mode: str
    bundle_id: str | None = None
    task_id: str | None = None


@dataclass(frozen=True)
class Publication:
    """What one content type hands the shared flow: the file its record is kept for, its app mode,
    how to build its bundle (called once every check has passed), the Python version to check
    against the server's, and the title new content gets when none is given."""

    deployed_path: Path
    app_mode: str
    build_bundle: Callable[[], Bundle]
    python_version: str | None = None
    fallback_title: str | None = None


# ---------------------------------------------------------------------------------------------
# Following the task


def task_timeout() -> float:
    value = os.environ.get("CONNECT_TASK_TIMEOUT")
    if not value:
        return DEFAULT_TASK_TIMEOUT
    try:
        timeout = float(value)
        if timeout <= 0:
            raise ValueError
        return timeout
    except ValueError:
        raise InvalidInput("CONNECT_TASK_TIMEOUT must be a positive number of seconds, not %r." % value) from None


def follow_task(
    client: ConnectClient, task_id: str, log: Log, timeout: float | None = None, dashboard_url: str | None = None
) -> Task:
    """Stream the task's log lines to `log` until it finishes; raise DeployFailed if it failed."""
    timeout = task_timeout() if timeout is None else timeout
    deadline = time.monotonic() + timeout
    first, lines = 0, []
    while True:
        wait = max(0, min(POLL_WAIT, int(deadline - time.monotonic())))
        asked = time.monotonic()
        task = client.task(task_id, first=first, wait=wait)
        output = task.get("output") or []
        for line in output:
            lines.append(line)
            log("    " + line)
        if task.get("last") is not None:
            first = task["last"]
        else:
            first += len(task.get("output") or [])
        if task.get("finished"):
            if task.get("code"):
                reason = (task.get("error") or "the deploy task failed").strip().rstrip(".")
                raise DeployFailed(
                    "The deployment failed on the server (%s): see the log above%s."
                    % (reason, " and " + dashboard_url if dashboard_url else ""),
                    log=lines,
                )
            return task
        if time.monotonic() >= deadline:
            raise DeployFailed(
                "The deployment did not finish within %g seconds; it may still finish on the server "
                "(set CONNECT_TASK_TIMEOUT to wait longer)." % timeout,
                log=lines,
            )
        # An early answer with new lines is the long poll working; an early empty one means the
        # server ignores `wait`, and must not be asked again in a tight loop.
        if not output and time.monotonic() - asked < 0.2:
            time.sleep(0.2)


# ---------------------------------------------------------------------------------------------
# Publishing


def publish(
    target: Target,
    publication: Publication,
    content_options: ContentOptions | None = None,
    feedback: Feedback | None = None,
    *,
    ignore_python_version: bool = False,
) -> Deployment:
    """Publish whatever `publication.build_bundle()` makes, for `publication.deployed_path`.

    The shared core of every content type: `build_bundle` is called once every check has passed
    and returns a `bundle.Bundle`. New content is titled `content_options.title`, else the
    publication's fallback title, else after the deployed file; an update changes the title only
    when one is given. `feedback.progress` hears of the upload's bytes (the builders report the
    build's to it too).
    """
    options = content_options or ContentOptions()
    feedback = feedback or Feedback()
    log = feedback.log
    deployed_path = Path(publication.deployed_path)
    app_mode = publication.app_mode
    title = validate_title(options.title) if options.title else None
    timeout = task_timeout()  # a bad CONNECT_TASK_TIMEOUT fails before anything is sent
    target = with_server(target, deployed_path)
    server = target.server
    client = client_of(server)
    records = DeploymentStore(deployed_path)
    record_key = server.url if isinstance(server, Server) else client.url

    log("Checking %s ..." % client.url)
    user = verify_server(client)
    if publication.python_version:
        check_python_version(client, publication.python_version, ignore_python_version, log)

    content = find_target(client, target, records, record_key, log)
    if content is not None:
        check_can_deploy(content, user, app_mode, client)

    log("Building the bundle: %s ..." % describe_mode(app_mode))
    with publication.build_bundle() as bundle:
        log("Bundle: %s, %d bytes." % (_file_list(bundle.manifest["files"]), bundle.size))
        created = content is None
        if content is None:
            content = create_content(
                client, title or publication.fallback_title or default_title(deployed_path), user, log
            )
        elif title and content.get("title") != title:
            content = client.content_update(content["guid"], title=title)
        guid = content["guid"]
        try:
            if options.environment:
                log("Setting environment variables: %s." % ", ".join(sorted(options.environment)))
                client.environment_patch(guid, options.environment)
            log("Uploading the bundle ...")
            with bundle.open() as f:
                uploaded = client.bundle_upload(guid, f, progress=feedback.progress)
            bundle_id = str(uploaded["id"])
            log("Deploying bundle %s ..." % bundle_id)
            task_id = client.deploy(guid, bundle_id)
        except (RSConnectError, KeyboardInterrupt) as e:
            if created:  # quickly after Ctrl-C: the user wants to stop, not wait for a hung server
                _remove_empty_content(client, guid, log, timeout=3 if isinstance(e, KeyboardInterrupt) else 10)
            raise
    follow_task(client, task_id, log, timeout=timeout, dashboard_url=content.get("dashboard_url"))

    content = client.content_get(guid)
    deployment = Deployment(
        server_url=record_key,
        content_guid=guid,
        content_id=str(content.get("id")),
        content_url=content.get("content_url"),
        dashboard_url=content.get("dashboard_url"),
        title=content.get("title"),
        app_mode=app_mode,
        bundle_id=bundle_id,
        task_id=task_id,
    )
    record: DeploymentRecord = {
        "server_url": record_key,
        "filename": str(deployed_path.resolve()),
        "app_url": cast(str, deployment.content_url),  # Connect always sends it; kept as sent
        "app_id": deployment.content_id,
        "app_guid": guid,
        "title": deployment.title,
        "app_mode": app_mode,
    }
    records.save(record_key, record)
    return deployment


def _remove_empty_content(client: ConnectClient, guid: str, log: Log, timeout: float = 10) -> None:
    """Best effort: content created by a publish that failed before any deploy would be left empty
    on the server (and take the name the next publish wants); a server that is gone keeps it."""
    try:
        client.request("DELETE", "v1/content/%s" % guid, timeout=timeout)
        log("Removed the new, empty content %s." % guid)
    except RSConnectError:
        pass


def _file_list(names: Iterable[str], shown: int = 12) -> str:
    names = sorted(names)
    if len(names) <= shown:
        return ", ".join(names)
    return "%d files (%s and %d more)" % (len(names), ", ".join(names[:shown]), len(names) - shown)


def check_notebook(notebook_path: StrPath, extra_files: Iterable[StrPath] = ()) -> None:
    """Fail before any request on a missing or invalid notebook, or an extra file outside its folder."""
    path = Path(notebook_path)
    bundles.check_notebook_file(path)
    bundles.collect_files(path.parent, extra_files)


def _take_snapshot(env: EnvironmentOptions, directory: Path, feedback: Feedback) -> Snapshot:
    """The snapshot taken elsewhere (the notebook's kernel), else one taken with `env.python`."""
    if env.snapshot is not None:
        return env.snapshot
    feedback.log("Reading the Python environment of %s ..." % (env.python or "this Python"))
    snapshot = environment_snapshot(env.python, directory, env.force_generate)
    feedback.detail("requirements.txt:\n" + snapshot["requirements"])
    return snapshot


def publish_notebook(
    target: Target,
    notebook_path: StrPath,
    notebook: NotebookOptions,
    files: FilesOptions | None = None,
    content: ContentOptions | None = None,
    env: EnvironmentOptions | None = None,
    feedback: Feedback | None = None,
) -> Deployment:
    """Publish a notebook as an HTML snapshot (`notebook.static`) or with its source (jupyter-static).

    The snapshot is `env.snapshot` (taken elsewhere: the notebook's kernel), else one taken with
    `env.python`.
    """
    files = files or FilesOptions()
    env = env or EnvironmentOptions()
    feedback = feedback or Feedback()
    path = Path(notebook_path)
    target = with_server(target, path)
    check_notebook(path, files.extra_files)
    extra, progress = files.extra_files, feedback.progress
    if notebook.static:
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
    snapshot = _take_snapshot(env, path.parent, feedback)
    log_snapshot(snapshot, feedback.log, "notebook")
    return publish(
        target,
        Publication(
            path,
            "jupyter-static",
            lambda: bundles.notebook_source_bundle(
                path, snapshot, extra, notebook.hide_all_input, notebook.hide_tagged_input, progress=progress
            ),
            python_version=snapshot["python"],
        ),
        content,
        feedback,
        ignore_python_version=env.ignore_python_version,
    )


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


def log_snapshot(snapshot: Mapping[str, Any], log: Log, what: str) -> None:
    """Say where the requirements come from, and warn about packages that cannot be listed."""
    source = "requirements.txt" if snapshot.get("source") == "file" else "the installed packages"
    log("Python %s; requirements from %s." % (snapshot["python"], source))
    left_out = [
        line[2:].split(":")[0]
        for line in snapshot["requirements"].splitlines()
        if snapshot.get("source") != "file" and line.startswith("# ") and ": left out" in line
    ]
    if left_out:
        log(
            "Warning: installed from local folders, so not listed for the server: %s (add them to a "
            "requirements.txt if the %s needs them)." % (", ".join(left_out), what)
        )


def environment_snapshot(python: str | None, directory: StrPath | None, force_generate: bool = False) -> Snapshot:
    return environment.snapshot(python=python, directory=directory, force_generate=force_generate)


# ---------------------------------------------------------------------------------------------
# APIs and apps (a directory), and existing manifests


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
    snapshot = _take_snapshot(env, directory, feedback)
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

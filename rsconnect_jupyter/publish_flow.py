"""The shared publish flow: check, build the bundle, create or update the content, upload, deploy,
follow the task, save the record (`publish()` with a `Publication`), and the Python environment
snapshot that the notebook and app publishers share.

Nothing changes on the server before the bundle is built and every check has passed, and the
deployment record is written only after the task succeeded, so a failure leaves state as it was.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, cast

from . import environment, project_files
from .exceptions import DeployFailed, Fix, Hint, InvalidInput, RSConnectError
from .manifest import describe_mode
from .options import ContentOptions, EnvironmentOptions, Feedback, Target
from .store import DeploymentRecord, DeploymentStore, Server
from .target import (
    Log,
    StrPath,
    check_can_deploy,
    check_python_version,
    check_target,
    client_of,
    create_content,
    default_title,
    find_target,
    validate_title,
    verify_server,
    with_server,
)

if TYPE_CHECKING:
    from .bundle import Bundle
    from .connect import BundleItem, ConnectClient, ContentItem, Task
    from .snapshot import Snapshot

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
    draft_url: str | None = None  # a draft: where to preview it (the content URL still serves the live one)


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
    python_requires: str | None = None  # the content's constraint (.python-version, requires-python)


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


def check_request(target: Target, options: ContentOptions) -> ContentOptions:
    """What a publish asks for, checked before any slow step, the same for the CLI and the dialogs:
    new content or an update (not both), the title, the sharing. Returns the options as checked."""
    from .sharing import checked

    check_target(target)
    title = validate_title(options.title) if options.title else None
    return replace(options, title=title, sharing=checked(options.sharing))


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
    options = check_request(target, options)
    title = options.title
    timeout = task_timeout()  # a bad CONNECT_TASK_TIMEOUT fails before anything is sent
    target = with_server(target, deployed_path)
    server = target.server
    client = client_of(server)
    records = DeploymentStore(deployed_path)
    record_key = server.url if isinstance(server, Server) else client.url

    log("Checking %s ..." % client.url)
    if options.draft:
        check_drafts(client)
    user = verify_server(client)
    if app_mode in ("quarto-static", "quarto-shiny"):  # source that needs rendering: a Quarto must be there
        from .quarto import check_server_renders

        check_server_renders(client.quarto_versions(), client.url)
    if publication.python_version:
        check_python_version(
            client, publication.python_version, ignore_python_version, log, requires=publication.python_requires
        )

    content = find_target(client, target, records, record_key, log)
    if content is not None:
        check_can_deploy(content, user, app_mode, client)

    log("Building the bundle: %s ..." % describe_mode(app_mode))
    with publication.build_bundle() as bundle:
        streamed = is_streamed(bundle)
        log("Bundle: %s, %s." % (_file_list(bundle.listed()), _bundle_size(bundle, streamed)))
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
            log("Uploading the bundle%s ..." % (" as it is written" if streamed else ""))
            uploaded = upload(client, guid, bundle, streamed, feedback, log)
            bundle_id = str(uploaded["id"])
            log("Deploying bundle %s%s ..." % (bundle_id, " as a draft" if options.draft else ""))
            task_id = client.deploy(guid, bundle_id, activate=not options.draft)
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
        draft_url=draft_url(content, bundle_id) if options.draft else None,
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
    if deployment.draft_url:
        record["draft_bundle_id"] = bundle_id
        record["draft_url"] = deployment.draft_url
    records.save(record_key, record)
    if options.sharing:  # after the record: a refused share leaves the deploy and its record in place
        from .sharing import apply_after_deploy

        apply_after_deploy(client, guid, deployment.content_url, options.sharing, log)
    return deployment


def is_streamed(bundle: Bundle) -> bool:
    """Whether the bundle is written while it uploads (a planned bundle not yet on disk), unless
    CONNECT_UPLOAD_STREAM=0 asks for the archive to be written to a file first."""
    from .bundle import StreamedBundle

    return (
        isinstance(bundle, StreamedBundle)
        and not bundle.written
        and os.environ.get("CONNECT_UPLOAD_STREAM", "1").strip() not in ("0", "false", "no")
    )


def _bundle_size(bundle: Bundle, streamed: bool) -> str:
    if streamed:
        from .bundle import StreamedBundle
        from .progress import human_bytes

        return "%s of files" % human_bytes(cast(StreamedBundle, bundle).total_bytes())
    return "%d bytes" % bundle.size


def upload(
    client: ConnectClient, guid: str, bundle: Bundle, streamed: bool, feedback: Feedback, log: Log
) -> BundleItem:
    """Send the bundle: as it is written when `streamed` (one connection, chunked), else from its
    file with its length. A server that wants the length first (411: nothing was stored) gets the
    file, written now: the one time an upload is sent again."""
    if streamed:
        from .bundle import StreamedBundle
        from .connect.bundles import LengthRequired

        chunks = cast(StreamedBundle, bundle).chunks()
        try:
            return client.bundle_upload_stream(guid, chunks)
        except LengthRequired:
            log("The server wants the bundle's length first: writing it to a file, then uploading it ...")
        finally:
            chunks.close()  # its compressing threads stop now, also after an error or Ctrl-C
    with bundle.open() as f:
        return client.bundle_upload(guid, f, progress=feedback.progress)


DRAFTS_SINCE = (2025, 6)


def check_drafts(client: ConnectClient) -> None:
    """Drafts need Connect 2025.06 or later: older servers would refuse the deploy's field."""
    version = str(client.server_settings().get("version") or "")
    parts = version.split(".")
    try:
        known = (int(parts[0]), int(parts[1]))
    except (ValueError, IndexError):
        known = (0, 0)
    if known < DRAFTS_SINCE:
        raise InvalidInput(
            "%s runs Connect %s, and drafts need 2025.06 or later" % (client.url, version or "of an unknown version"),
            hint=Hint(Fix.PUBLISH_LIVE),
        )


def draft_url(content: ContentItem, bundle_id: str) -> str:
    """Where a draft is previewed: Connect serves a built bundle at {content}/_bundle{id}/ (the
    dashboard's draft view, which rsconnect-python prints, needs a browser signed in to Connect)."""
    return "%s/_bundle%s/" % (str(content.get("content_url") or "").rstrip("/"), bundle_id)


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


# ---------------------------------------------------------------------------------------------
# The Python environment (notebooks with their source, and apps)


def take_snapshot(env: EnvironmentOptions, directory: Path, feedback: Feedback) -> Snapshot:
    """The snapshot taken elsewhere (the notebook's kernel), else one taken with `env.python`."""
    if env.snapshot is not None:
        return project_files.complete(
            env.snapshot, directory, env.force_generate, env.requirements_file, env.package_installer
        )
    feedback.log("Reading the Python environment of %s ..." % (env.python or "this Python"))
    snapshot = environment_snapshot(
        env.python, directory, env.force_generate, env.requirements_file, env.package_installer
    )
    feedback.detail("requirements.txt:\n" + snapshot["requirements"])
    return snapshot


def log_snapshot(snapshot: Mapping[str, Any], log: Log, what: str) -> None:
    """Say where the requirements come from, and warn about packages that cannot be listed."""
    for line in project_files.describe_lines(snapshot):
        log(line)
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


def environment_snapshot(
    python: str | None,
    directory: StrPath | None,
    force_generate: bool = False,
    requirements_file: str | None = None,
    package_installer: str | None = None,
) -> Snapshot:
    return environment.snapshot(
        python=python,
        directory=directory,
        force_generate=force_generate,
        requirements_file=requirements_file,
        package_installer=package_installer,
    )

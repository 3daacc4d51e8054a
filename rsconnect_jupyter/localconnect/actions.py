"""Changes the API makes in more than one step, keeping the database and the data folder in step.

The HTTP handlers read the request and check who may act; these do the work.
"""

from __future__ import annotations

import asyncio
import logging
import os
import shutil
import time
import uuid
from typing import TYPE_CHECKING, Any

from . import bundles, errors, intake

if TYPE_CHECKING:
    from .db import Database
    from .rows import BundleRow, ContentRow
    from .state import State

log = logging.getLogger("localconnect")


# -- content --------------------------------------------------------------------------------------
def create_content(db: Database, owner_guid: str, fields: dict[str, Any]) -> str:
    """Create content from checked fields; return its GUID."""
    guid = str(uuid.uuid4())
    name = fields.get("name") or guid  # Connect names unnamed content by its GUID
    if db.content_list(name=name, owner_guid=owner_guid):
        raise errors.name_in_use("You already have content named %r." % name)
    db.create_content(
        guid, name, fields.get("title"), fields.get("description", ""), fields.get("access_type", "acl"), owner_guid
    )
    log.info("content %s created", guid)
    return guid


def delete_content(state: State, guid: str) -> None:
    """Its rows, its running app, then its files (bundles, environment, logs, repository copy)."""
    state.db.delete_content(guid)
    state.db.delete_repository(guid)
    state.db.forget_schedules_of(guid)
    state.runner.apps.stop(guid)
    shutil.rmtree(state.layout.content_dir(guid), ignore_errors=True)


# -- bundles --------------------------------------------------------------------------------------
async def store_bundle(state: State, guid: str, user_guid: str, upload: intake.Upload) -> int:
    """Check a complete upload, record it and move it to its place; return the bundle's id."""
    upload.close()
    if upload.over:
        raise errors.too_large(state.max_bundle_size)
    if upload.size == 0:
        raise bundles.BundleRefused("The request has no bundle: send the .tar.gz as the body.")
    loop = asyncio.get_running_loop()
    manifest = await loop.run_in_executor(None, upload.finish)  # checked as it arrived: this waits for the end
    refuse_unsupported_mode(state, guid, manifest["metadata"]["appmode"])
    return record_bundle(state, guid, user_guid, upload, manifest)


def record_bundle(state: State, guid: str, user_guid: str, upload: intake.Upload, manifest: dict[str, Any]) -> int:
    """Record a checked bundle (an upload, or one made from a repository) and move its archive into
    place; return the bundle's id."""
    bundle_id = state.db.add_bundle(
        guid,
        user_guid,
        upload.size,
        upload.md5.hexdigest(),
        upload.sha1.hexdigest(),
        manifest["metadata"]["appmode"],
        bundles.python_version(manifest),
    )
    archive = state.layout.bundle_archive(guid, bundle_id)
    os.makedirs(os.path.dirname(archive), exist_ok=True)
    os.rename(upload.path, archive)
    if upload.unpacked is not None:
        os.rename(upload.unpacked, state.layout.bundle_unpacked(guid, bundle_id))
        upload.unpacked = None
    log.info("content %s: bundle %s received (%d bytes)", guid, bundle_id, upload.size)
    return bundle_id


QUARTO_SOURCE_MODES = ("quarto-static", "quarto-shiny")
QUARTO_REFUSAL = (
    "This server cannot render Quarto, which Posit Connect with Quarto can: publish the source there, or "
    "render it yourself and publish the output with `rsconnect deploy html`."
)


def refuse_unsupported_mode(state: State, guid: str, mode: str) -> None:
    """A bundle of an app mode this server cannot run is refused at upload, and the content item it
    was sent to is removed if it holds nothing else (the client created it just before)."""
    from .runner import SUPPORTED

    if mode in SUPPORTED:
        return
    sentence = "The local server cannot run app mode %r (it runs %s): publish it to Posit Connect." % (
        mode,
        ", ".join(SUPPORTED),
    )
    if mode in QUARTO_SOURCE_MODES:
        sentence = QUARTO_REFUSAL
    if not state.db.bundles(guid):
        delete_content(state, guid)
        log.info("content %s removed: its first bundle has app mode %s, which this server cannot run", guid, mode)
        sentence += " The empty content item was removed."
    raise errors.invalid_value(sentence)


# The rules on a content's versions (bundles), one place for the API and the dashboard: each raises
# the ConnectError the API answers; the dashboard shows its sentence on the item page.
def check_unlocked(db: Database, content: ContentRow) -> None:
    """Locked content takes no upload, deploy or build (Connect's rule): 403 with its message."""
    locked, message = db.content_lock(content["guid"])
    if locked:
        raise errors.locked(message)


def check_deploy(db: Database, content: ContentRow, bundle: BundleRow) -> None:
    """A bundle may be deployed (made live, or built as a draft) unless the content is locked, the
    bundle would change the content's app mode, or a deploy of it is still running."""
    check_unlocked(db, content)
    if content["app_mode"] not in ("unknown", bundle["app_mode"]):
        raise errors.app_mode_change(
            "Version %s is %s, but this content is %s, and that cannot change after its first deploy: "
            "publish it as new content instead."
            % (bundle["id"], _mode_words(bundle["app_mode"]), _mode_words(content["app_mode"]))
        )
    if db.bundle_in_deploy(content["guid"], bundle["id"]):
        raise errors.invalid_value("Version %s is being deployed: wait until its task finishes." % bundle["id"])


def check_delete_bundle(db: Database, content: ContentRow, bundle: BundleRow) -> None:
    """A version may be removed unless it is live, or being deployed."""
    if str(content["bundle_id"]) == str(bundle["id"]):
        raise errors.invalid_value(
            "Version %s is live and cannot be removed: make another version live first." % bundle["id"]
        )
    if db.bundle_in_deploy(content["guid"], bundle["id"]):
        raise errors.invalid_value(
            "Version %s is being deployed: wait until its task finishes, then remove it." % bundle["id"]
        )


def _mode_words(app_mode: str | None) -> str:
    from ..manifest import describe_mode

    return describe_mode(app_mode or "unknown")


def delete_bundle(state: State, guid: str, bundle_id: str) -> None:
    """Its row, then its archive and its unpacked folders."""
    state.db.delete_bundle(bundle_id)
    layout = state.layout
    paths = (layout.bundle_archive(guid, bundle_id), layout.bundle_dir(guid, bundle_id))
    for path in paths + (layout.bundle_unpacked(guid, bundle_id),):
        if os.path.isdir(path):
            shutil.rmtree(path, ignore_errors=True)
        elif os.path.exists(path):
            os.unlink(path)


def check_draft_app(state: State, guid: str, bundle_id: str) -> list[str]:
    """Start the app of a built bundle that is not live (a draft) with its own process, wait until it
    answers, then stop it: what previewing a draft of an app checks (Connect starts it cold). Returns
    the start's log lines; raises apps.AppFailed when it does not answer."""
    import json

    runner = state.runner
    folder = state.layout.bundle_dir(guid, bundle_id)
    with open(os.path.join(folder, "manifest.json"), encoding="utf-8") as f:
        manifest = json.load(f)
    lines: list[str] = []
    with runner._content_lock(guid):  # not while a deploy of this content changes its folders
        entry, _, venv = runner._build_app(_Lines(lines), manifest, folder)
        launch = runner.launch(guid, bundle_id, manifest["metadata"]["appmode"], folder, venv, entry)
        app = runner.apps.start(launch, lines.append)
        runner.apps._stop(app)
    return lines


class _Lines:
    """A deploy log that keeps its lines in a list."""

    def __init__(self, lines: list[str]) -> None:
        self.lines = lines

    def log(self, line: str) -> None:
        self.lines.append(line)


# -- tasks ----------------------------------------------------------------------------------------
async def task_progress(state: State, task_id: str, first: int, wait: float) -> tuple[list[str], bool, int, str]:
    """Long poll: (output, finished, code, error) as soon as there are lines past `first`, the task
    finished, or `wait` seconds passed."""
    deadline = time.monotonic() + wait
    while True:
        found: tuple[Any, ...] | None = state.tasks.state(task_id)
        assert found is not None  # tasks are never deleted
        _, output, finished, code, error = found
        if finished or len(output) > first or time.monotonic() >= deadline:
            return output, finished, code, error
        await asyncio.sleep(0.05)

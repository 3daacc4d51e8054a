"""Git-backed content: setting a content item's repository, making a bundle from it on request, and
polling it for new commits (the handlers in handlers/repository.py call these; the `git` work is
git_repos.py's).

Setting a repository fetches it first: a URL that cannot be reached, a branch it does not have, or a
folder without manifest.json is refused with one sentence, and nothing is stored. When the fetch
works, its folder becomes a bundle like an uploaded one; deploying the content without a bundle id
(`POST .../deploy {"bundle_id": null}`, what rsconnect-python's `deploy git` sends) deploys the
branch's commit as it is then (`newest_bundle`).
"""

from __future__ import annotations

import logging
import threading
from typing import TYPE_CHECKING, cast

from . import actions
from .git_repos import Fetched, Location, RepositoryRefused, shown
from .runner import SUPPORTED

if TYPE_CHECKING:
    from .db_repositories import RepositoryRow
    from .rows import BundleRow, ContentRow, UserRow
    from .state import State
    from .tasks import Task

log = logging.getLogger("localconnect.repositories")


def location_of(row: RepositoryRow) -> Location:
    return Location(row["repository"], row["branch"], row["directory"])


def _record(state: State, content: ContentRow, user_guid: str, fetched: Fetched, location: Location) -> BundleRow:
    """The fetched folder as a bundle of the content, unless its app mode cannot be deployed here."""
    mode = fetched.manifest["metadata"]["appmode"]
    try:
        if mode not in SUPPORTED:
            raise RepositoryRefused(
                "The manifest.json in %s is for app mode %r, which the local server cannot run (it runs %s): "
                "publish it to Posit Connect." % (location.directory, mode, ", ".join(SUPPORTED))
            )
        if content["app_mode"] not in ("unknown", mode):
            raise RepositoryRefused(
                "The manifest.json in %s is for app mode %r, but this content is %r, which cannot change after its "
                "first deploy: deploy the repository as new content." % (location.directory, mode, content["app_mode"])
            )
        bundle_id = actions.record_bundle(state, content["guid"], user_guid, fetched.upload, fetched.manifest)
    except BaseException:
        fetched.upload.discard()
        raise
    state.db.add_bundle_source(bundle_id, shown(location.repository), location.ref, fetched.commit)
    log.info("content %s: bundle %s made from commit %s", content["guid"], bundle_id, fetched.commit[:12])
    return cast("BundleRow", state.db.bundle(content["guid"], bundle_id))


def fetch_bundle(state: State, content: ContentRow, user_guid: str, location: Location) -> tuple[BundleRow, str]:
    """Fetch the repository and make a bundle of the folder: (the bundle, its commit)."""
    guid = content["guid"]
    fetched = state.repositories.fetch(guid, location, state.layout.uploads_dir(guid))
    return _record(state, content, user_guid, fetched, location), fetched.commit


def set_repository(state: State, content: ContentRow, user: UserRow, location: Location, polling: bool) -> BundleRow:
    """Fetch the repository, make its first bundle, then store where it is (PUT, or a PATCH that
    moves it). Nothing is stored when the fetch or the bundle is refused."""
    bundle, commit = fetch_bundle(state, content, user["guid"], location)
    state.db.save_repository(content["guid"], location.repository, location.ref, location.directory, polling, commit)
    return bundle


def newest_bundle(state: State, content: ContentRow, user: UserRow) -> BundleRow:
    """The bundle a deploy without a bundle id makes live for git-backed content: the newest bundle
    when it holds the branch's commit now, else a new bundle fetched from it (rsconnect-python's
    `deploy git` of content already pointed at that branch and folder counts on this)."""
    guid = content["guid"]
    row = cast("RepositoryRow", state.db.repository(guid))
    location = location_of(row)
    head = state.repositories.head(location)
    made = state.db.bundles(guid)
    if made and head == row["last_known_commit"]:
        source = state.db.bundle_source(made[-1]["id"])
        if source is not None and source["commit_sha"] == head:
            return made[-1]
    bundle, commit = fetch_bundle(state, content, user["guid"], location)
    state.db.repository_checked(guid, commit, "")
    return bundle


def bundle_on_request(state: State, content: ContentRow, user: UserRow, location: Location) -> tuple[BundleRow, Task]:
    """`POST .../repository/bundle`: a new bundle from the repository now (new commits or not), and
    a finished task that tells what was fetched. The caller deploys the bundle."""
    bundle, commit = fetch_bundle(state, content, user["guid"], location)
    stored = state.db.repository(content["guid"])
    if stored is not None and location_of(stored) == location:
        state.db.repository_checked(content["guid"], commit, "")
    task = state.tasks.create(content["guid"], bundle["id"], user["guid"])
    task.log("Fetched %s: %s is at commit %s." % (shown(location.repository), location.ref, commit))
    task.log("Bundle %s holds the folder %s." % (bundle["id"], location.directory))
    task.finish(0)
    return bundle, task


def poll_one(state: State, row: RepositoryRow) -> str | None:
    """Look for a new commit on the repository's branch; when there is one, make its bundle and deploy
    it. Returns the deploy task's id, or None when nothing changed (or it failed: last_error says why)."""
    guid = row["content_guid"]
    location = location_of(row)
    content = state.db.content(guid)
    owner = state.db.user(content["owner_guid"]) if content else None
    if content is None or owner is None:
        return None
    try:
        head = state.repositories.head(location)
        if head == row["last_known_commit"]:
            state.db.repository_checked(guid, None, "")
            return None
        if state.db.task_running(guid):
            return None  # a deploy is running: look again next time
        bundle, commit = fetch_bundle(state, content, owner["guid"], location)
    except RepositoryRefused as e:
        if e.message != row["last_error"]:
            log.warning("content %s: polling its repository failed: %s", guid, e.message)
        state.db.repository_checked(guid, None, e.message)
        return None
    # The commit is known from now on, whether its deploy works or not: a broken commit is deployed
    # once (its task says why), not again at every poll.
    state.db.repository_checked(guid, commit, "")
    content = state.db.content(guid)
    if content is None:
        return None
    task = state.runner.deploy(content, bundle, owner, activate=True)
    log.info(
        "content %s: new commit %s on %s; deploying bundle %s (task %s)",
        guid,
        commit[:12],
        row["branch"],
        bundle["id"],
        task.id,
    )
    return task.id


class RepositoryPoller:
    """A thread that polls every polled repository each `interval` seconds
    (`rsconnect local-server --repository-poll`)."""

    def __init__(self, state: State, interval: float) -> None:
        self.state = state
        self.interval = interval
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self._thread = threading.Thread(target=self._loop, name="repository-poller", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()

    def _loop(self) -> None:
        while not self._stop.wait(self.interval):
            for row in self.state.db.polled_repositories():
                if self._stop.is_set():
                    return
                try:
                    poll_one(self.state, row)
                except Exception:  # a bug must not stop the polling of every other repository
                    log.exception("polling the repository of content %s failed", row["content_guid"])

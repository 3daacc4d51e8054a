"""Re-running a published notebook (jupyter-static) on the server: a run now, or a scheduled one.

Each run is a task (its log, as a deploy's; a job `build_jupyter` of the content) and a row of the
`renderings` table; its HTML is kept in DATA/content/GUID/renderings/ID/. It runs the live bundle's
notebook in the bundle's own environment (the one its deploy built: environments.py finds it by
Python and requirements), with the content's environment variables.

The live output is the latest successful run: a successful run's HTML replaces the bundle's (one
atomic rename). A failed run changes nothing people see; its log and the server's log say why.
After a run, the report is mailed when asked (a schedule with `email`, or the sender endpoint).

    Renders(db, layout, tasks, runner, mailer, url).start(content, trigger, user_guid, mail_to) -> Task
    can_render(content) -> str | None        None, or the sentence refusing it
    recipients(db, content, to) -> list of addresses
"""

from __future__ import annotations

import json
import logging
import os
import re
import shutil
from typing import TYPE_CHECKING

from . import bundles
from .runner import DeployStepFailed
from .tasks import INTERRUPTED

if TYPE_CHECKING:
    from .db import Database
    from .layout import Layout
    from .mail import Mailer
    from .rows import ContentRow
    from .runner import Runner
    from .tasks import Task, Tasks

log = logging.getLogger("localconnect.renders")
_EXCEPTION = re.compile(r"\b[A-Z]\w*(?:Error|Exception|Interrupt)\b: .*")

RENDERED_MODES = ("jupyter-static",)
# Who a report is mailed to (the sender's `email` argument, posit-sdk's send_mail `to`, and the
# dialogs' "Email the result to"): each includes the one before it.
AUDIENCES = ("me", "collaborators", "collaborators_viewers", "all")


def can_render(content: ContentRow) -> str | None:
    """None when the content can be re-run; else one sentence saying what to publish instead."""
    mode = content["app_mode"]
    if mode in RENDERED_MODES:
        return None if content["bundle_id"] else "Deploy the notebook first: there is nothing to re-run yet."
    if mode == "static":
        return (
            "This content is a snapshot (static HTML) and cannot be re-run or scheduled: publish the notebook "
            "with its source (rsconnect deploy notebook, or 'Publish document with source') to schedule it."
        )
    if mode == "unknown":
        return "This content has not been deployed: publish a notebook with its source, then schedule it."
    return (
        "This content (%s) is an app that runs on each visit and is never rendered: restart it to reload it, "
        "or publish a notebook with its source to schedule a report." % mode
    )


def audience_of(email_collaborators: int, email_viewers: int, email_all: int) -> str:
    if email_all:
        return "all"
    if email_viewers:
        return "collaborators_viewers"
    return "collaborators" if email_collaborators else "me"


def recipients(db: Database, content: ContentRow, to: str) -> list[str]:
    """The addresses of the people `to` names (an audience of AUDIENCES), the owner first."""
    owner = db.user(content["owner_guid"])
    people = [owner] if owner else []
    if to == "all":
        people += [u for u in db.users() if not u["locked"]]
    elif to in ("collaborators", "collaborators_viewers"):
        wanted = ("owner",) if to == "collaborators" else ("owner", "viewer")
        for p in db.permissions(content["guid"]):
            if p["role"] in wanted:
                user = db.user(p["principal_guid"])
                if user and not user["locked"]:
                    people.append(user)
    seen: list[str] = []
    for user in people:
        address = "%s@localhost" % user["username"]  # the address the API shows (models.user_json)
        if address not in seen:
            seen.append(address)
    return seen


def _cause(task: Task, error: str) -> str:
    """The exception the notebook raised, from its log (": RuntimeError: the data source is down")."""
    output, _, _, _ = task.snapshot()
    for line in reversed(output):
        found = _EXCEPTION.search(line)
        if found and found.group(0) not in error:
            return ": " + found.group(0).strip()[:300]
    return ""


class Renders:
    def __init__(self, db: Database, layout: Layout, tasks: Tasks, runner: Runner, mailer: Mailer, url: str) -> None:
        self.db = db
        self.layout = layout
        self.tasks = tasks
        self.runner = runner
        self.mailer = mailer
        self.url = url  # the server's own URL, for the links in mail

    def start(self, content: ContentRow, trigger: str, user_guid: str | None, mail_to: str | None = None) -> Task:
        """Start a run of the live notebook; returns its task. The caller checked can_render."""
        guid = content["guid"]
        bundle_id = str(content["bundle_id"])
        task = self.tasks.create(guid, bundle_id, user_guid)
        rendering_id = self.db.add_rendering(guid, bundle_id, task.id, trigger)
        self.runner.pool.submit(self._job, task, guid, bundle_id, rendering_id, mail_to)
        return task

    def _job(self, task: Task, guid: str, bundle_id: str, rendering_id: int, mail_to: str | None) -> None:
        runner = self.runner
        try:
            with runner._content_lock(guid):  # never beside a deploy or another run of this content
                if runner.stopping:
                    raise DeployStepFailed(INTERRUPTED)
                output = self._render(task, guid, bundle_id, rendering_id)
        except Exception as e:
            error = INTERRUPTED if runner.stopping else str(e) if isinstance(e, DeployStepFailed) else repr(e)
            if not isinstance(e, DeployStepFailed):
                log.error("run %d of content %s failed", rendering_id, guid, exc_info=e)
            why = "%s%s; the last good output stays live." % (error.rstrip(". "), _cause(task, error))
            log.warning("content %s: run %d failed: %s", guid, rendering_id, why)
            self.db.finish_rendering(rendering_id, 1, why, None)
            task.finish(1, why)
            return
        self.db.finish_rendering(rendering_id, 0, "", output)
        task.log("Run %d is the live output." % rendering_id)
        if mail_to:
            task.log(self.mail(guid, rendering_id, mail_to))
        task.finish(0)

    def _render(self, task: Task, guid: str, bundle_id: str, rendering_id: int) -> str:
        runner = self.runner
        layout = self.layout
        folder = layout.bundle_dir(guid, bundle_id)
        try:
            with open(os.path.join(folder, "manifest.json"), encoding="utf-8") as f:
                manifest = json.load(f)
        except (OSError, ValueError) as e:
            raise DeployStepFailed("The live bundle %s cannot be read: %s" % (bundle_id, e)) from e
        entry = manifest["metadata"].get("entrypoint") or ""
        notebook = bundles.safe_join(folder, entry) if entry else None
        if not notebook or not os.path.isfile(notebook):
            raise DeployStepFailed("The bundle's notebook %r is not in the bundle." % entry)
        task.log("Running %s of bundle %s (run %d)." % (entry, bundle_id, rendering_id))
        relative = os.path.join("renderings", str(rendering_id))
        out_dir = os.path.join(layout.content_dir(guid), relative)
        os.makedirs(out_dir, exist_ok=True)
        name = os.path.splitext(os.path.basename(notebook))[0] + ".html"
        output = os.path.join(out_dir, name)
        answer, _ = runner.render_notebook(task, manifest, folder, guid, notebook, output)
        if answer.get("status") != 0 or not os.path.isfile(output):
            raise DeployStepFailed(answer.get("error") or "Running the notebook failed")
        self._make_live(guid, bundle_id, output)
        return os.path.join(relative, name).replace(os.sep, "/")

    def _make_live(self, guid: str, bundle_id: str, output: str) -> None:
        """The run's HTML becomes what /content/GUID/ serves, if its bundle is still the live one."""
        content = self.db.content(guid)
        bundle = self.db.bundle(guid, bundle_id)
        if content is None or content["bundle_id"] != bundle_id or bundle is None or not bundle["primary_file"]:
            return  # a deploy replaced it meanwhile: the new bundle's own render is live
        primary = bundles.safe_join(self.layout.bundle_dir(guid, bundle_id), bundle["primary_file"])
        if primary is None:
            return
        temporary = primary + ".run-new"
        shutil.copyfile(output, temporary)
        os.replace(temporary, primary)

    def mail(self, guid: str, rendering_id: int, to: str) -> str:
        """Mail the run's link and the report's title to `to` (AUDIENCES); returns a line for the log."""
        content = self.db.content(guid)
        if content is None:
            return "The content is gone: nothing was mailed."
        title = content["title"] or content["name"]
        url = self.url + "content/%s/" % guid
        body = "%s\n\nThe report was updated (run %d): %s\nThis run: %s_rendering%d/\n" % (
            title,
            rendering_id,
            url,
            url,
            rendering_id,
        )
        return self.mailer.send(recipients(self.db, content, to), title, body)

"""A content item's page in the dashboard (/connect/apps/GUID), its task log pages, and its two
actions (Activate and Remove a source version: the API's rules, localconnect/actions.py).

Who sees what follows the API: anyone who may view the content sees its page (title, type, owner,
links); those it is shared with (auth.can_see) also see its versions and sharing; those who may
change it (auth.can_change) also see the deploy logs and the app's own log (as the jobs API and
Connect: not viewers), the names of its
environment variables (never their values), and the Activate and Remove buttons. Unknown content
and content this person may not view get the same 404 page.

The actions are POSTs from the page's forms: the Origin (PageHandler.prepare), the CSRF token and
the right to change the content are checked on every one; then the page is shown again (303).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import tornado.web

from ...progress import human_bytes
from .. import access, actions, auth, errors, jobs
from ..tasks import went_live
from .dashboard import access_name, deploy_state, mode_name, schedule_of, username, when
from .pages import PageHandler

if TYPE_CHECKING:
    from ..db_schedules import RenderingRow
    from ..rows import BundleRow, ContentRow, UserRow

NOT_FOUND = (
    "There is no content at this address that you may see. Check the link, or sign in as someone it is shared with."
)
NOT_ALLOWED = "Only the content's owner, collaborators and administrators may change its versions."
LOG_LINES = 300  # the newest lines of a log shown on the item page (a task's page shows all)


class ItemPage(PageHandler):
    """What the item's pages share: the content, looked up for the signed-in person."""

    def visible_content(self, user: UserRow, guid: str) -> ContentRow:
        content = self.db.content(guid)
        if content is None or not access.can_view(self.db, user, content):
            raise tornado.web.HTTPError(404, NOT_FOUND)
        return content

    # -- what the page shows -------------------------------------------------------------------
    def tasks(self, guid: str, limit: int | None = None) -> list[dict[str, Any]]:
        """The content's deploy tasks, newest first, with their logs (a running one's as it grows)."""
        rows = self.db.query(
            "SELECT id, bundle_id, user_guid, created_time FROM tasks WHERE content_guid = ?"
            " ORDER BY created_time DESC, rowid DESC",
            (guid,),
        )
        found = []
        for row in rows[:limit] if limit else rows:
            got = self.state.tasks.state(row["id"])
            if got is None:
                continue
            _, output, finished, code, error = got
            found.append(
                {
                    "id": row["id"],
                    "bundle_id": row["bundle_id"],
                    "by": username(self.db, row["user_guid"]),
                    "created": when(row["created_time"]),
                    "status": "running" if not finished else ("failed" if code else "done"),
                    "error": error,
                    "output": output,
                    "url": "/connect/apps/%s/tasks/%s" % (guid, row["id"]),
                }
            )
        return found

    def app_log(self, guid: str) -> tuple[str, list[str]]:
        """(what the log is, its newest lines): the app process started last (jobs.py: its log file
        and that file's rotations)."""
        started = [j for j in jobs.list_jobs(self.state, guid) if j.kind == "app"]
        if not started:
            return "", []
        job = started[0]  # newest first
        what = "version %s, started %s%s" % (job.bundle_id, when(job.start_time), ", running" if job.active else "")
        return what, [entry.data for entry in jobs.log_of(self.state, job, LOG_LINES)]

    def versions(self, content: ContentRow, tasks: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Each version labelled by what it is: live, previously live, a draft (built, never live),
        deploying, failed, or only uploaded. `tasks`: the content's, with their logs."""
        guid = content["guid"]
        was_live = {
            str(t["bundle_id"]) for t in tasks if t["status"] == "done" and went_live(t["output"], t["bundle_id"])
        }
        last_failed = {}
        for t in reversed(tasks):  # oldest first: the newest task of each bundle wins
            last_failed[str(t["bundle_id"])] = t["status"] == "failed"
        found = []
        for b in reversed(self.db.bundles(guid)):
            bundle_id = str(b["id"])
            live = bundle_id == str(content["bundle_id"])
            deploying = self.db.bundle_in_deploy(guid, b["id"])
            if live:
                status = "live"
            elif deploying:
                status = "deploying"
            elif bundle_id in was_live:
                status = "previously live"
            elif last_failed.get(bundle_id):
                status = "failed"
            elif b["primary_file"]:
                status = "draft"
            else:
                status = "not deployed"
            found.append(
                {
                    "id": b["id"],
                    "created": when(b["created_time"]),
                    "by": username(self.db, b["created_by"]),
                    "size": human_bytes(b["size"]),
                    "status": status,
                    "live": live,
                    "deploying": deploying,
                    "preview_url": "/content/%s/_bundle%s/" % (guid, b["id"])
                    if b["primary_file"] and not live and not deploying
                    else "",
                }
            )
        return found

    def sharing(self, content: ContentRow) -> dict[str, Any]:
        guid = content["guid"]
        viewers: list[str] = []
        collaborators: list[str] = []
        for p in self.db.permissions(guid):
            (collaborators if p["role"] == "owner" else viewers).append(username(self.db, p["principal_guid"]))
        vanity = self.db.vanity(guid)
        return {
            "access": access_name(content["access_type"], len(viewers) + len(collaborators)),
            "viewers": sorted(viewers),
            "collaborators": sorted(collaborators),
            "vanity": vanity["path"] if vanity else "",
            "tags": [t["name"] for t in self.db.content_tags(guid)],
        }

    def show(self, user: UserRow, content: ContentRow, notice: str = "", status: int = 200) -> None:
        guid = content["guid"]
        sees = auth.can_see(self.db, user, content)
        changes = auth.can_change(self.db, user, content)
        log_name, log_lines = self.app_log(guid) if changes else ("", [])
        all_tasks = self.tasks(guid) if sees else []
        self.page(
            "dashboard_item.html",
            status=status,
            user=user,
            notice=notice,
            item={
                "guid": guid,
                "title": content["title"] or content["name"],
                "name": content["name"],
                "description": content["description"],
                "type": mode_name(content["app_mode"]),
                "owner": username(self.db, content["owner_guid"]),
                "deployed": when(content["last_deployed_time"]) if content["bundle_id"] else "never",
                "state": deploy_state(self.db, content),
                "live_url": "/content/%s/" % guid if content["bundle_id"] else "",
            },
            sees=sees,
            changes=changes,
            versions=self.versions(content, all_tasks) if sees else [],
            tasks=all_tasks[:20] if changes else [],
            sharing=self.sharing(content) if sees else {},
            env_names=self.db.env_names(guid) if changes else [],
            schedule=schedule_of(self.db, guid) if sees else {},
            runs=[run_row(r) for r in self.db.renderings(guid, 20)] if sees else [],
            app_log_name=log_name,
            app_log=log_lines,
            log_lines=LOG_LINES,
        )


class DashboardItemHandler(ItemPage):
    """/connect/apps/GUID: the item page."""

    def get(self, guid: str) -> None:
        user = self.require_signed_in()
        self.show(user, self.visible_content(user, guid))


class DashboardTaskHandler(ItemPage):
    """/connect/apps/GUID/tasks/ID: one deploy task's whole log; the page reloads while it runs."""

    def get(self, guid: str, task_id: str) -> None:
        user = self.require_signed_in()
        content = self.visible_content(user, guid)
        row = self.db.task(task_id)
        if row is None or row["content_guid"] != guid or not auth.can_change(self.db, user, content):
            raise tornado.web.HTTPError(404, "This content has no such deploy task, or you may not see its logs.")
        task = next(t for t in self.tasks(guid) if t["id"] == task_id)
        if task["status"] == "running":
            self.set_header("Refresh", "2")  # a header, not a script: the page shows the log as it grows
        self.page(
            "dashboard_task.html",
            user=user,
            item={"guid": guid, "title": content["title"] or content["name"]},
            task=task,
        )


class BundleActionHandler(ItemPage):
    """POST /connect/apps/GUID/bundles/ID/(activate|delete), from the item page's forms."""

    def post(self, guid: str, bundle_id: str, action: str) -> None:
        self.check_csrf()
        user = self.signed_in()
        if user is None:  # check_csrf needs a session; its user may have been removed since
            raise tornado.web.HTTPError(403, "Sign in again, then retry.")
        content = self.visible_content(user, guid)
        if not auth.can_change(self.db, user, content):
            raise tornado.web.HTTPError(403, NOT_ALLOWED)
        bundle = self.db.bundle(guid, bundle_id) if len(bundle_id) < 19 else None
        if bundle is None:
            return self.show(
                user, content, "This content has no version %s: it may have been deleted." % bundle_id, 404
            )
        if action == "activate":
            self.activate_version(user, content, bundle)
        else:
            self.delete_version(user, content, bundle)

    def activate_version(self, user: UserRow, content: ContentRow, bundle: BundleRow) -> None:
        """Make this version live, as the API's deploy does: the same rule (actions.check_deploy)."""
        try:
            actions.check_deploy(self.db, content, bundle)
        except errors.ConnectError as refused:
            return self.show(user, content, refused.message, 409)
        task = self.state.runner.deploy(content, bundle, user, activate=True)
        self.redirect("/connect/apps/%s/tasks/%s" % (content["guid"], task.id), status=303)

    def delete_version(self, user: UserRow, content: ContentRow, bundle: BundleRow) -> None:
        """Remove this version, as the API's DELETE does: the same rule (actions.check_delete_bundle)."""
        try:
            actions.check_delete_bundle(self.db, content, bundle)
        except errors.ConnectError as refused:
            return self.show(user, content, refused.message, 409)
        actions.delete_bundle(self.state, content["guid"], str(bundle["id"]))
        self.redirect("/connect/apps/%s" % content["guid"], status=303)


def run_row(row: RenderingRow) -> dict[str, Any]:
    """One run of the notebook in the item page's history."""
    return {
        "id": row["id"],
        "started": when(row["started_time"][:19] + "Z"),
        "trigger": "scheduled" if row["trigger"] == "schedule" else "run now",
        "status": {"success": "succeeded", "failed": "failed", "running": "running"}.get(row["status"], row["status"]),
        "error": row["error"],
        "url": "/content/%s/_rendering%d/" % (row["content_guid"], row["id"]) if row["output"] else "",
    }

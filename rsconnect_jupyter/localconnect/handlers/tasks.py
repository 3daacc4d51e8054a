"""Deploying a bundle, and following the task that does it."""

from __future__ import annotations

import logging

from .. import actions, auth, errors, models
from .base import BaseHandler
from .repository import newest_git_bundle

log = logging.getLogger("localconnect")


class DeployHandler(BaseHandler):
    """POST v1/content/{guid}/deploy: deploy a bundle (no bundle_id: the newest)."""

    async def post(self, guid: str) -> None:
        await self.start(guid, "deploying", live=False)

    async def start(self, guid: str, doing: str, live: bool) -> None:
        """Check the body and who asks, then start the task; `live`: no bundle_id means the live
        bundle (a build), else the newest (a deploy)."""
        user = self.user()
        content = self.content_for(user, guid, change=True)
        body = self.json_object()
        unknown = sorted(k for k in body if k not in ("bundle_id", "activate"))
        if unknown:
            raise errors.bad_json(
                'Unknown field(s): %s. Send {"bundle_id": "<id>", "activate": true or false}.' % ", ".join(unknown)
            )
        bundle_id = body.get("bundle_id")
        if bundle_id is not None and (
            isinstance(bundle_id, bool) or not isinstance(bundle_id, (str, int)) or not str(bundle_id).isdigit()
        ):
            raise errors.invalid_value("bundle_id must be the id of one of this content's bundles.")
        if bundle_id is None and live:
            if not content["bundle_id"]:
                raise errors.invalid_value("This content was never deployed: name the bundle_id to build.")
            bundle = self.bundle_of(guid, str(content["bundle_id"]))
        elif bundle_id is None and self.db.repository(guid) is not None:
            bundle = await newest_git_bundle(self, content, user)  # the branch's commit now
        elif bundle_id is None:
            rows = self.db.bundles(guid)
            if not rows:
                raise errors.invalid_value("This content has no bundle to deploy.")
            bundle = rows[-1]
        else:
            bundle = self.bundle_of(guid, str(bundle_id))
        activate = body.get("activate", True)
        if not isinstance(activate, bool):
            raise errors.invalid_value("activate must be true (go live, the default) or false (a draft).")
        actions.check_deploy(self.db, content, bundle)  # the dashboard's Activate follows the same rule
        task = self.state.runner.deploy(content, bundle, user, activate=activate)
        log.info("content %s: %s bundle %s (task %s)", guid, doing, bundle["id"], task.id)
        self.send_json({"task_id": task.id}, status=202)


class BuildHandler(DeployHandler):
    """POST v1/content/{guid}/build: build a bundle already uploaded again (no bundle_id: the live
    one), without a new upload. Here a build is a deploy of that bundle: its environment is made
    again from its manifest (reused when one with the same Python and requirements is there)."""

    async def post(self, guid: str) -> None:
        await self.start(guid, "building", live=True)


class TaskHandler(BaseHandler):
    async def get(self, task_id: str) -> None:
        user = self.user()
        state = self.state.tasks.state(task_id)
        if state is None:
            raise errors.not_found("Task %s" % task_id)
        content = self.db.content(state[0])
        if user["user_role"] != "administrator" and (content is None or not auth.can_see(self.db, user, content)):
            raise errors.not_found("Task %s" % task_id)
        try:
            first = max(0, int(self.get_argument("first", "0")))
            wait = min(20.0, max(0.0, float(self.get_argument("wait", "0"))))
        except ValueError:
            raise errors.invalid_value("first and wait must be numbers.") from None
        output, finished, code, error = await actions.task_progress(self.state, task_id, first, wait)
        self.send_json(models.task_json(task_id, output, finished, code, error, first=min(first, len(output))))

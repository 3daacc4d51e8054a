"""The server's runtime caches (`v1/system/caches/runtime`, administrators only): the Python
environments it built, listed and deleted as Connect's caches are (runtime_caches.py)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .. import errors, runtime_caches
from .base import BaseHandler

if TYPE_CHECKING:
    from ..rows import UserRow

CACHE_FIELDS = ("language", "version", "image_name")


class RuntimeCachesHandler(BaseHandler):
    def administrator(self) -> UserRow:
        user = self.user()
        if user["user_role"] != "administrator":
            raise errors.forbidden("Only administrators may see and delete runtime caches.")
        return user

    def get(self) -> None:
        self.administrator()
        self.send_json({"caches": runtime_caches.caches(self.state.layout)})

    def delete(self) -> None:
        user = self.administrator()
        body = self.json_object()
        unknown = sorted(k for k in body if k not in CACHE_FIELDS + ("dry_run",))
        if unknown:
            raise errors.bad_json(
                "Unknown field(s): %s. Send language, version, image_name and dry_run." % ", ".join(unknown)
            )
        if any(not isinstance(body.get(k), str) or not body[k] for k in CACHE_FIELDS):
            raise errors.invalid_value(
                'Name the cache: {"language": "Python", "version": "3.11.2", "image_name": "Local"}.'
            )
        dry_run = body.get("dry_run", False)
        if not isinstance(dry_run, bool):
            raise errors.invalid_value("dry_run must be true (only check) or false (delete).")
        plan = runtime_caches.plan(self.db, self.state.layout, body["language"], body["version"], body["image_name"])
        task_id = None
        if not dry_run:
            task = self.state.tasks.create("", "", user["guid"])  # of no content: administrators follow it
            retire = self.state.runner.renderers.retire
            self.state.runner.pool.submit(runtime_caches.destroy, self.db, self.state.layout, plan, task, retire)
            task_id = task.id
        self.send_json({**{k: body[k] for k in CACHE_FIELDS}, "task_id": task_id})

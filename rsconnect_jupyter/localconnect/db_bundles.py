"""The database's bundles (a content's versions) and deploy tasks (with their log lines)."""

from __future__ import annotations

import json
from typing import Any, cast

from .db_schema import Connection, SqlValue, now
from .rows import BundleRow, TaskRow, UnfinishedTaskRow


class BundleQueries(Connection):
    """Bundles and tasks."""

    # -- bundles ----------------------------------------------------------------------------
    def add_bundle(
        self,
        content_guid: str,
        created_by: str | None,
        size: int,
        md5: str,
        sha1: str,
        app_mode: str | None,
        py_version: str | None,
    ) -> int:
        return cast(
            int,
            self.execute(  # an INSERT always sets the row id
                "INSERT INTO bundles (content_guid, created_time, created_by, size, archive_md5, archive_sha1,"
                " app_mode, py_version) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (content_guid, now(), created_by, size, md5, sha1, app_mode, py_version),
            ),
        )

    def bundle(self, content_guid: str, bundle_id: int | str) -> BundleRow | None:
        return cast(
            "BundleRow | None",
            self.one("SELECT * FROM bundles WHERE content_guid = ? AND id = ?", (content_guid, bundle_id)),
        )

    def bundles(self, content_guid: str) -> list[BundleRow]:
        return cast(
            "list[BundleRow]", self.query("SELECT * FROM bundles WHERE content_guid = ? ORDER BY id", (content_guid,))
        )

    def update_bundle(self, bundle_id: int | str, **fields: SqlValue) -> None:
        cols = ", ".join("%s = ?" % k for k in fields)
        self.execute("UPDATE bundles SET %s WHERE id = ?" % cols, (*fields.values(), bundle_id))

    def delete_bundle(self, bundle_id: int | str) -> None:
        self.execute("DELETE FROM bundles WHERE id = ?", (bundle_id,))

    # -- tasks ------------------------------------------------------------------------------
    def add_task(self, task_id: str, content_guid: str, bundle_id: str | None, user_guid: str | None) -> None:
        self.execute(
            "INSERT INTO tasks (id, content_guid, bundle_id, user_guid, created_time) VALUES (?, ?, ?, ?, ?)",
            (task_id, content_guid, bundle_id, user_guid, now()),
        )

    def task(self, task_id: str) -> TaskRow | None:
        row = self.one("SELECT * FROM tasks WHERE id = ?", (task_id,))
        if row:
            row["output"] = json.loads(row["output"])
        return cast("TaskRow | None", row)

    def save_task(self, task_id: str, output: list[str], finished: bool, code: int, error: str) -> None:
        self.execute(
            "UPDATE tasks SET output = ?, finished = ?, code = ?, error = ?,"
            " end_time = CASE WHEN ? = 1 AND end_time IS NULL THEN ? ELSE end_time END WHERE id = ?",
            (json.dumps(output), int(finished), code, error, int(finished), now(), task_id),
        )

    def bundle_in_deploy(self, content_guid: str, bundle_id: int | str) -> bool:
        """Whether a deploy task of this bundle is still running."""
        return bool(
            self.one(
                "SELECT 1 AS x FROM tasks WHERE content_guid = ? AND bundle_id = ? AND finished = 0",
                (content_guid, str(bundle_id)),
            )
        )

    def unfinished_task_bundles(self) -> list[dict[str, Any]]:
        """content_guid and bundle_id of every task still running (deploys, runs)."""
        return self.query("SELECT content_guid, bundle_id FROM tasks WHERE finished = 0")

    def unfinished_tasks(self) -> list[UnfinishedTaskRow]:
        return cast("list[UnfinishedTaskRow]", self.query("SELECT id, output FROM tasks WHERE finished = 0"))

    def content_tasks(self, content_guid: str) -> list[dict[str, Any]]:
        """The content's tasks, oldest first, without their output (jobs.py lists them as jobs):
        number (the row's number), id, bundle_id, finished, code, created_time, end_time."""
        return self.query(
            "SELECT rowid AS number, id, bundle_id, finished, code, created_time, end_time FROM tasks"
            " WHERE content_guid = ? ORDER BY rowid",
            (content_guid,),
        )

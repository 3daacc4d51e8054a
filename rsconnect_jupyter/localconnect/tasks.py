"""Deploy tasks: a growing list of log lines that clients read with `first` and long-poll with `wait`.

Live tasks are kept in memory (a deploy thread appends, handlers read) and saved to the database
on every change, so a finished task's log survives a restart. A task that was still running when
the server stopped is marked failed at the next start.
"""

from __future__ import annotations

import secrets
import threading
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .db import Database

INTERRUPTED = (
    "The local server stopped before this task finished; the deploy did not complete "
    "and the previously deployed bundle stays live. Deploy again."
)

# The line a deploy logs when its bundle goes live: the dashboard tells a version that was live once
# from a draft by it (the log is the only record of a past activation).
LIVE_LINE = "Bundle %s is live."


def went_live(output: list[str], bundle_id: object) -> bool:
    """Whether a deploy task's log says its bundle went live."""
    return LIVE_LINE % bundle_id in output


class Task:
    def __init__(self, db: Database, task_id: str, content_guid: str) -> None:
        self.db = db
        self.id = task_id
        self.content_guid = content_guid
        self.output: list[str] = []
        self.finished = False
        self.code = 0
        self.error = ""
        self._lock = threading.Lock()

    def log(self, line: str) -> None:
        with self._lock:
            self.output.extend(str(line).rstrip("\r\n").split("\n"))
            self._save()

    def finish(self, code: int = 0, error: str = "") -> None:
        with self._lock:
            if error:
                self.output.append(error)
            self.finished, self.code, self.error = True, code, error
            self._save()

    def snapshot(self) -> tuple[list[str], bool, int, str]:
        with self._lock:
            return list(self.output), self.finished, self.code, self.error

    def _save(self) -> None:
        self.db.save_task(self.id, self.output, self.finished, self.code, self.error)


class Tasks:
    def __init__(self, db: Database) -> None:
        self.db = db
        self._live: dict[str, Task] = {}
        self._lock = threading.Lock()

    def create(self, content_guid: str, bundle_id: int | str, user_guid: str | None) -> Task:
        task_id = secrets.token_urlsafe(12)
        self.db.add_task(task_id, content_guid, str(bundle_id), user_guid)
        task = Task(self.db, task_id, content_guid)
        with self._lock:
            self._live[task_id] = task
        return task

    def state(self, task_id: str) -> tuple[str, list[str], bool, int, str] | None:
        """(content_guid, output, finished, code, error) or None."""
        with self._lock:
            task = self._live.get(task_id)
        if task is not None:
            return (task.content_guid, *task.snapshot())
        row = self.db.task(task_id)
        if row is None:
            return None
        return row["content_guid"], row["output"], bool(row["finished"]), row["code"], row["error"]

    def mark_interrupted(self) -> None:
        """At start: every task a previous run left unfinished has failed."""
        for row in self.db.unfinished_tasks():
            import json

            output = json.loads(row["output"]) + [INTERRUPTED]
            self.db.save_task(row["id"], output, True, 1, INTERRUPTED)

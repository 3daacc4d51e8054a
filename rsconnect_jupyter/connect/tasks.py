"""Tasks: the output of a deploy, read with long polls."""

from __future__ import annotations

from typing import cast

from .session import Session
from .types import Task


class TasksAPI(Session):
    """`v1/tasks/{id}`."""

    def task(self, task_id: str, first: int = 0, wait: float = 0) -> Task:
        """The task's output from line `first` on; `wait` seconds of long poll (0-20)."""
        params = {"first": int(first)}
        if wait:
            params["wait"] = int(wait)
        return cast(Task, self.get("v1/tasks/%s" % task_id, params=params, timeout=self.timeout + (wait or 0)))

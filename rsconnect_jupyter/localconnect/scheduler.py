"""The scheduler: a thread that starts the runs of due schedules (renders.py runs them).

Every `tick` seconds (`rsconnect local-server --schedule-tick`, 30 by default) it looks for
schedules whose `next_run` has passed. Each due schedule runs once, however many of its times
passed (a server that was down for a day runs a minute schedule once at start, not 1440 times),
and its next run is the first time after now. A run still going when the next is due is not
doubled: that time is skipped, and the log says so.

Schedules live in the database, so a restart keeps them.
"""

from __future__ import annotations

import logging
import threading
from datetime import datetime, timezone
from typing import TYPE_CHECKING

from .. import schedule_rules
from . import renders

if TYPE_CHECKING:
    from .db import Database
    from .db_schedules import ScheduleRow

log = logging.getLogger("localconnect.scheduler")


def rule_of(row: ScheduleRow) -> schedule_rules.Rule:
    return schedule_rules.check(row["type"], row["schedule"], row["start_time"], row["timezone"])


class Scheduler:
    def __init__(self, db: Database, runs: renders.Renders, tick: float) -> None:
        self.db = db
        self.runs = runs
        self.tick = tick
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self._thread = threading.Thread(target=self._loop, name="scheduler", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                self.run_due(datetime.now(timezone.utc))
            except Exception:  # a bug must not stop every schedule
                log.exception("the scheduler failed a round")
            self._stop.wait(self.tick)

    def run_due(self, now: datetime) -> list[str]:
        """Start the runs due at `now`; returns the content GUIDs started."""
        started = []
        for row in self.db.schedules():
            if schedule_rules.parse_time(row["next_run"]) > now:
                break  # ordered by next_run
            guid = row["content_guid"]
            try:
                following = schedule_rules.next_run(rule_of(row), now)
            except schedule_rules.BadSchedule as e:  # stored before a rule changed: keep the row, say why
                log.warning("content %s: schedule %d cannot run: %s", guid, row["id"], e)
                continue
            self.db.set_next_run(row["id"], schedule_rules.rfc3339(following))
            content = self.db.content(guid)
            if content is None:
                self.db.delete_schedule(row["id"])
                continue
            refusal = renders.can_render(content)
            if refusal:
                log.warning("content %s: scheduled run skipped: %s", guid, refusal)
                continue
            if self.db.rendering_running(guid):
                log.info("content %s: the previous run is still going; this run is skipped", guid)
                continue
            mail_to = None
            if row["email"]:
                mail = self.db.variant_mail(guid)
                mail_to = renders.audience_of(mail["email_collaborators"], mail["email_viewers"], mail["email_all"])
            task = self.runs.start(content, "schedule", None, mail_to=mail_to)
            log.info("content %s: scheduled run started (task %s); next run %s", guid, task.id, following)
            started.append(guid)
        return started

"""Scheduled reports: what a schedule the user asks for means in Connect's terms, checked once for the
CLI (`rsconnect content schedule`, `deploy notebook --every ...`) and the dialogs alike; show, set and
remove it; run the notebook now and follow it; list past runs.

The user's words: `every` ("minute", "5 minutes", "2 hours", "day", "weekday", "week", "month",
"year"), `at` (HH:MM in `timezone`, an IANA name), `days` (for weekly: mon,wed...), `start` (a date,
YYYY-MM-DD; today by default), `email` (nobody, me, collaborators, viewers, all). They become
Connect's schedule JSON (types minute, hour, day, weekday, week, dayofweek, dayofmonth, year).
Only notebooks published with their source can be run again: the server refuses others with a
sentence saying what to publish instead.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, time, timezone
from typing import TYPE_CHECKING, Any

from . import schedule_rules
from .exceptions import InvalidInput, NotFound
from .publish_flow import follow_task
from .rules import SCHEDULE_EMAIL_CHOICES, SCHEDULE_EVERY_HELP
from .target import Log

if TYPE_CHECKING:
    from .versions import Content

EVERY_HELP = SCHEDULE_EVERY_HELP
EMAIL_CHOICES = SCHEDULE_EMAIL_CHOICES
DAY_NAMES = ("sun", "mon", "tue", "wed", "thu", "fri", "sat")  # Connect's numbers: 0 is Sunday
_EVERY = re.compile(r"^\s*(?:(\d+)\s+)?(minute|hour|day|weekday|week|month|year)s?\s*$", re.IGNORECASE)
_AT = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")
# The variant's mail settings per audience (after a run, the schedule's `email` mails the owner, and these).
_MAIL = {
    "nobody": (False, False, False),
    "me": (False, False, False),
    "collaborators": (True, False, False),
    "viewers": (True, True, False),
    "all": (True, True, True),
}


@dataclass(frozen=True)
class ScheduleRequest:
    """A schedule as the user words it (the CLI's options, the dialog's fields)."""

    every: str
    at: str | None = None
    timezone: str = "UTC"
    days: tuple[str, ...] = ()
    start: str | None = None  # YYYY-MM-DD
    email: str = "nobody"


@dataclass(frozen=True)
class ConnectSchedule:
    """The same in Connect's terms: the body of `POST schedules`, and the variant's mail settings."""

    body: dict[str, Any]
    mail: dict[str, bool] = field(default_factory=dict)


def _day_numbers(days: tuple[str, ...]) -> list[int]:
    numbers = set()
    for day in days:
        for part in day.replace(",", " ").split():
            key = part.strip().lower()[:3]
            if key not in DAY_NAMES:
                raise InvalidInput("%r is not a day of the week: use mon, tue, wed, thu, fri, sat or sun." % part)
            numbers.add(DAY_NAMES.index(key))
    return sorted(numbers)


def to_connect(request: ScheduleRequest, now: datetime | None = None) -> ConnectSchedule:
    """The Connect schedule for `request`; InvalidInput (one sentence) when it cannot be kept."""
    now = now or datetime.now(timezone.utc)
    found = _EVERY.match(request.every or "")
    if not found:
        raise InvalidInput("--every %r is not a schedule: use one of %s." % (request.every, EVERY_HELP))
    n, unit = int(found.group(1) or 1), found.group(2).lower()
    if n < 1:
        raise InvalidInput("--every needs a number of 1 or more.")
    try:
        zone = schedule_rules.zone_of(request.timezone)
    except schedule_rules.BadSchedule as e:
        raise InvalidInput(str(e)) from None
    local_now = now.astimezone(zone)
    try:
        day = date.fromisoformat(request.start) if request.start else local_now.date()
    except ValueError:
        raise InvalidInput("The start date %r is not a date: write it as YYYY-MM-DD." % request.start) from None
    if request.at:
        clock = _AT.match(request.at.strip())
        if not clock:
            raise InvalidInput("--at %r is not a time of day: write it as HH:MM, from 00:00 to 23:59." % request.at)
        wall = datetime.combine(day, time(int(clock.group(1)), int(clock.group(2))), tzinfo=zone)
        if wall.astimezone(timezone.utc).astimezone(zone).replace(tzinfo=None) != wall.replace(tzinfo=None):
            raise InvalidInput(
                "%s %s does not exist in %s (the clocks skip it that day): choose another time or start date."
                % (day.isoformat(), request.at, request.timezone)
            )
    else:
        wall = datetime.combine(day, local_now.time().replace(second=0, microsecond=0), tzinfo=zone)
    days = _day_numbers(request.days)
    if days and unit != "week":
        raise InvalidInput("--days goes with --every week (a weekly schedule on those days).")
    if unit in ("minute", "hour") and request.at:
        raise InvalidInput("--at goes with daily, weekly, monthly or yearly schedules, not every %s." % unit)
    type_, rule = _type_and_rule(unit, n, days, wall)
    body = {
        "type": type_,
        "schedule": rule,
        "start_time": schedule_rules.rfc3339(wall),
        "timezone": request.timezone,
        "email": request.email != "nobody",
        "activate": True,
    }
    if request.email not in _MAIL:
        raise InvalidInput("--email %r: choose one of %s." % (request.email, ", ".join(EMAIL_CHOICES)))
    collaborators, viewers, everyone = _MAIL[request.email]
    mail = {"email_collaborators": collaborators, "email_viewers": viewers, "email_all": everyone}
    return ConnectSchedule(body, mail)


def _type_and_rule(unit: str, n: int, days: list[int], wall: datetime) -> tuple[str, str]:
    if unit == "weekday":
        return "weekday", "{}"
    if unit == "week" and days:
        if n != 1:
            raise InvalidInput("A weekly schedule on chosen days runs every week: drop the number from --every.")
        return "dayofweek", '{"Days": %s}' % days
    if unit == "month":
        return "dayofmonth", '{"N": %d, "Day": %d}' % (n, wall.day)
    return unit, '{"N": %d}' % n


# -- on the server ----------------------------------------------------------------------------------
def _variant(content: Content) -> dict[str, Any]:
    variant = content.client.default_variant(content.guid)
    if variant is None:
        raise NotFound("The content %s has no variant to run: deploy it first." % content.guid)
    return variant


def current(content: Content) -> dict[str, Any] | None:
    """The content's schedule (Connect's JSON), with `words` added, or None."""
    found = content.client.schedule_of(int(_variant(content)["id"]))
    if found is not None:
        found["words"] = schedule_rules.describe(
            found["type"], found["schedule"], found["start_time"], found["timezone"]
        )
    return found


def audience(variant: dict[str, Any], schedule: dict[str, Any] | None) -> str:
    """Who the results are mailed to, in the user's words."""
    if not schedule or not schedule.get("email"):
        return "nobody"
    if variant.get("email_all"):
        return "all"
    if variant.get("email_viewers"):
        return "viewers"
    return "collaborators" if variant.get("email_collaborators") else "me"


def set_schedule(content: Content, request: ScheduleRequest) -> dict[str, Any]:
    """Create or replace the content's schedule; returns it as `current` does."""
    wanted = to_connect(request)
    variant = _variant(content)
    variant_id = int(variant["id"])
    existing = content.client.schedule_of(variant_id)
    body = dict(wanted.body, app_id=variant["app_id"], variant_id=variant_id)
    if existing is not None:
        body["id"] = existing["id"]
    content.client.schedule_save(body, None if existing is None else int(existing["id"]))
    content.client.variant_update(variant_id, **wanted.mail)
    saved = current(content)
    assert saved is not None
    return saved


def remove(content: Content) -> bool:
    """Remove the schedule; False when there was none."""
    existing = content.client.schedule_of(int(_variant(content)["id"]))
    if existing is None:
        return False
    content.client.schedule_delete(int(existing["id"]))
    return True


def run_now(content: Content, log: Log) -> dict[str, Any]:
    """Run the notebook again now and follow its log; returns the run (from the history)."""
    variant_id = int(_variant(content)["id"])
    task = content.client.render(variant_id)
    follow_task(content.client, task["id"], log, dashboard_url=content.item.get("dashboard_url"))
    runs = content.client.renderings(variant_id)
    return next((r for r in runs if r.get("task_id") == task["id"]), runs[0] if runs else {})


def history(content: Content) -> list[dict[str, Any]]:
    """Past runs, newest first: id, start_time, end_time, status, trigger, error, url."""
    return content.client.renderings(int(_variant(content)["id"]))

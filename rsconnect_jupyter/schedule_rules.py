"""When a schedule runs: Connect's schedule types, their rules, and the next run after a moment.

A schedule is Connect's JSON (fixtures schedules_*.json): `type`, `schedule` (the rule, a JSON
string such as '{"N": 2}'), `start_time` (UTC, RFC 3339) and `timezone` (IANA). The time of day,
the weekday and the day of the month of a run are read in the schedule's timezone, from its start:
a daily report started at 08:00 in America/New_York runs at 08:00 there in summer and in winter.
Minutes and hours count elapsed time from the start (DST does not stretch them).

Wall-clock times that do not exist (02:30 on the day clocks spring forward) run when the clock
reaches them after the jump (03:30); times that happen twice run the first time.

    check(type, rule_json, start_time, timezone) -> Rule     raises BadSchedule (one sentence)
    next_run(rule, after) -> datetime (UTC)                  the first run strictly after `after`
"""

from __future__ import annotations

import calendar
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

UTC = timezone.utc
TYPES = (
    "minute",
    "hour",
    "day",
    "weekday",
    "week",
    "dayofweek",
    "semimonth",
    "dayofmonth",
    "dayweekofmonth",
    "year",
)
# The keys each type's rule takes (posit-sdk's _build_schedule_json), and which are required.
RULE_KEYS: dict[str, tuple[set[str], set[str]]] = {
    "minute": ({"N"}, {"N"}),
    "hour": ({"N"}, {"N"}),
    "day": ({"N"}, {"N"}),
    "week": ({"N"}, {"N"}),
    "year": ({"N"}, {"N"}),
    "weekday": (set(), set()),
    "dayofweek": ({"Days"}, {"Days"}),
    "semimonth": ({"First"}, set()),
    "dayofmonth": ({"N", "Day"}, {"Day"}),
    "dayweekofmonth": ({"N", "Day", "Week"}, {"Day", "Week"}),
}


class BadSchedule(ValueError):
    """A schedule that cannot be kept; its message is one sentence saying what to send instead."""


@dataclass(frozen=True)
class Rule:
    type: str
    params: dict[str, Any]
    start: datetime  # UTC
    zone: ZoneInfo

    @property
    def local_start(self) -> datetime:
        return self.start.astimezone(self.zone)


def zone_of(name: str) -> ZoneInfo:
    """The IANA timezone `name`; BadSchedule when there is none by that name."""
    try:
        if not name or name != name.strip() or ".." in name or name.startswith("/"):
            raise ValueError(name)
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise BadSchedule(
            "There is no timezone %r: give an IANA name such as UTC, Europe/Paris or America/New_York." % name
        ) from None


def parse_time(text: str) -> datetime:
    """An RFC 3339 timestamp as an aware UTC datetime."""
    try:
        moment = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except (AttributeError, ValueError):
        raise BadSchedule("start_time %r is not an RFC 3339 time: send it as 2026-01-05T08:00:00Z." % (text,)) from None
    if moment.tzinfo is None:
        raise BadSchedule("start_time %r has no UTC offset: end it with Z (UTC) or +HH:MM." % text)
    return moment.astimezone(UTC)


def rfc3339(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def check(type_: str, rule_json: str, start_time: str, tz: str) -> Rule:
    """The schedule Connect would keep, or BadSchedule saying what is wrong with it."""
    if type_ not in RULE_KEYS:
        raise BadSchedule("Unknown schedule type %r: use one of %s." % (type_, ", ".join(TYPES)))
    try:
        params = json.loads(rule_json) if isinstance(rule_json, str) else None
    except ValueError:
        params = None
    if not isinstance(params, dict):
        raise BadSchedule('The schedule must be a JSON object in a string, such as "{\\"N\\": 1}".')
    allowed, required = RULE_KEYS[type_]
    unknown, missing = sorted(set(params) - allowed), sorted(required - set(params))
    if unknown or missing:
        raise BadSchedule(
            "A %s schedule takes %s; %s."
            % (
                type_,
                ", ".join(sorted(allowed)) or "no parameters",
                ("it does not take " + ", ".join(unknown)) if unknown else ("it needs " + ", ".join(missing)),
            )
        )
    _check_params(type_, params)
    return Rule(type_, params, parse_time(start_time), zone_of(tz))


def _int(params: dict[str, Any], key: str, low: int, high: int) -> None:
    value = params.get(key, low)
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise BadSchedule("%s must be a whole number from %d to %d, not %r." % (key, low, high, value))


def _check_params(type_: str, params: dict[str, Any]) -> None:
    if "N" in params:
        _int(params, "N", 1, 100000)
    if type_ == "dayofweek":
        days = params["Days"]
        if not isinstance(days, list) or not days:
            raise BadSchedule("Days must be a list of weekdays, 0 (Sunday) to 6 (Saturday).")
        for day in days:
            _int({"Days": day}, "Days", 0, 6)
    if type_ == "semimonth" and not isinstance(params.get("First", True), bool):
        raise BadSchedule("First must be true (the 1st and 15th) or false (the 14th and the last day).")
    if type_ == "dayofmonth":
        _int(params, "Day", 1, 31)
    if type_ == "dayweekofmonth":
        _int(params, "Day", 0, 6)
        _int(params, "Week", 0, 5)


# -- the next run ---------------------------------------------------------------------------------
def _at(rule: Rule, day: date) -> datetime:
    """The start's time of day on `day`, in the schedule's zone, as UTC (a time in a DST gap: after it)."""
    local = rule.local_start
    wall = datetime.combine(day, time(local.hour, local.minute, local.second), tzinfo=rule.zone)
    return wall.astimezone(UTC)


def _connect_weekday(day: date) -> int:
    return (day.weekday() + 1) % 7  # Connect: 0 is Sunday; Python: 0 is Monday


def _add_months(day: date, months: int, wanted: int) -> date:
    total = day.year * 12 + day.month - 1 + months
    year, month = divmod(total, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(wanted, last))


def _nth_weekday(year: int, month: int, weekday: int, week: int) -> date:
    """The (week+1)-th `weekday` (0 Sunday) of the month; the last one when the month has fewer."""
    first = date(year, month, 1)
    offset = (weekday - _connect_weekday(first)) % 7
    days = [first + timedelta(days=offset + 7 * k) for k in range(6)]
    days = [d for d in days if d.month == month]
    return days[min(week, len(days) - 1)]


def next_run(rule: Rule, after: datetime) -> datetime:
    """The first run strictly after `after` (and not before the start)."""
    after = after.astimezone(UTC)
    floor = max(after, rule.start - timedelta(microseconds=1))
    n = int(rule.params.get("N", 1))
    if rule.type in ("minute", "hour"):
        step = timedelta(minutes=n) if rule.type == "minute" else timedelta(hours=n)
        if floor < rule.start:
            return rule.start
        k = (floor - rule.start) // step + 1
        return rule.start + k * step
    start_day = rule.local_start.date()
    for candidate in _days_from(rule, n, start_day, floor.astimezone(rule.zone).date() - timedelta(days=1)):
        moment = _at(rule, candidate)
        if moment > floor:
            return moment
    raise AssertionError("no run found")  # every rule has runs in any year


def _days_from(rule: Rule, n: int, start: date, around: date) -> Iterator[date]:
    """The days the rule runs on, in order, from about `around` (never before the start)."""
    begin = max(start, around)
    p = rule.params
    if rule.type == "day":
        k = -(-(begin - start).days // n)
        while True:
            yield start + timedelta(days=k * n)
            k += 1
    if rule.type == "week":
        k = -(-(begin - start).days // (7 * n))
        while True:
            yield start + timedelta(days=7 * k * n)
            k += 1
    if rule.type in ("weekday", "dayofweek"):
        days = set(range(1, 6)) if rule.type == "weekday" else set(p["Days"])
        day = begin
        while True:
            if _connect_weekday(day) in days:
                yield day
            day += timedelta(days=1)
    if rule.type == "semimonth":
        month = date(begin.year, begin.month, 1)
        while True:
            last = calendar.monthrange(month.year, month.month)[1]
            for d in (1, 15) if p.get("First", True) else (14, last):
                day = month.replace(day=d)
                if day >= start:
                    yield day
            month = _add_months(month, 1, 1)
    if rule.type in ("dayofmonth", "dayweekofmonth", "year"):
        months = 12 * n if rule.type == "year" else n
        elapsed = (begin.year - start.year) * 12 + begin.month - start.month
        k = max(0, elapsed // months - 1)
        while True:
            month = _add_months(date(start.year, start.month, 1), k * months, 1)
            if rule.type == "year":
                day = _add_months(start, k * months, start.day)
            elif rule.type == "dayofmonth":
                day = _add_months(month, 0, int(p["Day"]))
            else:
                day = _nth_weekday(month.year, month.month, int(p["Day"]), int(p["Week"]))
            if day >= start:
                yield day
            k += 1


_WEEKDAYS = ("Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday")
_ORDINALS = ("first", "second", "third", "fourth", "fifth", "last")


def describe(type_: str, rule_json: str, start_time: str, tz: str) -> str:
    """A schedule in words, for the dashboard: "every 2 hours", "weekdays at 08:00 (Europe/Paris)"."""
    try:
        rule = check(type_, rule_json, start_time, tz)
    except BadSchedule as e:
        return "cannot run: %s" % e
    p, n = rule.params, int(rule.params.get("N", 1))
    at = " at %s (%s)" % (rule.local_start.strftime("%H:%M"), tz)
    every = "every" if n == 1 else "every %d" % n
    unit = {"minute": "minute", "hour": "hour", "day": "day", "week": "week", "year": "year"}.get(type_)
    if type_ in ("minute", "hour"):
        return "%s %s%s" % (every, unit, "" if n == 1 else "s")
    if type_ in ("day", "week", "year"):
        return "%s %s%s%s" % (every, unit, "" if n == 1 else "s", at)
    if type_ == "weekday":
        return "weekdays" + at
    if type_ == "dayofweek":
        return "every " + ", ".join(_WEEKDAYS[d] for d in sorted(p["Days"])) + at
    if type_ == "semimonth":
        return ("on the 1st and 15th" if p.get("First", True) else "on the 14th and the last day") + at
    months = "every month" if n == 1 else "every %d months" % n
    if type_ == "dayofmonth":
        return "%s on day %d%s" % (months, p["Day"], at)
    return "%s on the %s %s%s" % (months, _ORDINALS[int(p["Week"])], _WEEKDAYS[int(p["Day"])], at)

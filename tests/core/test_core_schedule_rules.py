"""When a schedule runs (rsconnect_jupyter/schedule_rules.py): each of Connect's types, in
the schedule's timezone, across DST changes, at fixed moments (the rules take `after` as an argument)."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from rsconnect_jupyter.schedule_rules import BadSchedule, check, describe, next_run

UTC = timezone.utc


def at(text):
    return datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(UTC)


@pytest.mark.parametrize(
    "type_,rule,start,zone,after,expected",
    [
        # minutes and hours count elapsed time from the start, whatever the zone
        (
            "minute",
            '{"N": 1}',
            "2026-03-08T06:59:30Z",
            "America/New_York",
            "2026-03-08T07:00:10Z",
            "2026-03-08T07:00:30Z",
        ),
        ("hour", '{"N": 2}', "2026-01-01T12:00:00Z", "UTC", "2026-01-01T12:00:00Z", "2026-01-01T14:00:00Z"),
        # a day at 08:00 in New York: 13:00 UTC in winter, 12:00 UTC after the clocks spring forward
        ("day", '{"N": 1}', "2026-03-06T13:00:00Z", "America/New_York", "2026-03-07T13:00:00Z", "2026-03-08T12:00:00Z"),
        # 02:30 does not exist on 2026-03-08 in New York: the run is at 03:30 (after the jump)
        ("day", '{"N": 1}', "2026-03-06T07:30:00Z", "America/New_York", "2026-03-07T08:00:00Z", "2026-03-08T07:30:00Z"),
        # 01:30 happens twice on 2026-11-01 in New York: the first time (EDT, 05:30 UTC)
        ("day", '{"N": 1}', "2026-10-30T05:30:00Z", "America/New_York", "2026-10-31T06:00:00Z", "2026-11-01T05:30:00Z"),
        ("weekday", "{}", "2026-01-02T08:00:00Z", "UTC", "2026-01-02T09:00:00Z", "2026-01-05T08:00:00Z"),
        ("week", '{"N": 2}', "2026-01-01T08:00:00Z", "UTC", "2026-01-01T09:00:00Z", "2026-01-15T08:00:00Z"),
        # the fixture's: Mondays and Wednesdays from 2026-01-01 (a Thursday) at noon in New York
        (
            "dayofweek",
            '{"Days": [1, 3]}',
            "2026-01-01T17:00:00Z",
            "America/New_York",
            "2026-01-01T17:00:00Z",
            "2026-01-05T17:00:00Z",
        ),
        ("semimonth", '{"First": true}', "2026-01-01T08:00:00Z", "UTC", "2026-01-01T09:00:00Z", "2026-01-15T08:00:00Z"),
        (
            "semimonth",
            '{"First": false}',
            "2026-02-01T08:00:00Z",
            "UTC",
            "2026-02-14T09:00:00Z",
            "2026-02-28T08:00:00Z",
        ),
        (
            "dayofmonth",
            '{"N": 1, "Day": 31}',
            "2026-01-31T08:00:00Z",
            "UTC",
            "2026-01-31T09:00:00Z",
            "2026-02-28T08:00:00Z",
        ),
        (
            "dayofmonth",
            '{"N": 3, "Day": 5}',
            "2026-01-05T08:00:00Z",
            "UTC",
            "2026-01-05T09:00:00Z",
            "2026-04-05T08:00:00Z",
        ),
        # the last Monday (Week 5) of each month; the second Tuesday (Day 2, Week 1)
        (
            "dayweekofmonth",
            '{"N": 1, "Day": 1, "Week": 5}',
            "2026-01-01T08:00:00Z",
            "UTC",
            "2026-01-01T09:00:00Z",
            "2026-01-26T08:00:00Z",
        ),
        (
            "dayweekofmonth",
            '{"N": 1, "Day": 2, "Week": 1}',
            "2026-01-01T08:00:00Z",
            "UTC",
            "2026-01-14T09:00:00Z",
            "2026-02-10T08:00:00Z",
        ),
        ("year", '{"N": 1}', "2024-02-29T08:00:00Z", "UTC", "2024-02-29T09:00:00Z", "2025-02-28T08:00:00Z"),
        # before the start: the start itself
        ("day", '{"N": 1}', "2030-01-01T08:00:00Z", "Europe/Paris", "2026-01-01T00:00:00Z", "2030-01-01T08:00:00Z"),
    ],
)
def test_next_run(type_, rule, start, zone, after, expected):
    assert next_run(check(type_, rule, start, zone), at(after)) == at(expected)


@pytest.mark.parametrize(
    "args,sentence",
    [
        (("day", '{"N": 1}', "2026-01-01T08:00:00Z", "Europe/Atlantis"), "There is no timezone 'Europe/Atlantis'"),
        (("day", '{"N": 0}', "2026-01-01T08:00:00Z", "UTC"), "N must be a whole number from 1"),
        (("day", '{"N": 1}', "2026-01-01 25:00", "UTC"), "is not an RFC 3339 time"),
        (("day", '{"N": 1}', "2026-01-01T08:00:00", "UTC"), "has no UTC offset"),
        (("weekday", '{"N": 1}', "2026-01-01T08:00:00Z", "UTC"), "A weekday schedule takes no parameters"),
    ],
)
def test_a_schedule_that_cannot_run_is_one_sentence(args, sentence):
    with pytest.raises(BadSchedule) as e:
        check(*args)
    assert sentence in str(e.value) and str(e.value).endswith(".")


def test_a_schedule_in_words():
    assert describe("hour", '{"N": 2}', "2026-01-01T12:00:00Z", "UTC") == "every 2 hours"
    assert (
        describe("dayofweek", '{"Days": [1, 3]}', "2026-01-01T17:00:00Z", "America/New_York")
        == "every Monday, Wednesday at 12:00 (America/New_York)"
    )
    assert describe("weekday", "{}", "2026-01-05T07:00:00Z", "Europe/Paris") == "weekdays at 08:00 (Europe/Paris)"

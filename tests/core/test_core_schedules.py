"""rsconnect_jupyter/schedules.py: the user's words (--every, --at, --timezone, --days, --start, --email)
as Connect's schedule, and the refusals, each one sentence, before anything is sent."""

from __future__ import annotations

import json
from datetime import datetime, timezone

import pytest

from rsconnect_jupyter.exceptions import InvalidInput
from rsconnect_jupyter.schedules import ScheduleRequest, to_connect

NOW = datetime(2026, 12, 7, 10, 17, 42, tzinfo=timezone.utc)


@pytest.mark.parametrize(
    "request_,type_,rule,start",
    [
        (ScheduleRequest("minute"), "minute", {"N": 1}, "2026-12-07T10:17:00Z"),
        (ScheduleRequest("15 minutes"), "minute", {"N": 15}, "2026-12-07T10:17:00Z"),
        (ScheduleRequest("2 hours"), "hour", {"N": 2}, "2026-12-07T10:17:00Z"),
        (ScheduleRequest("day", at="08:00", timezone="Europe/Paris"), "day", {"N": 1}, "2026-12-07T07:00:00Z"),
        (ScheduleRequest("weekday", at="08:00", start="2027-07-01", timezone="Europe/Paris"), "weekday", {},
         "2027-07-01T06:00:00Z"),
        (ScheduleRequest("week", at="09:30", days=("mon,wed",), timezone="America/New_York"), "dayofweek",
         {"Days": [1, 3]}, "2026-12-07T14:30:00Z"),
        (ScheduleRequest("2 weeks", at="09:30"), "week", {"N": 2}, "2026-12-07T09:30:00Z"),
        (ScheduleRequest("month", at="06:00", start="2027-01-31"), "dayofmonth", {"N": 1, "Day": 31},
         "2027-01-31T06:00:00Z"),
        (ScheduleRequest("year", at="06:00", start="2027-02-01"), "year", {"N": 1}, "2027-02-01T06:00:00Z"),
    ],
)  # fmt: skip
def test_the_users_words_as_connects_schedule(request_, type_, rule, start):
    made = to_connect(request_, now=NOW)
    assert made.body["type"] == type_ and json.loads(made.body["schedule"]) == rule
    assert made.body["start_time"] == start and made.body["timezone"] == request_.timezone


@pytest.mark.parametrize(
    "email,flags",
    [
        ("nobody", (False, False, False, False)),
        ("me", (True, False, False, False)),
        ("collaborators", (True, True, False, False)),
        ("viewers", (True, True, True, False)),
        ("all", (True, True, True, True)),
    ],
)
def test_who_gets_the_result(email, flags):
    made = to_connect(ScheduleRequest("day", email=email), now=NOW)
    mail = made.mail
    assert (made.body["email"], mail["email_collaborators"], mail["email_viewers"], mail["email_all"]) == flags


@pytest.mark.parametrize(
    "request_,sentence",
    [
        (ScheduleRequest("fortnight"), "--every 'fortnight' is not a schedule"),
        (ScheduleRequest("day", timezone="Europe/Atlantis"), "There is no timezone 'Europe/Atlantis'"),
        (ScheduleRequest("day", at="7pm"), "--at '7pm' is not a time of day"),
        (ScheduleRequest("day", at="02:30", start="2027-03-14", timezone="America/New_York"),
         "2027-03-14 02:30 does not exist in America/New_York (the clocks skip it that day)"),
        (ScheduleRequest("day", start="31/12/2026"), "The start date '31/12/2026' is not a date"),
        (ScheduleRequest("day", days=("mon",)), "--days goes with --every week"),
        (ScheduleRequest("week", days=("someday",)), "'someday' is not a day of the week"),
        (ScheduleRequest("hour", at="08:00"), "--at goes with daily, weekly, monthly or yearly schedules"),
    ],
)  # fmt: skip
def test_a_schedule_that_cannot_be_kept_is_one_sentence(request_, sentence):
    with pytest.raises(InvalidInput) as e:
        to_connect(request_, now=NOW)
    assert str(e.value).startswith(sentence) and str(e.value).endswith(".")

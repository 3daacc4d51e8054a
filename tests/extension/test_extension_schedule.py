"""POST rsconnect_jupyter/content/schedule/check: the dialog's check of a schedule chosen before a
publish, before anything is uploaded. It answers as the CLI's rules (schedules.to_connect) do, in the
same sentence, and never reads or saves anything on a server."""

import pytest

from rsconnect_jupyter import schedules
from rsconnect_jupyter.exceptions import InvalidInput

KEPT = [
    {"every": "1 minutes", "timezone": "Europe/Paris", "email": "me"},
    {"every": "day", "at": "07:45", "timezone": "America/New_York", "start": "2026-12-24", "email": "viewers"},
    {"every": "week", "at": "08:00", "timezone": "UTC", "days": ["mon", "thu"], "email": "nobody"},
]
REFUSED = [
    {"every": "day", "at": "08:00", "timezone": "Mars/Base"},
    {"every": "day", "at": "02:30", "timezone": "Europe/Paris", "start": "2026-03-29"},  # the clocks skip it
    {"every": "day", "at": "08:00", "timezone": "UTC", "days": ["mon"]},
    {"every": "fortnight", "timezone": "UTC"},
    {"every": "2 hours", "at": "08:00", "timezone": "UTC"},
]


@pytest.mark.parametrize("body", KEPT)
def test_a_schedule_that_can_be_kept_passes(jupyter, body):
    r = jupyter.api("POST", "content/schedule/check", json=body)
    assert r.status_code == 200, r.text
    assert r.json() == {}


@pytest.mark.parametrize("body", REFUSED)
def test_a_schedule_that_cannot_be_kept_gets_the_clis_sentence(jupyter, body):
    request = schedules.ScheduleRequest(**{k: tuple(v) if k == "days" else v for k, v in body.items()})
    with pytest.raises(InvalidInput) as refused:
        schedules.to_connect(request)
    r = jupyter.api("POST", "content/schedule/check", json=body)
    assert r.status_code == 400
    assert r.json()["message"] == str(refused.value)


def test_a_field_the_check_does_not_read_is_refused(jupyter):
    r = jupyter.api("POST", "content/schedule/check", json={"every": "day", "server": "local"})
    assert r.status_code == 400 and "server" in r.json()["message"]

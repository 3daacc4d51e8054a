"""Variants, runs, schedules, groups and restarts as Connect has them, judged by posit-sdk 0.17 (pinned in
tests/core/posit_sdk.py) over real HTTP to the session's local server: `content.schedule` (every schedule
type the SDK sends: created, found, changed, removed), `content.render()`, `groups.find()`,
`content.restart()`; plain requests for the refusals' status and sentence."""

from __future__ import annotations

import re
import sqlite3
import time
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
import requests

from tests.core import posit_sdk
from tests.localserver.localserver_helpers import Client, app_bundle, notebook_bundle, static_bundle

NOTEBOOK = notebook_bundle("import time\nprint('rendered at', time.time_ns())")
# Every type posit-sdk 0.17's Schedules.create takes, with its parameters.
EVERY_TYPE = [
    {"type": "minute", "n": 5},
    {"type": "hour", "n": 2},
    {"type": "day", "n": 1},
    {"type": "weekday"},
    {"type": "week", "n": 2},
    {"type": "dayofweek", "days": ["monday", "wednesday"]},
    {"type": "semimonth", "first": False},
    {"type": "dayofmonth", "day": 31},
    {"type": "dayweekofmonth", "day": 1, "week": 5},
    {"type": "year", "n": 1},
]
# 07:30 UTC on the day New York springs forward (2026-03-08): 03:30 there, in summer time.
START = "2026-03-08T07:30:00Z"
ZONE = "America/New_York"

SDK_SCHEDULES = """
import warnings
warnings.simplefilter("ignore", FutureWarning)
content = client.content.get(%(guid)r)
schedule = content.schedule
out = {"before": schedule.find_one() is None, "created": []}
for kwargs in %(types)r:
    made = schedule.create(start_time=%(start)r, timezone=%(zone)r, **kwargs)
    out["created"].append({"made": dict(made), "rule": made.rule, "found": dict(schedule.find_one())})
out["changed"] = dict(schedule.create(type="day", n=3, email=True))
out["found"] = dict(schedule.find_one())
schedule.delete()
out["after"] = schedule.find_one() is None
schedule.delete()  # removing what is not there: nothing happens
print(json.dumps(out))
"""


@pytest.fixture(scope="module")
def owner(local_server):
    return Client(local_server, local_server.add_user("sched-owner", "publisher"))


@pytest.fixture(scope="module")
def notebook(owner):
    item = owner.create("sched-report", "A scheduled report")
    task, lines = owner.publish(item["guid"], NOTEBOOK)
    assert task["code"] == 0, lines
    return owner("GET", "v1/content/" + item["guid"]).json()


def local(moment):
    return datetime.fromisoformat(moment.replace("Z", "+00:00")).astimezone(ZoneInfo(ZONE))


def test_posit_sdk_creates_finds_changes_and_removes_every_schedule_type(local_server, owner, notebook):
    guid = notebook["guid"]
    before = datetime.now(timezone.utc)
    out = posit_sdk.run(
        local_server.url, owner.key, SDK_SCHEDULES % {"guid": guid, "types": EVERY_TYPE, "start": START, "zone": ZONE}
    )
    assert out["before"] and out["after"]
    fixture_keys = {"id", "app_id", "variant_id", "type", "schedule", "start_time", "next_run", "timezone"}
    ids = set()
    for asked, got in zip(EVERY_TYPE, out["created"]):
        made = got["made"]
        assert set(made) >= fixture_keys | {"activate", "email"}, made
        assert made == got["found"]  # what was saved is what is found
        assert made["type"] == asked["type"] and made["timezone"] == ZONE and made["start_time"] == START
        assert made["app_id"] == int(notebook["id"]) and made["variant_id"] == int(notebook["id"])
        assert made["activate"] is True and made["email"] is False
        assert isinstance(made["schedule"], str)  # a JSON string, as Connect sends it
        ids.add(made["id"])
        nxt = datetime.fromisoformat(made["next_run"].replace("Z", "+00:00"))
        assert nxt > before, made
        when = local(made["next_run"])
        kind = asked["type"]
        if kind == "minute":
            assert nxt - before <= timedelta(minutes=5, seconds=5) and nxt.second == 0 and nxt.minute % 5 == 0
        elif kind == "hour":
            assert nxt - before <= timedelta(hours=2, seconds=5) and (nxt.minute, nxt.second) == (30, 0)
        else:  # wall-clock types keep 03:30 in New York whatever the offset (summer at the start)
            assert (when.hour, when.minute) == (3, 30), (kind, made["next_run"])
        if kind == "weekday":
            assert when.weekday() < 5
        if kind == "dayofweek":
            assert when.strftime("%A") in ("Monday", "Wednesday") and got["rule"] == {"Days": [1, 3]}
        if kind == "semimonth":
            last = (when.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)
            assert when.day in (14, last.day) and got["rule"] == {"First": False}
        if kind == "dayofmonth":
            last = (when.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)
            assert when.day == min(31, last.day)
        if kind == "dayweekofmonth":  # week 5: the month's last Monday
            assert when.weekday() == 0 and (when + timedelta(days=7)).month != when.month
        if kind == "week":
            assert (when.date() - local(START).date()).days % 14 == 0 and when.weekday() == 6
        if kind == "year":
            assert (when.month, when.day) == (3, 8)
    assert len(ids) == 1  # one schedule per variant: a create replaces it
    changed = out["changed"]
    assert changed["type"] == "day" and changed["schedule"] == '{"N": 3}' and changed["email"] is True
    assert changed["timezone"] == ZONE and changed["start_time"] == START  # kept from the schedule it replaced
    assert out["found"] == changed


def test_schedules_show_in_connects_json_and_survive_in_the_database(local_server, owner, notebook):
    variants = owner("GET", "applications/%s/variants" % notebook["guid"]).json()
    assert len(variants) == 1
    variant = variants[0]
    assert (
        variant["is_default"] is True
        and variant["id"] == int(notebook["id"])
        and variant["app_id"] == int(notebook["id"])
    )
    body = {"variant_id": variant["id"], "app_id": variant["app_id"], "type": "hour", "schedule": '{"N": 2}'}
    body.update(start_time="2026-01-01T12:00:00Z", timezone="UTC", activate=True, email=False)
    r = owner("POST", "schedules", json=body)
    assert r.status_code == 200, r.text
    made = r.json()
    assert made["next_run"].endswith(":00:00Z") and int(made["next_run"][11:13]) % 2 == 0  # every 2 h from noon
    assert owner("GET", "schedules/%d" % made["id"]).json() == made
    assert owner("GET", "variants/%d/schedules" % variant["id"]).json() == [made]
    assert made in owner("GET", "schedules").json()
    with sqlite3.connect("file:%s?mode=ro" % (local_server.data_dir / "connect.db"), uri=True) as db:
        (row,) = db.execute("SELECT type, schedule, timezone FROM schedules WHERE id = ?", (made["id"],)).fetchall()
    assert row == ("hour", '{"N": 2}', "UTC")
    assert owner("DELETE", "schedules/%d" % made["id"]).status_code == 204
    assert owner("GET", "schedules/%d" % made["id"]).status_code == 404


@pytest.mark.parametrize(
    "change,sentence",
    [
        ({"timezone": "Mars/Olympus_Mons"}, "There is no timezone 'Mars/Olympus_Mons'"),
        ({"start_time": "2026-02-30T08:00:00Z"}, "is not an RFC 3339 time"),
        ({"type": "fortnight"}, "Unknown schedule type 'fortnight'"),
        ({"schedule": '{"Days": [9]}', "type": "dayofweek"}, "Days must be a whole number from 0 to 6"),
        ({"schedule": '{"N": 1, "X": 2}'}, "A day schedule takes N; it does not take X."),
    ],
)
def test_a_schedule_that_cannot_be_kept_gets_one_sentence_and_nothing_is_saved(owner, notebook, change, sentence):
    body = {"variant_id": notebook["id"], "type": "day", "schedule": '{"N": 1}', "timezone": "UTC", **change}
    r = owner("POST", "schedules", json=body)
    assert r.status_code == 400 and r.json()["code"] == 3, r.text
    assert sentence in r.json()["error"] and r.json()["error"].endswith(".")
    assert owner("GET", "variants/%s/schedules" % notebook["id"]).json() == []


def test_snapshots_and_apps_cannot_be_scheduled_or_rendered_and_are_told_what_to_publish(owner):
    item = owner.create("sched-snapshot", "A snapshot")
    task, lines = owner.publish(item["guid"], static_bundle("<p>static</p>"))
    assert task["code"] == 0, lines
    body = {"variant_id": item["id"], "type": "day", "schedule": '{"N": 1}'}
    r = owner("POST", "schedules", json=body)
    assert r.status_code == 400, r.text
    assert "snapshot" in r.json()["error"] and "publish the notebook with its source" in r.json()["error"]
    assert owner("GET", "variants/%s/schedules" % item["id"]).json() == []
    r = owner("POST", "variants/%s/render" % item["id"])
    assert r.status_code == 400 and "cannot be re-run" in r.json()["error"]


SDK_RENDER = """
content = client.content.get(%(guid)r)
task = content.render()
task.wait_for()
variant = client.get("applications/%(guid)s/variants").json()[0]
runs = client.get("variants/%%d/renderings" %% variant["id"]).json()
jobs = [dict(j) for j in content.jobs]
print(json.dumps({"task": dict(task), "variant": variant, "runs": runs, "jobs": jobs}))
"""


def test_posit_sdk_renders_the_notebook_again_and_the_run_is_kept(local_server, owner, notebook):
    guid = notebook["guid"]
    first_page = owner.get(notebook["content_url"]).text
    out = posit_sdk.run(local_server.url, owner.key, SDK_RENDER % {"guid": guid})
    task = out["task"]
    assert task["finished"] and task["code"] == 0, task
    run = out["runs"][0]
    assert run["status"] == "success" and run["exit_code"] == 0 and run["trigger"] == "request"
    assert out["variant"]["rendering_id"] == run["id"] and out["variant"]["render_duration"] > 0
    page = owner.get(notebook["content_url"]).text
    stamps = [re.findall(r"rendered at (\d+)", text) for text in (first_page, page)]
    assert stamps[0] and stamps[1] and stamps[0] != stamps[1]  # the live output is the new run's
    kept = owner.get(run["url"]).text
    assert re.findall(r"rendered at (\d+)", kept) == stamps[1]
    # jobs record their end and exit code now
    for job in out["jobs"]:
        assert job["status"] == 1 and job["exit_code"] == 0 and job["end_time"] >= job["start_time"], job


def test_a_failed_run_keeps_the_last_good_output_and_says_why(local_server, owner):
    item = owner.create("sched-flaky", "A report that fails on its second run")
    flaky = notebook_bundle(
        "import os, time\nmarker = 'ran-once'\n"
        "if os.path.exists(marker): raise RuntimeError('the data source is down')\n"
        "open(marker, 'w').write('x')\nprint('good run', time.time_ns())"
    )
    task, lines = owner.publish(item["guid"], flaky)
    assert task["code"] == 0, lines
    good = owner.get(item["content_url"]).text
    assert "good run" in good
    r = owner("POST", "variants/%s/render" % item["id"])
    assert r.status_code == 200, r.text
    final, lines = owner.wait(r.json()["id"])
    assert final["code"] == 1 and "the data source is down" in "\n".join(lines)
    assert "the last good output stays live" in final["error"]
    assert owner.get(item["content_url"]).text == good
    (run,) = owner("GET", "variants/%s/renderings" % item["id"]).json()
    assert run["status"] == "failed" and run["exit_code"] == 1 and run["url"] is None
    assert "the data source is down" in local_server.log() or "the data source is down" in run["error"]


SDK_GROUPS = """
print(json.dumps({"found": [dict(g) for g in client.groups.find()], "one": client.groups.find_one()}))
"""


def test_posit_sdk_finds_no_groups_as_connect_answers_with_none(local_server, owner):
    assert posit_sdk.run(local_server.url, owner.key, SDK_GROUPS) == {"found": [], "one": None}
    r = owner("GET", "v1/groups")
    assert r.status_code == 200 and r.json() == {"results": [], "current_page": 1, "total": 0}


SDK_RESTART = """
content = client.content.get(%(guid)r)
content.restart()
print(json.dumps({"mode": content["app_mode"]}))
"""


def running_pid(owner, guid):
    jobs = owner("GET", "v1/content/%s/jobs" % guid).json()
    return [j["pid"] for j in jobs if j["status"] == 0 and j["pid"]]


def test_posit_sdk_restart_starts_a_new_process_with_the_new_variables(local_server, owner):
    item = owner.create("sched-restart", "An API restarted by a variable change")
    task, lines = owner.publish(item["guid"], app_bundle("wsgi", "python-api", "app:app"))
    assert task["code"] == 0, lines
    assert "no greeting" in owner.get(item["content_url"]).text
    (before,) = running_pid(owner, item["guid"])
    out = posit_sdk.run(local_server.url, owner.key, SDK_RESTART % {"guid": item["guid"]})
    assert out == {"mode": "python-api"}
    deadline = time.time() + 60
    while time.time() < deadline and running_pid(owner, item["guid"]) in ([], [before]):
        owner.get(item["content_url"])
    (after,) = running_pid(owner, item["guid"])
    assert after != before
    old = [j for j in owner("GET", "v1/content/%s/jobs" % item["guid"]).json() if j["pid"] is None]
    stopped = [j for j in old if j["tag"] == "run_python_api"]
    assert stopped and stopped[0]["end_time"] and stopped[0]["exit_code"] is not None
    # a variable set through the API reaches the new process at once
    r = owner("PATCH", "v1/content/%s/environment" % item["guid"], json=[{"name": "SAMPLE_GREETING", "value": "hi"}])
    assert r.status_code == 200
    assert "Hello from the sample WSGI API (hi)" in owner.get(item["content_url"]).text


def test_the_dashboard_shows_the_schedule_its_next_run_and_the_runs(local_server, owner, notebook):
    body = {"variant_id": int(notebook["id"]), "type": "weekday", "schedule": "{}"}
    body.update(start_time="2026-01-05T07:00:00Z", timezone="Europe/Paris")
    made = owner("POST", "schedules", json=body).json()
    task, lines = owner.wait(owner("POST", "variants/%s/render" % notebook["id"]).json()["id"])
    assert task["code"] == 0, lines
    runs = owner("GET", "variants/%s/renderings" % notebook["id"]).json()
    cookie = local_server.session_cookie()
    cookies = {cookie["name"]: cookie["value"]}
    page = requests.get(local_server.url + "connect/apps/" + notebook["guid"], cookies=cookies, timeout=60).text
    next_run = made["next_run"].replace("T", " ")[:16] + " UTC"
    assert "Runs weekdays at 08:00 (Europe/Paris)." in page and "Next run: " + next_run in page
    for run in runs:
        assert 'data-run="%d"' % run["id"] in page
    assert 'href="/content/%s/_rendering%d/"' % (notebook["guid"], runs[0]["id"]) in page
    listing = requests.get(local_server.url + "connect/", cookies=cookies, timeout=60).text
    assert "weekdays at 08:00 (Europe/Paris)" in listing and "next run " + next_run in listing
    assert owner("DELETE", "schedules/%d" % made["id"]).status_code == 204

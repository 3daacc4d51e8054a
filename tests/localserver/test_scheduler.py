"""The scheduler (rsconnect_jupyter/localconnect/scheduler.py) re-runs notebooks on time with nobody
touching them, keeps every run, mails the report through a real SMTP server on 127.0.0.1 (aiosmtpd), and
keeps its schedules across a restart; a run missed while the server was down runs once at start.

The servers here look for due schedules every second (`--schedule-tick 1`): a minute schedule still
waits for real minutes, which is what the issue's check asks ("re-run at least twice in three minutes").
"""

from __future__ import annotations

import email
import email.policy
import re
import sqlite3
import threading
import time
from datetime import datetime, timedelta, timezone

import pytest
from aiosmtpd.controller import Controller

from rsconnect_jupyter.localconnect.launch import free_port
from tests.cli.test_cli_publish import cli, ok
from tests.core import posit_sdk
from tests.localserver.localserver_helpers import Client, notebook_bundle

NOTEBOOK = notebook_bundle("import datetime\nprint('the time is', datetime.datetime.now().isoformat())")


class Inbox:
    """What the SMTP server received: (recipients, message text) per message."""

    def __init__(self):
        self.messages = []
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            self.messages.append((sorted(envelope.rcpt_tos), envelope.content.decode("utf-8", "replace")))
        return "250 OK"


@pytest.fixture(scope="module")
def smtp():
    inbox = Inbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    inbox.address = "127.0.0.1:%d" % port
    yield inbox
    controller.stop()


def args(local_server, *more):
    # The session server's environments: the notebook's is built once for the whole suite.
    return ["--schedule-tick", "1", "--environments-dir", str(local_server.data_dir / "environments"), *more]


def wait_for(check, timeout, what):
    deadline = time.time() + timeout
    while time.time() < deadline:
        got = check()
        if got:
            return got
        time.sleep(0.5)
    raise AssertionError("%s did not happen within %d s" % (what, timeout))


def publish_report(owner, name):
    item = owner.create(name, "The time report")
    task, lines = owner.publish(item["guid"], NOTEBOOK)
    assert task["code"] == 0, lines
    return item


def scheduled_runs(owner, item):
    return [r for r in owner("GET", "variants/%s/renderings" % item["id"]).json() if r["trigger"] == "schedule"]


def finished_runs(owner, item):
    return [r for r in scheduled_runs(owner, item) if r["end_time"]]


@pytest.mark.slow
def test_a_minute_schedule_reruns_the_notebook_twice_in_three_minutes_mails_it_and_survives_a_restart(
    tmp_path, local_server, local_servers, smtp
):
    data = tmp_path / "data"
    server = local_servers.start(data, extra_args=args(local_server, "--smtp", smtp.address))
    admin = Client(server)
    owner = Client(server, server.add_user("maud", "publisher"))
    server.add_user("colin", "publisher")
    server.add_user("vera", "viewer")
    server.add_user("noah", "viewer")  # not shared with: never mailed
    item = publish_report(owner, "time-report")
    users = {u["username"]: u["guid"] for u in admin("GET", "v1/users").json()["results"]}
    for name, role in (("colin", "owner"), ("vera", "viewer")):
        r = owner(
            "POST",
            "v1/content/%s/permissions" % item["guid"],
            json={"principal_guid": users[name], "principal_type": "user", "role": role},
        )
        assert r.status_code == 200, r.text
    # scheduled from the CLI, every minute, mailed to those it is shared with
    target = ["-s", server.url, "-k", owner.key]
    said = ok(cli("content", "schedule", item["guid"], *target, "--every", "minute", "--email", "viewers")).stdout
    assert "Runs every minute; next run " in said
    started = time.time()
    first = wait_for(lambda: finished_runs(owner, item), 100, "a first scheduled run")
    page_after_first = owner.get(item["content_url"]).text

    # restart: the schedule is in the database and comes back with the server
    local_servers.stop(server)
    server = local_servers.start(data, extra_args=args(local_server, "--smtp", smtp.address))
    owner = Client(server, owner.key)
    item = owner("GET", "v1/content/" + item["guid"]).json()  # its URLs name the new port
    (kept,) = owner("GET", "variants/%s/schedules" % item["id"]).json()
    assert kept["type"] == "minute" and kept["email"] is True
    runs = wait_for(
        lambda: len(finished_runs(owner, item)) >= 2 and finished_runs(owner, item),
        180 - (time.time() - started),
        "a second scheduled run after the restart",
    )
    assert time.time() - started < 180
    assert all(r["status"] == "success" and r["exit_code"] == 0 for r in runs), runs
    assert runs[-1]["id"] == first[-1]["id"]
    # the live page is the latest run's, and each run's own output is kept
    newest = runs[0]
    assert owner.get(item["content_url"]).text == owner.get(newest["url"]).text != page_after_first
    assert "the time is" in owner.get(runs[-1]["url"]).text  # the first run's, kept
    # each run is a job of the content, with its end and exit code
    jobs = owner("GET", "v1/content/%s/jobs" % item["guid"]).json()
    assert len([j for j in jobs if j["tag"] == "build_jupyter" and j["exit_code"] == 0 and j["end_time"]]) >= 3
    # mail: the owner, the collaborator and the viewer; the report's title and link
    expected = sorted(["maud@localhost", "colin@localhost", "vera@localhost"])
    mails = wait_for(lambda: len(smtp.messages) >= 2 and list(smtp.messages), 30, "two mails")
    for recipients, text in mails:
        message = email.message_from_string(text, policy=email.policy.default)
        assert recipients == expected and message["Subject"] == "The time report"
        body = message.get_content()
        link = r"http://127\.0\.0\.1:\d+/content/%s/" % item["guid"]  # the server's URL then (a restart moves it)
        assert re.search(link + r"\s", body) and re.search(link + r"_rendering\d+/", body), body


def test_a_run_missed_while_the_server_was_down_runs_once_at_start_and_mail_off_is_said_once(
    tmp_path, local_server, local_servers
):
    data = tmp_path / "data"
    server = local_servers.start(data, extra_args=args(local_server))
    owner = Client(server, server.add_user("mia", "publisher"))
    item = publish_report(owner, "missed-report")
    body = {"variant_id": int(item["id"]), "type": "hour", "schedule": '{"N": 1}', "email": True}
    body["start_time"] = "2026-01-01T00:00:00Z"
    made = owner("POST", "schedules", json=body).json()
    local_servers.stop(server)
    # Down for three hours: the stored next run is three hours back, as the clock would have left it.
    missed = datetime.now(timezone.utc) - timedelta(hours=3)
    with sqlite3.connect(data / "connect.db") as db:
        db.execute(
            "UPDATE schedules SET next_run = ? WHERE id = ?", (missed.strftime("%Y-%m-%dT%H:%M:%SZ"), made["id"])
        )
    server = local_servers.start(data, extra_args=args(local_server))
    owner = Client(server, owner.key)
    runs = wait_for(lambda: finished_runs(owner, item), 120, "the missed run")
    (kept,) = owner("GET", "variants/%s/schedules" % item["id"]).json()
    next_run = datetime.fromisoformat(kept["next_run"].replace("Z", "+00:00"))
    assert datetime.now(timezone.utc) < next_run <= datetime.now(timezone.utc) + timedelta(hours=1)
    # the missed hours ran once: the next run is ahead, so no later tick starts them again
    assert len(scheduled_runs(owner, item)) == 1 and runs[0]["status"] == "success"
    log = server.log().rsplit("local server (Connect-compatible) at", 1)[1]  # this start's lines
    assert log.count("Mail is off") == 1, log  # at start; the run that would mail says nothing more
    (task_line,) = [
        line for line in owner("GET", "v1/tasks/%s" % runs[0]["task_id"]).json()["output"] if "Mail" in line
    ]
    assert "Mail is off on this server (no --smtp)" in task_line


SDK_SEND_MAIL = """
import warnings
warnings.simplefilter("ignore", FutureWarning)
content = client.content.get(%(guid)r)
content.render().wait_for()
variant = [v for v in content._variants.find() if v["is_default"]][0]
variant.send_mail(%(to)r)
print(json.dumps({"rendering_id": variant["rendering_id"]}))
"""


def test_posit_sdk_send_mail_reaches_the_smtp_server_with_the_chosen_recipients(
    tmp_path, local_server, local_servers, smtp
):
    server = local_servers.start(tmp_path / "data", extra_args=args(local_server, "--smtp", smtp.address))
    admin = Client(server)
    owner = Client(server, server.add_user("sol", "publisher"))
    server.add_user("cyd", "publisher")
    server.add_user("vik", "viewer")
    item = publish_report(owner, "mailed-report")
    users = {u["username"]: u["guid"] for u in admin("GET", "v1/users").json()["results"]}
    for name, role in (("cyd", "owner"), ("vik", "viewer")):
        body = {"principal_guid": users[name], "principal_type": "user", "role": role}
        assert owner("POST", "v1/content/%s/permissions" % item["guid"], json=body).status_code == 200
    before = len(smtp.messages)
    out = posit_sdk.run(server.url, owner.key, SDK_SEND_MAIL % {"guid": item["guid"], "to": "collaborators"})
    assert out["rendering_id"]
    recipients, text = wait_for(lambda: smtp.messages[before:], 30, "the mail")[0]
    assert recipients == ["cyd@localhost", "sol@localhost"]  # the owner and the collaborator, not the viewer
    message = email.message_from_string(text, policy=email.policy.default)
    assert message["Subject"] == "The time report"
    assert "/content/%s/_rendering%d/" % (item["guid"], out["rendering_id"]) in message.get_content()

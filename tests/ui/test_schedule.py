"""The publish dialog's Schedule section (labextension/src/core/schedule.ts), in notebook 6.5 and
JupyterLab 4 (tests/ui/conftest.py), against the local server: a weekly schedule chosen before the
first publish is saved with it, shown when the dialog opens again, refused in one sentence when its
time zone does not exist (nothing saved), "Run again now" runs the notebook on the server and lists
the run (a failed one with its reason), and an every-minute schedule is saved on its own; a schedule
that cannot be kept, chosen before the first publish, stops the publish before anything is uploaded."""

import json
import uuid
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from tests.extension.extension_notebooks import write_notebook

pytestmark = pytest.mark.browser
STATUS = "document.querySelector('#rsc-schedule-status').textContent"
# Runs, until the content's variable REPORT_SOURCE says its data source is down.
FAILS_WHEN_THE_SOURCE_IS_DOWN = (
    "import os\nassert os.environ.get('REPORT_SOURCE') != 'down', 'the data source is down'\nprint(6 * 7)"
)


def unique(prefix):
    return "%s%s" % (prefix, uuid.uuid4().hex[:6])


def schedules(local_server, key, guid):
    item = local_server.api("GET", "v1/content/" + guid, key=key).json()
    return item, local_server.api("GET", "variants/%s/schedules" % item["id"], key=key).json()


def test_schedule_saved_with_the_publish_shown_on_open_refused_and_run_now(front, local_server, page, no_saved_servers):
    ui, server = front.ui, front.server
    key = local_server.add_user(unique("sara"), "publisher")
    path = write_notebook(server.root, unique("sched") + "/report.ipynb", code=FAILS_WHEN_THE_SOURCE_IS_DOWN)
    ui.open_publish_dialog(page, server, path, local_server.url, key)
    ui.choose_mode(page, source=True)
    page.click("#rsc-schedule > summary")
    page.select_option("#rsc-schedule-every", "week")
    page.check("#rsc-schedule-day-mon")
    page.check("#rsc-schedule-day-thu")
    page.fill("#rsc-schedule-at", "07:45")
    page.fill("#rsc-schedule-timezone", "Europe/Paris")
    page.select_option("#rsc-schedule-email", "viewers")
    ui.submit_publish(page)
    url = ui.wait_published(page)
    guid = url.split("/content/")[1].split("/")[0]
    item, (made,) = schedules(local_server, key, guid)
    assert made["type"] == "dayofweek" and json.loads(made["schedule"]) == {"Days": [1, 4]}
    assert made["timezone"] == "Europe/Paris" and made["email"] is True
    start = datetime.fromisoformat(made["start_time"].replace("Z", "+00:00")).astimezone(ZoneInfo("Europe/Paris"))
    assert start.strftime("%H:%M") == "07:45"
    variant = local_server.api("GET", "applications/%s/variants" % guid, key=key).json()[0]
    assert variant["email_collaborators"] and variant["email_viewers"] and not variant["email_all"]

    # opened again: the section shows the content's schedule
    ui.click_publish_button(page)
    ui.wait_publish_dialog(page)
    page.click("#rsc-schedule > summary")
    page.wait_for_function(STATUS + ".startsWith('Runs ')", timeout=60000)
    assert "every Monday, Thursday at 07:45 (Europe/Paris)" in page.inner_text("#rsc-schedule-status")
    assert page.input_value("#rsc-schedule-every") == "week"
    assert page.is_checked("#rsc-schedule-day-mon") and page.is_checked("#rsc-schedule-day-thu")
    assert page.input_value("#rsc-schedule-email") == "viewers"

    # a time zone that does not exist: one sentence, nothing saved
    page.fill("#rsc-schedule-timezone", "Mars/Base")
    page.click("#rsc-schedule-save")
    assert ui.dialog_error(page, "#rsc-schedule-error") == (
        "There is no timezone 'Mars/Base': give an IANA name such as UTC, Europe/Paris or America/New_York."
    )
    assert schedules(local_server, key, guid)[1] == [made]

    # run again now: the run's log streams, then it is listed with its link
    page.click("#rsc-schedule-run")
    page.wait_for_function(STATUS + " === 'The notebook ran again; its result is live.'", timeout=ui.PUBLISH_TIMEOUT_MS)
    runs = local_server.api("GET", "variants/%s/renderings" % item["id"], key=key).json()
    assert runs[0]["trigger"] == "request" and runs[0]["status"] == "success"
    assert page.get_attribute(".rsc-schedule-run[data-run='%d'] a" % runs[0]["id"], "href") == runs[0]["url"]
    assert "Running report.ipynb" in page.inner_text("#rsc-schedule-log")
    assert "succeeded" in page.inner_text(".rsc-schedule-run[data-run='%d']" % runs[0]["id"])

    # a run that fails: its reason in the section, and listed as failed, with no output to link to
    down = [{"name": "REPORT_SOURCE", "value": "down"}]
    assert local_server.api("PATCH", "v1/content/%s/environment" % guid, key=key, json=down).status_code == 200
    page.fill("#rsc-schedule-timezone", "Asia/Tokyo")  # typed, not saved
    page.click("#rsc-schedule-run")
    reason = ui.dialog_error(page, "#rsc-schedule-error")
    assert "the data source is down" in reason, reason
    failed = local_server.api("GET", "variants/%s/renderings" % item["id"], key=key).json()[0]
    assert failed["status"] == "failed" and failed["trigger"] == "request" and failed["url"] is None
    row = ".rsc-schedule-run[data-run='%d']" % failed["id"]
    page.wait_for_selector(row)
    assert "failed: " in page.inner_text(row) and "the data source is down" in page.inner_text(row)
    assert page.locator(row + " a").count() == 0
    assert page.locator(".rsc-schedule-run[data-run='%d'] a" % runs[0]["id"]).count() == 1  # the good one kept
    assert page.input_value("#rsc-schedule-timezone") == "Asia/Tokyo"  # what the user typed stays
    assert page.inner_text("#rsc-schedule-status") == ""

    # every minute, saved on its own (no publish): the scheduler runs it with nobody touching it
    page.select_option("#rsc-schedule-every", "minutes")
    page.fill("#rsc-schedule-hours", "1")
    page.fill("#rsc-schedule-timezone", "Europe/Paris")
    page.click("#rsc-schedule-save")
    page.wait_for_function(STATUS + ".startsWith('Runs every minute.')", timeout=60000)
    (every_minute,) = schedules(local_server, key, guid)[1]
    assert every_minute["type"] == "minute" and json.loads(every_minute["schedule"]) == {"N": 1}
    assert every_minute["id"] == made["id"]  # the content's one schedule, changed
    # removed, so the session's local server does not run it every minute for the other tests
    gone = local_server.api("DELETE", "schedules/%s" % every_minute["id"], key=key)
    assert gone.status_code == 204, gone.text


def test_a_schedule_that_cannot_be_kept_stops_a_first_publish_before_anything_is_published(
    front, local_server, page, no_saved_servers
):
    """Chosen before the first publish, the schedule is checked before the upload (as `deploy notebook
    --every` does): a weekly one without days, then a time zone that does not exist, each stop the
    publish with one sentence; no content is made on the server, and the dialog stays as filled."""
    ui, server = front.ui, front.server
    key = local_server.add_user(unique("tess"), "publisher")
    title = unique("Never published ")
    path = write_notebook(server.root, unique("sched") + "/report.ipynb")
    ui.open_publish_dialog(page, server, path, local_server.url, key)
    ui.choose_mode(page, source=True)
    page.fill("#rsc-title", title)
    page.click("#rsc-schedule > summary")
    page.select_option("#rsc-schedule-every", "week")
    ui.submit_publish(page)
    assert ui.dialog_error(page) == "Choose at least one day for a weekly schedule."
    page.select_option("#rsc-schedule-every", "day")
    page.fill("#rsc-schedule-timezone", "Mars/Base")
    ui.submit_publish(page)
    page.wait_for_function("() => document.querySelector('#rsc-error').textContent.includes('Mars/Base')")
    assert ui.dialog_error(page) == (
        "There is no timezone 'Mars/Base': give an IANA name such as UTC, Europe/Paris or America/New_York."
    )
    assert page.is_enabled("#rsc-publish-submit") and page.input_value("#rsc-title") == title
    mine = local_server.api("GET", "v1/content", key=key).json()
    assert [c for c in mine if c["title"] == title] == []
    assert ui.saved_metadata(server, path) is None  # not even saved: the publish never began

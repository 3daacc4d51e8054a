"""The issue's check of scheduled reports from the dialogs: a notebook that prints the time, scheduled
"every 1 minute" (the Schedule section's "Every few minutes", as a user chooses it) in the dialog of
the classic Notebook and of JupyterLab 4, chosen before the first publish and saved with it, is
re-run by the local server's scheduler with nobody touching it. Each run is in the content's history
(read through the server's API), each run's report reaches a real SMTP server on 127.0.0.1 (aiosmtpd)
with the chosen recipients, the dialog opened again lists the runs with their links, and "Never
(off)" saved there removes the schedule.

One local server for the module, its scheduler looking every second (`--schedule-tick 1`) and its
mail going to the SMTP server (`--smtp`); both UIs' minutes are waited for together.
"""

import email
import email.policy
import json
from datetime import datetime

import pytest
from aiosmtpd.controller import Controller

from rsconnect_jupyter.localconnect.launch import free_port
from tests.extension.extension_notebooks import write_notebook
from tests.extension.jupyter_servers import forget_saved_servers
from tests.localserver.test_scheduler import Inbox, wait_for
from tests.ui.adapter import unique
from tests.ui.fronts import front as make_front

pytestmark = pytest.mark.browser
PRINTS_THE_TIME = "import datetime\nprint('the time is', datetime.datetime.now().isoformat())"
STATUS = "document.querySelector('#rsc-schedule-status').textContent"


@pytest.fixture(scope="module")
def smtp():
    inbox = Inbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    inbox.address = "127.0.0.1:%d" % port
    yield inbox
    controller.stop()


@pytest.fixture(scope="module")
def scheduling_server(tmp_path_factory, local_server, local_servers, smtp):
    """A local server of this module: due schedules looked for every second, mail to `smtp`; the
    session server's environments folder, so the notebook's environment is built once a session."""
    environments = str(local_server.data_dir / "environments")
    extra = ["--schedule-tick", "1", "--environments-dir", environments, "--smtp", smtp.address]
    server = local_servers.start(tmp_path_factory.mktemp("schedule-runs"), extra_args=extra)
    yield server
    local_servers.stop(server)


def api(server, key, method, path):
    r = server.api(method, path, key=key)
    assert r.status_code < 300, (path, r.status_code, r.text)
    return r.json() if r.content else None


def publish_every_minute(front, page, server, key, title, email_to, sharing=()):
    """Through the dialog, as a person: a new notebook published with its source, "Every few minutes"
    (1) and "Email the result to" chosen before the first publish. Returns the content."""
    ui = front.ui
    path = write_notebook(front.server.root, unique("times") + "/times.ipynb", code=PRINTS_THE_TIME)
    ui.open_notebook(page, front.server, path)
    ui.click_publish_button(page)
    page.wait_for_selector("#rsc-server-url, #rsc-publish-form", state="visible")
    if page.is_visible("#rsc-server-url"):  # no saved server yet (the UIs may share saved servers)
        ui.add_server(page, server.url, key, "scheduling")
    ui.wait_publish_dialog(page)
    ui.choose_mode(page, source=True)
    page.fill("#rsc-title", title)
    if sharing:
        page.click("#rsc-sharing > summary")
        for selector, value in sharing:
            page.fill(selector, value)
    page.click("#rsc-schedule > summary")
    assert page.inner_text("#rsc-schedule-status") == "Publish first; the schedule is saved with the publish."
    page.select_option("#rsc-schedule-every", "minutes")
    page.fill("#rsc-schedule-hours", "1")
    page.select_option("#rsc-schedule-email", email_to)
    ui.submit_publish(page)
    url = ui.wait_published(page)
    guid = url.split("/content/")[1].split("/")[0]
    return api(server, key, "GET", "v1/content/" + guid)


def scheduled_runs(server, key, item):
    runs = api(server, key, "GET", "variants/%s/renderings" % item["id"])
    return [r for r in runs if r["trigger"] == "schedule" and r["end_time"]]


def mails_about(smtp, title):
    with smtp.lock:
        got = list(smtp.messages)
    found = []
    for recipients, text in got:
        message = email.message_from_string(text, policy=email.policy.default)
        if message["Subject"] == title:
            found.append((recipients, message.get_content()))
    return found


def seconds_between(earlier, later):
    parse = lambda stamp: datetime.fromisoformat(stamp.replace("Z", "+00:00"))  # noqa: E731
    return (parse(later) - parse(earlier)).total_seconds()


def check_runs_in_the_dialog(front, page, server, key, item, runs):
    """The dialog opened again shows the schedule and the last runs, each linked to its output; then
    "Never (off)" saved there removes the schedule, so the server stops running it."""
    ui = front.ui
    ui.click_publish_button(page)
    ui.wait_publish_dialog(page)
    page.click("#rsc-schedule > summary")
    page.wait_for_function(STATUS + ".startsWith('Runs every minute.')", timeout=60000)
    assert page.input_value("#rsc-schedule-every") == "minutes"
    for run in runs:
        shown = ".rsc-schedule-run[data-run='%d']" % run["id"]
        assert page.get_attribute(shown + " a", "href") == run["url"]
        assert "succeeded (scheduled)" in page.inner_text(shown)
    page.select_option("#rsc-schedule-every", "off")
    page.click("#rsc-schedule-save")
    page.wait_for_function(STATUS + " === 'Schedule removed.'", timeout=60000)
    assert api(server, key, "GET", "variants/%s/schedules" % item["id"]) == []


def test_every_minute_from_the_classic_dialog_and_jupyterlab_reruns_mails_and_lists_the_runs(
    jupyter_servers, browser, page, scheduling_server, smtp
):
    server = scheduling_server
    owner = unique("rita")
    key = server.add_user(owner, "publisher")
    colleague, viewer = unique("cole"), unique("vick")
    server.add_user(colleague, "publisher")
    server.add_user(viewer, "viewer")
    classic, lab = (
        make_front("notebook", jupyter_servers("notebook")),
        make_front("jupyterlab4", jupyter_servers("jupyterlab4")),
    )
    forget_saved_servers(classic.server)
    forget_saved_servers(lab.server)
    lab_context = browser.new_context(viewport={"width": 1280, "height": 900})
    lab_page = lab_context.new_page()
    lab_page.set_default_timeout(30000)
    try:
        titles = {"classic": unique("Times classic "), "lab": unique("Times lab ")}
        items = {
            "classic": publish_every_minute(classic, page, server, key, titles["classic"], "me"),
            "lab": publish_every_minute(
                lab,
                lab_page,
                server,
                key,
                titles["lab"],
                "collaborators",
                sharing=(("#rsc-collaborators", colleague), ("#rsc-viewers", viewer)),
            ),
        }
        schedules = {}
        for ui, item in items.items():
            (made,) = api(server, key, "GET", "variants/%s/schedules" % item["id"])
            assert made["type"] == "minute" and json.loads(made["schedule"]) == {"N": 1} and made["email"], made
            schedules[ui] = made

        # Nobody touches anything: the scheduler runs both notebooks again, once a minute.
        runs = wait_for(
            lambda: (
                all(len(scheduled_runs(server, key, item)) >= 2 for item in items.values())
                and {ui: scheduled_runs(server, key, item) for ui, item in items.items()}
            ),
            300,
            "two scheduled runs of each notebook",
        )
        for ui in items:
            ran = runs[ui]
            assert all(r["status"] == "success" and r["exit_code"] == 0 for r in ran), ran
            # started on the schedule's minutes: the second within three minutes of its start
            assert seconds_between(schedules[ui]["start_time"], ran[-2]["start_time"]) < 180, (schedules[ui], ran)
            assert "the time is" in server.get(ran[0]["url"], key=key).text
            assert server.get(ran[0]["url"], key=key).text != server.get(ran[1]["url"], key=key).text

        # Each run's report was mailed: to the owner ("Me"), or to the owner and the collaborator
        # (not the viewer) for "Me and the collaborators"; with the content's link and the run's.
        expected = {
            "classic": ["%s@localhost" % owner],
            "lab": sorted(["%s@localhost" % owner, "%s@localhost" % colleague]),
        }
        for ui, item in items.items():
            title, count = titles[ui], len(runs[ui])
            mails = wait_for(
                lambda t=title, n=count: len(mails_about(smtp, t)) >= n and mails_about(smtp, t), 30, "mails"
            )
            for recipients, body in mails:
                assert recipients == expected[ui], (ui, recipients)
                assert "/content/%s/" % item["guid"] in body and "_rendering" in body, body

        # The dialogs, opened again, list the runs with their links; off removes the schedule.
        check_runs_in_the_dialog(classic, page, server, key, items["classic"], runs["classic"][:2])
        check_runs_in_the_dialog(lab, lab_page, server, key, items["lab"], runs["lab"][:2])
    finally:
        lab_context.close()

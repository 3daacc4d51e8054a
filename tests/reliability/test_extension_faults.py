"""Faults between Connect and the notebook extension, injected by a proxy in front of the real local server.

A real Jupyter server with the extension (notebook 6.5 and nbclassic) saves a server whose URL is
the fault proxy. Each fault (the upload reset mid-body, task polls answering 503, a login page
where JSON was expected) ends the publish job with one sentence and no traceback, leaves the
saved servers, the deployment records and the notebook file byte-identical, and the next publish
(proxy healthy) goes to the same content. One browser test shows the same in the dialog.
"""

import json
import os
import uuid
from pathlib import Path

import pytest

# The extension's helpers (a real Jupyter server, notebooks, page helpers) live in tests/extension.
from tests.extension import extension_ui as ui
from tests.extension.extension_notebooks import write_notebook
from tests.extension.jupyter_servers import KINDS, start_jupyter, stop_jupyter, wait_job
from tests.reliability.fault_proxy import assert_the_server_dropped_the_half_upload, cut_mid_upload

TASKS = r"/__api__/v1/tasks/"


@pytest.fixture(scope="module", params=KINDS)
def jupyter(request, tmp_path_factory, isolated_config):
    # Retries as in production (5 attempts for a read) but with short waits: 0.05 ... 0.4 s.
    old = os.environ.get("CONNECT_RETRY_BACKOFF")
    os.environ["CONNECT_RETRY_BACKOFF"] = "0.05"
    try:
        server = start_jupyter(request.param, tmp_path_factory.mktemp("faults-" + request.param))
    finally:
        if old is None:
            os.environ.pop("CONNECT_RETRY_BACKOFF")
        else:
            os.environ["CONNECT_RETRY_BACKOFF"] = old
    yield server
    stop_jupyter(server)


def unique(prefix):
    return "%s%s" % (prefix, uuid.uuid4().hex[:6])


class Target:
    """A saved server (through the proxy) and a notebook published once to it, over HTTP."""

    def __init__(self, jupyter, proxy, local_server, servers_json):
        self.jupyter, self.proxy, self.servers_json = jupyter, proxy, servers_json
        self.server = unique("faults-")
        self.path = write_notebook(jupyter.root, unique("faults-") + "/report.ipynb", heading="Faults report")
        self.folder = jupyter.root / Path(self.path).parent
        r = jupyter.api(
            "POST",
            "servers/add",
            json={"url": proxy.url, "name": self.server, "api_key": local_server.add_user(unique("fay"))},
        )
        assert r.status_code == 200, r.text
        state = self.publish()
        assert state["error"] is None, state
        self.result = state["result"]
        assert self.result["content_url"].startswith(proxy.url + "content/")
        proxy.forget_seen()

    def publish(self):
        """Publish as the dialog does for a notebook published before (its content GUID, same title)."""
        known = getattr(self, "result", None)
        r = self.jupyter.api(
            "POST",
            "publish",
            json={
                "server": self.server,
                "notebook_path": self.path,
                "mode": "static",
                "title": "Faults report",
                "new": False,
                "app_id": known["content_guid"] if known else None,
            },
        )
        assert r.status_code == 202, r.text
        return wait_job(self.jupyter.api, r.json()["job_id"])

    def saved_state(self):
        """Every byte a publish may change: saved servers, the notebook and what sits beside it
        (its deployment record in rsconnect-python/)."""
        files = [self.servers_json] + [p for p in self.folder.rglob("*") if p.is_file()]
        return {str(p): p.read_bytes() for p in files}


@pytest.fixture
def target(jupyter, proxy, local_server, isolated_config):
    return Target(jupyter, proxy, local_server, isolated_config / "rsconnect-python" / "servers.json")


def bundles(local_server, guid):
    return local_server.api("GET", "v1/content/%s/bundles" % guid).json()


def assert_one_sentence(message):
    assert message and "\n" not in message and "Traceback" not in message, message
    assert message.endswith("."), message


FAULTS = {
    # fault: (set it up on the proxy, what the sentence says)
    "upload reset": (cut_mid_upload, ["broke during POST v1/content/", "publish again"]),
    "task polls 503": (
        lambda proxy, _: proxy.gateway_error(TASKS, 503, method="GET"),
        ["answered GET v1/tasks/", "HTTP 503 five times over", "try again later"],
    ),
    "login page": (
        lambda proxy, _: proxy.login_page(TASKS, method="GET"),
        ["answered GET v1/tasks/", "with a login page where Connect answers JSON"],
    ),
}


@pytest.mark.parametrize("fault", sorted(FAULTS))
def test_a_fault_ends_the_job_in_one_sentence_and_changes_nothing(target, proxy, local_server, fault):
    jupyter = target.jupyter
    guid = target.result["content_guid"]
    before = target.saved_state()
    bundles_before = len(bundles(local_server, guid))
    log_before = len(jupyter.log())
    set_up, said = FAULTS[fault]
    set_up(proxy, local_server)

    state = target.publish()
    assert state["result"] is None
    assert_one_sentence(state["error"])
    for words in said:
        assert words in state["error"], state["error"]
    assert state["error"] in "\n".join(state["lines"])  # the log ends with the same sentence
    assert "Traceback" not in jupyter.log()[log_before:]  # a fault a user meets is no server error
    assert target.saved_state() == before
    if fault == "upload reset":
        assert proxy.requests("POST", r"/deploy$") == []
        assert_the_server_dropped_the_half_upload(proxy, local_server)
        assert len(bundles(local_server, guid)) == bundles_before  # no half bundle kept
    else:  # the bundle went up and its deploy started: only following the task failed
        assert len(bundles(local_server, guid)) == bundles_before + 1
    bundles_before = len(bundles(local_server, guid))

    proxy.clear()
    again = target.publish()
    assert again["error"] is None, again
    assert again["result"]["content_url"] == target.result["content_url"]
    assert len(bundles(local_server, guid)) == bundles_before + 1


# -- the same in the browser -----------------------------------------------------------------


def notebook_metadata_on_disk(jupyter, path):
    return json.loads((jupyter.root / path).read_text()).get("metadata", {}).get("rsconnect")


@pytest.mark.browser
def test_the_dialog_says_a_broken_upload_and_the_notebook_keeps_its_metadata(jupyter, proxy, local_server, page):
    for s in jupyter.api("GET", "servers").json()["servers"]:  # the first-use dialog: no saved server
        assert jupyter.api("POST", "servers/remove", json={"server": s["name"]}).status_code == 200
    key = local_server.add_user(unique("bea"))
    path = write_notebook(jupyter.root, unique("faults-ui-") + "/sales.ipynb", heading="Sales under faults")
    url = ui.publish_first_time(page, jupyter, path, proxy.url, key, name=unique("proxy-"))
    assert url.startswith(proxy.url + "content/")
    page.wait_for_function("!Jupyter.notebook.dirty")
    remembered = ui.rsconnect_metadata(page)
    on_disk = notebook_metadata_on_disk(jupyter, path)
    assert on_disk == remembered and remembered is not None
    guid = remembered["servers"][proxy.url.rstrip("/")]["content_guid"]

    # Republish while the server dies mid-upload.
    proxy.forget_seen()
    cut_mid_upload(proxy, local_server)
    page.evaluate("$('#notification_rsconnect').removeClass('rsc-published').removeAttr('data-url')")
    ui.click_publish_button(page)
    ui.wait_publish_dialog(page)
    ui.submit_publish(page)
    message = ui.dialog_error(page)
    assert_one_sentence(message)
    assert "broke during POST v1/content/" in message and "publish again" in message
    assert page.is_enabled("#rsc-publish-submit")  # the user can try again from the same dialog
    assert_the_server_dropped_the_half_upload(proxy, local_server)
    assert len(bundles(local_server, guid)) == 1

    # Saved after the failure, the notebook still remembers exactly what it did.
    page.evaluate("Jupyter.notebook.set_dirty(true); Jupyter.notebook.save_notebook()")
    page.wait_for_function("!Jupyter.notebook.dirty")
    assert ui.rsconnect_metadata(page) == remembered
    assert notebook_metadata_on_disk(jupyter, path) == on_disk

    # The server is back: publishing again from the dialog goes to the same content.
    proxy.clear()
    ui.submit_publish(page)
    assert ui.wait_published(page) == url
    assert len(bundles(local_server, guid)) == 2
    assert ui.rsconnect_metadata(page)["servers"][proxy.url.rstrip("/")]["content_guid"] == guid

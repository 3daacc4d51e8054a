"""Panel apps (tests/apps/panel): `rsconnect deploy panel` and `write-manifest panel` (app mode python-panel,
as rsconnect-python 1.32 spells them), and rsconnect-python 1.32's own `deploy panel`, against the local
server, which runs the app with `panel serve` behind its proxy. The app answers with its own output over
HTTP, and over the WebSocket (Bokeh's protocol, which Panel speaks) its document carries the text the app
computed; in Chromium the page renders the app's slider widget.
"""

import asyncio
import json
import re
import time

import pytest
import tornado.httpclient
import tornado.websocket

from tests.cli.test_cli_apps import app_record, bundle_names, copy_app
from tests.cli.test_cli_publish import cli, ok
from tests.core import rsconnect_python
from tests.localserver.localserver_helpers import run_coroutine

pytestmark = pytest.mark.slow

TITLE = "Hello from the sample Panel app"
GREETING = "hi from panel"


def panel_page(local_server, url, key=None, attempts=60):
    """The app's page: the content URL redirects to the app's own path under it (as Bokeh's does)."""
    for _ in range(attempts):
        page = local_server.get(url, key=key)
        if page.status_code == 200:
            return page
        time.sleep(1)
    raise AssertionError("%s answered %s: %s" % (url, page.status_code, page.text[:500]))


def pull_document(page, key):
    """Open the app's WebSocket through the proxy as Bokeh's client does (subprotocols `bokeh` and the
    page's session token), wait for the ACK, ask for the document: its frames as text."""
    token = json.loads(page.text.split('"token":', 1)[1].split(",", 1)[0])
    ws_url = page.url.replace("http://", "ws://").split("?")[0].rstrip("/") + "/ws"

    async def read_until(conn, frames, text):
        deadline = time.time() + 60
        while time.time() < deadline and not any(text in f for f in frames):
            msg = await asyncio.wait_for(conn.read_message(), 60)
            if msg is None:
                raise AssertionError(
                    "the socket closed (%s %s) after %r" % (conn.close_code, conn.close_reason, frames)
                )
            frames.append(msg if isinstance(msg, str) else msg.decode())

    async def go():
        conn = await tornado.websocket.websocket_connect(
            tornado.httpclient.HTTPRequest(
                ws_url, headers={"Authorization": "Key " + key}, connect_timeout=20, request_timeout=30
            ),
            subprotocols=["bokeh", token],
        )
        selected, frames = conn.selected_subprotocol, []
        await read_until(conn, frames, '"ACK"')
        for frame in ('{"msgid": "1", "msgtype": "PULL-DOC-REQ"}', "{}", "{}"):
            await conn.write_message(frame)
        await read_until(conn, frames, "square of")
        conn.close()
        return selected, frames

    return run_coroutine(go())


def assert_answers(local_server, url, key, greeting):
    page = panel_page(local_server, url, key)
    assert page.url.startswith(url)  # redirected to the app's path below the content's
    assert "<title>%s</title>" % TITLE in page.text
    selected, frames = pull_document(page, key)
    assert selected == "bokeh"
    document = "".join(frames)
    assert "%s (%s)" % (TITLE, greeting) in document
    assert "square of 12 is 144" in document  # computed by the app's function from its slider's value


def test_deploy_panel_runs_behind_the_proxy(local_server, tmp_path):
    folder = copy_app(tmp_path, "panel")
    target = ["-s", local_server.url, "-k", local_server.api_key]
    result = ok(cli("deploy", "panel", *target, "-E", "SAMPLE_GREETING=" + GREETING, folder))
    url = [line for line in result.stdout.splitlines() if line.startswith("Content URL:")][0].split()[-1]
    guid = app_record(folder)[local_server.url]["app_guid"]
    assert app_record(folder)[local_server.url]["app_mode"] == "python-panel"
    _, manifest = bundle_names(local_server, guid)
    assert manifest["metadata"] == {"appmode": "python-panel", "entrypoint": "app.py"}
    assert_answers(local_server, url, local_server.api_key, GREETING)
    assert GREETING not in result.stdout + result.stderr  # a variable's value is never printed


def test_write_manifest_panel_matches_rsconnect_python(tmp_path):
    ours = copy_app(tmp_path, "panel", "ours")
    theirs = copy_app(tmp_path, "panel", "theirs")
    ok(cli("write-manifest", "panel", ours))
    rsconnect_python.run(tmp_path / "config", "write-manifest", "panel", theirs)
    mine = json.loads((ours / "manifest.json").read_text())
    their = json.loads((theirs / "manifest.json").read_text())
    assert mine["metadata"]["appmode"] == their["metadata"]["appmode"] == "python-panel"
    # rsconnect-python names the module (`app`), we the script (`app.py`), as for Bokeh: the server runs either.
    assert re.sub(r"\.py$", "", mine["metadata"]["entrypoint"]) == their["metadata"]["entrypoint"] == "app"
    assert set(mine["files"]) == set(their["files"]) == {"app.py", "requirements.txt"}
    assert mine["files"]["app.py"] == their["files"]["app.py"]


def test_rsconnect_python_deploys_panel(local_server, tmp_path):
    folder = copy_app(tmp_path, "panel")
    key = local_server.add_user("rp-panel", "publisher")
    out = rsconnect_python.run(
        tmp_path / "config", "deploy", "panel", folder, "--server", local_server.url, "--api-key", key
    )
    assert "Deployment completed successfully" in out
    found = re.search(r"Direct content URL: (http://\S+?/content/[0-9a-f-]{36}/)", out)
    assert found, out
    assert_answers(local_server, found.group(1), key, "no greeting")


@pytest.mark.browser
def test_the_panel_page_renders_its_widget_in_chromium(local_server, browser, tmp_path):
    folder = copy_app(tmp_path, "panel")
    target = ["-s", local_server.url, "-k", local_server.api_key]
    url = ok(cli("deploy", "panel", "-q", *target, folder)).stdout.strip()
    panel_page(local_server, url)  # started and answering
    context = browser.new_context()
    try:
        local_server.sign_in(context)
        page = context.new_page()
        page.goto(url)
        # Panel draws its widgets from the document it reads over the WebSocket: the slider and the
        # text its function computed appear only when the socket through the proxy works.
        page.get_by_text("square of 12 is 144").wait_for(timeout=60000)
        page.get_by_text("%s (no greeting)" % TITLE).wait_for(timeout=30000)
        assert page.locator(".noUi-handle, [role=slider]").count() >= 1
        assert page.title() == TITLE
    finally:
        context.close()

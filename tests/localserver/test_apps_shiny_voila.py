"""Python Shiny and Voila on the local server (tests/apps/shiny, tests/apps/voila): built into a venv,
run as a process behind /content/{guid}/, answering with their own output over HTTP and WebSocket.

The sample requirements are pinned, so the session's environments come from uv's cache.
"""

import asyncio
import json
import os
import time
import uuid

import pytest
import requests
import tornado.httpclient
import tornado.websocket

from tests.localserver.localserver_helpers import Client, app_bundle, run_coroutine
from tests.localserver.test_apps import assert_scripts_load, deployed

pytestmark = pytest.mark.slow

VOILA_OUTPUT = "computed by the kernel: 45042"  # sum(range(1, 10)) * 1000 + 6 * 7, not in the source


def shiny_session(ws_url, n, headers=None):
    """Shiny's own protocol: `init` with the inputs and the outputs shown (`.clientdata_output_ID_hidden`);
    the outputs' values come back in a `values` message. `headers`: a key for the content's access."""

    async def go():
        conn = await tornado.websocket.websocket_connect(
            tornado.httpclient.HTTPRequest(ws_url, headers=headers, connect_timeout=20, request_timeout=30)
        )
        inputs = {"n": n, ".clientdata_output_square_hidden": False}
        await conn.write_message(json.dumps({"method": "init", "data": inputs}))
        messages, deadline = [], time.time() + 30
        while time.time() < deadline and not any("values" in m and m["values"] for m in messages):
            msg = await asyncio.wait_for(conn.read_message(), 30)
            if msg is None:
                break
            messages.append(json.loads(msg))
        conn.close()
        return messages

    return run_coroutine(go())


def test_shiny(publisher):
    item, lines = deployed(publisher, "sample-shiny", "shiny", "python-shiny", "app:app", env={"SAMPLE_GREETING": "hi"})
    page = publisher.get(item["content_url"], timeout=30)
    assert page.status_code == 200, page.text
    assert "Hello from the sample Shiny app" in page.text and "<p>hi</p>" in page.text
    assert_scripts_load(page, publisher)
    ws_url = item["content_url"].replace("http://", "ws://") + "websocket/"
    messages = shiny_session(ws_url, 7, headers=publisher.auth)
    values = [m["values"] for m in messages if m.get("values")]
    assert values and values[-1].get("square") == "square of 7 is 49", messages


def test_a_websocket_from_another_origin_is_refused_before_the_app_opens_one(publisher, local_server):
    """The proxy checks a WebSocket's Origin (and who may see the content) before it opens the app's
    socket: the app (uvicorn logs "[accepted]" for each one) never sees the refused one."""
    item, _ = deployed(publisher, "sample-shiny-origin", "shiny", "python-shiny", "app:app")  # acl: the default
    ws_url = item["content_url"].replace("http://", "ws://") + "websocket/"

    async def refused():
        headers = dict(publisher.auth, Origin="http://evil.example")
        request = tornado.httpclient.HTTPRequest(ws_url, headers=headers, connect_timeout=20, request_timeout=30)
        with pytest.raises(tornado.httpclient.HTTPClientError) as e:
            await tornado.websocket.websocket_connect(request)
        return e.value.code

    assert run_coroutine(refused()) == 403
    # Then one the proxy lets in: once the app logged it, every line before it is in the log too.
    values = [m["values"] for m in shiny_session(ws_url, 3, headers=publisher.auth) if m.get("values")]
    assert values and values[-1].get("square") == "square of 3 is 9"
    logs = local_server.data_dir / "content" / item["guid"] / "app-logs"
    deadline = time.time() + 30
    while "[accepted]" not in "".join(p.read_text() for p in logs.glob("*.log")) and time.time() < deadline:
        time.sleep(0.1)
    text = "".join(p.read_text() for p in logs.glob("*.log"))
    assert text.count("[accepted]") == 1, text[-3000:]


def test_shiny_entrypoint_as_a_file_name(publisher):
    item, _ = deployed(publisher, "sample-shiny-file", "shiny", "python-shiny", "app.py")
    assert "Hello from the sample Shiny app" in publisher.get(item["content_url"], timeout=30).text


def voila_kernel_info(ws_url, headers=None):
    """Ask the page's kernel, over Voila's kernel WebSocket, for its kernel_info_reply (Voila lets a
    page send kernel_info and comm messages, never code). `headers`: a key for the content's access."""

    async def go():
        conn = await tornado.websocket.websocket_connect(
            tornado.httpclient.HTTPRequest(ws_url, headers=headers, connect_timeout=20, request_timeout=30)
        )
        header = {"msg_id": uuid.uuid4().hex, "msg_type": "kernel_info_request", "username": "", "version": "5.3"}
        header.update(session=uuid.uuid4().hex, date="")
        await conn.write_message(
            json.dumps({"header": header, "parent_header": {}, "metadata": {}, "channel": "shell", "content": {}})
        )
        deadline = time.time() + 30
        while time.time() < deadline:
            msg = await asyncio.wait_for(conn.read_message(), 30)
            if msg is None:
                break
            reply = json.loads(msg)
            if reply["header"]["msg_type"] == "kernel_info_reply":
                conn.close()
                return reply["content"]
        conn.close()
        return None

    return run_coroutine(go())


def test_voila(publisher):
    item, lines = deployed(
        publisher, "sample-voila", "voila", "jupyter-voila", "dashboard.ipynb", env={"SAMPLE_GREETING": "hello"}
    )
    assert any("ipykernel" in line for line in lines)
    page = publisher.get(item["content_url"], timeout=120)
    assert page.status_code == 200, page.text[:2000]
    assert "Hello from the sample Voila dashboard" in page.text
    assert VOILA_OUTPUT + " (hello)" in page.text, page.text[-3000:]
    assert publisher.get(item["content_url"] + "voila/static/voila.js", timeout=30).status_code == 200
    config = json.loads(
        page.text.split('<script id="jupyter-config-data" type="application/json">', 1)[1].split("<")[0]
    )
    assert config["baseUrl"] == "/content/%s/" % item["guid"]
    ws_url = item["content_url"].replace("http://", "ws://") + "api/kernels/%s/channels" % config["kernelId"]
    info = voila_kernel_info(ws_url, headers=publisher.auth)
    assert info and info["status"] == "ok" and info["language_info"]["name"] == "python", info


def test_voila_notebook_missing_from_the_bundle_fails_the_deploy(publisher):
    item = publisher.create("voila-missing-notebook")
    task, lines = publisher.publish(item["guid"], app_bundle("voila", "jupyter-voila", "other.ipynb"))
    assert task["code"] != 0
    assert "'other.ipynb'" in task["error"] and "not in the bundle" in task["error"]


def children(pid):
    """The pids whose parent is `pid` (from /proc)."""
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open("/proc/%s/stat" % entry) as f:
                    stat = f.read()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry))
    return found


def wait_for(condition, timeout=60):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if condition():
            return True
        time.sleep(0.2)
    return False


def test_voila_kernels_of_pages_left_unconnected_are_culled_and_deleting_stops_all(
    tmp_path, local_servers, local_server
):
    # Long enough that a page still rendering on a loaded machine keeps its kernel (at 2 s, Voila
    # culled it between two cells under the parallel suite and the page never ended).
    env = dict(os.environ, RSCONNECT_VOILA_IDLE_SECONDS="10")
    args = ["--environments-dir", str(local_server.data_dir / "environments")]
    server = local_servers.start(tmp_path / "data", env=env, extra_args=args)
    admin = Client(server)
    item, _ = deployed(admin, "voila-culled", "voila", "jupyter-voila", "dashboard.ipynb")
    (pid_file,) = (tmp_path / "data" / "content" / item["guid"] / "app-logs").glob("*.pid")
    voila_pid = int(pid_file.read_text())
    assert VOILA_OUTPUT in admin.get(item["content_url"], timeout=120).text  # a kernel, no browser
    assert children(voila_pid)
    assert wait_for(lambda: not children(voila_pid)), "the page's kernel was not culled"
    admin.get(item["content_url"], timeout=120)
    kernels = children(voila_pid)
    assert kernels
    assert admin("DELETE", "v1/content/" + item["guid"]).status_code == 204
    assert wait_for(lambda: not any(os.path.exists("/proc/%d" % p) for p in [voila_pid, *kernels]), 30)
    local_servers.stop(server)


def test_voila_and_shiny_start_again_after_a_server_restart(tmp_path, local_servers, local_server):
    args = ["--environments-dir", str(local_server.data_dir / "environments")]
    server = local_servers.start(tmp_path / "data", extra_args=args)
    admin = Client(server)
    voila, _ = deployed(admin, "voila-restart", "voila", "jupyter-voila", "dashboard.ipynb")
    shiny, _ = deployed(admin, "shiny-restart", "shiny", "python-shiny", "app:app")
    pids = [int(p.read_text()) for p in (tmp_path / "data" / "content").glob("*/app-logs/*.pid")]
    assert len(pids) == 2
    local_servers.stop(server)
    assert wait_for(lambda: not any(os.path.exists("/proc/%d" % p) for p in pids), 30)
    server = local_servers.start(tmp_path / "data", extra_args=args)
    admin = Client(server)
    url = server.url + "content/%s/" % voila["guid"]
    assert VOILA_OUTPUT + " (no greeting)" in admin.get(url, timeout=120).text
    url = server.url + "content/%s/" % shiny["guid"]
    assert "Hello from the sample Shiny app" in admin.get(url, timeout=120).text
    assert shiny_session(url.replace("http://", "ws://") + "websocket/", 4, headers=admin.auth)
    local_servers.stop(server)


def test_voila_page_shutting_its_kernel_down_is_same_origin_through_the_proxy(publisher, local_server):
    # What the page does when it closes: a form POST with the _xsrf cookie's value and the Origin of
    # the page (the local server's). Voila checks the Origin against its Host, so the proxy must
    # present a same-origin request to it as same-origin; another site's Origin stays refused. The
    # browser also sends its session cookie (a signed-in viewer's), which the proxy keeps from Voila.
    item, _ = deployed(publisher, "voila-shutdown", "voila", "jupyter-voila", "dashboard.ipynb")
    page = publisher.get(item["content_url"], timeout=120)
    kernel = json.loads(
        page.text.split('<script id="jupyter-config-data" type="application/json">', 1)[1].split("<")[0]
    )["kernelId"]
    url = item["content_url"] + "voila/api/shutdown/" + kernel
    own_origin = item["content_url"].split("/content/")[0]
    session = local_server.session_cookie()
    form = {"_xsrf": "token-of-this-page"}
    cookies = {"_xsrf": "token-of-this-page", session["name"]: session["value"]}
    other = requests.post(url, data=form, cookies=cookies, headers={"Origin": "http://elsewhere.example"}, timeout=30)
    assert other.status_code in (403, 404), other.text  # Voila refuses another site
    done = requests.post(url, data=form, cookies=cookies, headers={"Origin": own_origin}, timeout=30)
    assert done.status_code == 204, done.text

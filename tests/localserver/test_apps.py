"""Python APIs and apps (tests/apps/*): built into a venv, run as a process, proxied at /content/{guid}/.

Each framework's environment is built once per session (one requirements set per framework) and
reused by its redeploys.
"""

import asyncio
import json
import os
import re
import threading
import time
from urllib.parse import urljoin

import pytest
import requests
import tornado.httpclient
import tornado.websocket

from tests.localserver.localserver_helpers import APPS, Client, app_bundle, run_coroutine

pytestmark = pytest.mark.slow

SECRET = "app-secret-5c9e1"


def deployed(publisher, name, folder, appmode, entrypoint, env=None):
    item = publisher.create(name)
    if env:
        r = publisher(
            "PATCH", "v1/content/%s/environment" % item["guid"], json=[{"name": k, "value": v} for k, v in env.items()]
        )
        assert r.status_code == 200, r.text
    task, lines = publisher.publish(item["guid"], app_bundle(folder, appmode, entrypoint))
    assert task["code"] == 0, "\n".join(lines)
    return item, lines


def assert_scripts_load(page, reader):
    """The page's own scripts load through the proxy (so its prefix is right), read with `reader`'s key."""
    srcs = re.findall(r'<script[^>]+src="([^"]+)"', page.text)
    assert srcs, page.text[:2000]
    for src in srcs:
        url = urljoin(page.url, src)
        assert url.startswith(page.url.split("/content/")[0] + "/content/"), url
        r = reader.get(url, timeout=30)
        assert r.status_code == 200 and len(r.content) > 1000, (url, r.status_code)


def ws_conversation(url, subprotocols, send, until, timeout=30, headers=None):
    """Open a WebSocket through the proxy (with `headers`: a key), send one binary message, read until
    `until` arrives."""

    async def go():
        conn = await tornado.websocket.websocket_connect(
            tornado.httpclient.HTTPRequest(url, headers=headers, connect_timeout=20, request_timeout=30),
            subprotocols=subprotocols,
        )
        selected, received = conn.selected_subprotocol, b""
        await conn.write_message(send, binary=True)
        deadline = time.time() + timeout
        while until not in received and time.time() < deadline:
            try:
                msg = await asyncio.wait_for(conn.read_message(), max(0.1, deadline - time.time()))
            except asyncio.TimeoutError:
                break
            if msg is None:
                break
            received += msg if isinstance(msg, bytes) else msg.encode()
        conn.close()
        return selected, received

    return run_coroutine(go())


# -- WSGI ---------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def flask_app(publisher):
    return deployed(publisher, "sample-flask", "flask", "python-api", "app:app", env={"SAMPLE_GREETING": SECRET})


def test_flask_answers_through_the_proxy(flask_app, publisher):
    item, lines = flask_app
    r = publisher.get(item["content_url"], timeout=30)
    assert r.status_code == 200
    assert r.text == "Hello from the sample Flask API (%s)" % SECRET  # env var reached the app
    assert any("waitress" in line for line in lines)
    r = publisher.request("POST", item["content_url"] + "echo?x=1&y=two", data=b"payload-bytes", timeout=30)
    assert r.status_code == 200, r.text
    echo = r.json()
    assert echo == {
        "method": "POST",
        "args": {"x": "1", "y": "two"},
        "body": "payload-bytes",
        "script_root": "/content/%s" % item["guid"],
    }
    assert publisher.request("PUT", item["content_url"] + "echo", data="p", timeout=30).json()["method"] == "PUT"
    assert publisher.get(item["content_url"] + "missing", timeout=30).status_code == 404
    assert publisher.request("DELETE", item["content_url"] + "echo", timeout=30).status_code == 405
    head = publisher.request("HEAD", item["content_url"], timeout=30)
    assert head.status_code == 200


def test_apps_answer_at_their_vanity_path_in_place(flask_app, publisher, local_server):
    """A vanity path serves the app itself (no redirect to /content/GUID/), for every method, to a
    WSGI app that keeps the full path (Flask) and to one the proxy strips it for (FastAPI)."""
    item, _ = flask_app
    assert publisher("PUT", "v1/content/%s/vanity" % item["guid"], json={"path": "/flask-here/"}).status_code == 200
    r = publisher.request("POST", local_server.url + "flask-here/echo?x=1", data=b"by vanity", timeout=30)
    assert r.status_code == 200 and not r.history, r.text
    assert r.json() == {
        "method": "POST",
        "args": {"x": "1"},
        "body": "by vanity",
        "script_root": "/content/%s" % item["guid"],
    }
    fastapi, _ = deployed(publisher, "vanity-fastapi", "fastapi", "python-fastapi", "main:app")
    assert publisher("PUT", "v1/content/%s/vanity" % fastapi["guid"], json={"path": "/api/v2/"}).status_code == 200
    r = publisher.request("POST", local_server.url + "api/v2/echo", data=b"y", timeout=30)
    assert r.status_code == 200 and not r.history and r.json()["body"] == "y", r.text


def test_secret_env_values_stay_out_of_logs(flask_app, local_server):
    _, lines = flask_app
    assert SECRET not in local_server.log()
    assert not any(SECRET in line for line in lines)


def test_flask_redeploy_switches_to_the_new_version(flask_app, publisher):
    item, _ = flask_app
    new_app = (APPS / "flask" / "app.py").read_text().replace("sample Flask API", "second Flask API")
    task, lines = publisher.publish(
        item["guid"], app_bundle("flask", "python-api", "app:app", {"app.py": new_app.encode()})
    )
    assert task["code"] == 0, "\n".join(lines)
    assert any(line.startswith("Reusing the Python environment") for line in lines)
    assert publisher.get(item["content_url"], timeout=30).text.startswith("Hello from the second Flask API")


def test_broken_app_fails_with_its_traceback_and_the_previous_version_keeps_answering(flask_app, publisher):
    item, _ = flask_app
    before = publisher.get(item["content_url"], timeout=30).text
    broken = (APPS / "broken" / "app.py").read_bytes()
    task, lines = publisher.publish(item["guid"], app_bundle("flask", "python-api", "app:app", {"app.py": broken}))
    assert task["code"] != 0
    text = "\n".join(lines)
    assert "Traceback (most recent call last)" in text
    assert "RuntimeError: sample app broken on purpose" in text
    assert "exited with status" in task["error"]
    assert publisher.get(item["content_url"], timeout=30).text == before
    content = publisher("GET", "v1/content/" + item["guid"]).json()
    assert content["bundle_id"] != task.get("bundle_id")


def test_plain_wsgi_app_sees_its_mount_point(publisher):
    item, _ = deployed(publisher, "sample-wsgi", "wsgi", "python-api", "app")
    r = publisher.get(item["content_url"] + "some/path?q=1", timeout=30)
    assert r.status_code == 200
    assert r.text == "Hello from the sample WSGI API (no greeting) at /content/%s/some/path" % item["guid"]


def test_broken_first_deploy_leaves_nothing_live(publisher):
    item = publisher.create("sample-broken")
    task, lines = publisher.publish(item["guid"], app_bundle("broken", "python-api", "app:app"))
    assert task["code"] != 0
    assert "RuntimeError: sample app broken on purpose" in "\n".join(lines)
    assert publisher.get(item["content_url"], timeout=30).status_code == 404


# -- ASGI ---------------------------------------------------------------------------------------
def test_fastapi(publisher):
    item, lines = deployed(
        publisher, "sample-fastapi", "fastapi", "python-fastapi", "main:app", env={"SAMPLE_GREETING": "hi fastapi"}
    )
    r = publisher.get(item["content_url"], timeout=30)
    assert r.status_code == 200, r.text
    assert r.json() == {"message": "Hello from the sample FastAPI app", "greeting": "hi fastapi"}
    big = 3 * 1024 * 1024  # past the server's 1 MB limit for API bodies: apps get theirs whole
    r = publisher.request("POST", item["content_url"] + "echo", data=b"x" * big, timeout=60)
    assert r.json() == {"body": "x" * big, "root_path": "/content/%s" % item["guid"]}
    docs = publisher.get(item["content_url"] + "docs", timeout=30)
    assert docs.status_code == 200 and "/content/%s/openapi.json" % item["guid"] in docs.text
    assert publisher.get(item["content_url"] + "openapi.json", timeout=30).status_code == 200


# -- Dash ---------------------------------------------------------------------------------------
def test_dash(publisher):
    item, _ = deployed(publisher, "sample-dash", "dash", "python-dash", "app:app")
    page = publisher.get(item["content_url"], timeout=30)
    assert page.status_code == 200
    config = json.loads(
        page.text.split('<script id="_dash-config" type="application/json">', 1)[1].split("</script>", 1)[0]
    )
    assert config["requests_pathname_prefix"] == "/content/%s/" % item["guid"], config
    assert_scripts_load(page, publisher)
    layout = publisher.get(item["content_url"] + "_dash-layout", timeout=30)
    assert layout.status_code == 200
    assert "Hello from the sample Dash app" in layout.text
    assert publisher.get(item["content_url"] + "_dash-dependencies", timeout=30).status_code == 200


# -- Streamlit ----------------------------------------------------------------------------------
def test_streamlit(publisher, local_server):
    item, _ = deployed(publisher, "sample-streamlit", "streamlit", "python-streamlit", "app.py")
    page = publisher.get(item["content_url"], timeout=30)
    assert page.status_code == 200 and "<title>Streamlit</title>" in page.text
    assert_scripts_load(page, publisher)
    health = publisher.get(item["content_url"] + "_stcore/health", timeout=30)
    assert health.status_code == 200 and health.text == "ok"
    ws_url = item["content_url"].replace("http://", "ws://") + "_stcore/stream"
    # A BackMsg asking for a run (field rerun_script = 11, an empty ClientState), encoded by hand:
    # the app's own text then comes back in the ForwardMsgs.
    selected, received = ws_conversation(
        ws_url, ["streamlit"], b"Z\x00", b"Hello from the sample Streamlit app", headers=publisher.auth
    )
    assert selected == "streamlit"
    assert b"Hello from the sample Streamlit app" in received


# -- Bokeh --------------------------------------------------------------------------------------
def test_bokeh(publisher):
    item, _ = deployed(publisher, "sample-bokeh", "bokeh", "python-bokeh", "app.py")
    page = publisher.get(item["content_url"], timeout=30)  # redirects to the app's own path
    assert page.status_code == 200
    assert "<title>Hello from the sample Bokeh app</title>" in page.text
    assert page.url.startswith(item["content_url"])
    assert_scripts_load(page, publisher)
    ws_url = page.url.replace("http://", "ws://").split("?")[0].rstrip("/") + "/ws"
    token = json.loads(page.text.split('"token":', 1)[1].split(",", 1)[0]) if '"token":' in page.text else None
    assert token, page.text[:2000]

    # Bokeh's protocol: each message is three text frames (header, metadata, content). Like Bokeh's
    # own client, wait for the server's ACK before asking for the document: Bokeh closes a socket
    # that speaks before its session is ready (a busy machine shows it). The Div's text is in the reply.
    async def read_until(conn, frames, text):
        deadline = time.time() + 30
        while time.time() < deadline and not any(text in f for f in frames):
            msg = await asyncio.wait_for(conn.read_message(), 30)
            if msg is None:
                raise AssertionError(
                    "the socket closed (%s %s) after %r" % (conn.close_code, conn.close_reason, frames)
                )
            frames.append(msg if isinstance(msg, str) else msg.decode())
        assert any(text in f for f in frames), "no %s within 30 s: %r" % (text, frames)

    async def pull_doc():
        conn = await tornado.websocket.websocket_connect(
            tornado.httpclient.HTTPRequest(ws_url, headers=publisher.auth, connect_timeout=20, request_timeout=30),
            subprotocols=["bokeh", token],
        )
        selected, frames = conn.selected_subprotocol, []
        await read_until(conn, frames, '"ACK"')
        for frame in ('{"msgid": "1", "msgtype": "PULL-DOC-REQ"}', "{}", "{}"):
            await conn.write_message(frame)
        await read_until(conn, frames, "sample Bokeh app")
        conn.close()
        return selected, frames

    selected, frames = run_coroutine(pull_doc())
    assert selected == "bokeh"
    assert any("Hello from the sample Bokeh app (no greeting)" in f for f in frames), frames


# -- process lifecycle --------------------------------------------------------------------------
PID_APP = """import os, time
VERSION = %r


def app(environ, start_response):
    if environ["PATH_INFO"] == "/slow":
        time.sleep(1)
    body = ("pid=%%d version=%%s greeting=%%s" %% (os.getpid(), VERSION,
            os.environ.get("SAMPLE_GREETING"))).encode()
    start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", str(len(body)))])
    return [body]
"""


def pid_bundle(version):
    return app_bundle("wsgi", "python-api", "app:app", {"app.py": (PID_APP % version).encode()})


def answer(url, reader):
    """The PID app's answer, read with `reader`'s key."""
    r = reader.get(url, timeout=60)
    assert r.status_code == 200, r.text
    return dict(part.split("=", 1) for part in r.text.split())


def gone(pid, timeout=15):
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        time.sleep(0.1)
    return False


def test_redeploy_loses_no_request_and_stops_the_old_process(publisher):
    item = publisher.create("pid-app")
    task, lines = publisher.publish(item["guid"], pid_bundle("one"))
    assert task["code"] == 0, "\n".join(lines)
    first = answer(item["content_url"], publisher)
    assert first["version"] == "one"

    failures, seen, stop = [], set(), threading.Event()

    def hammer():
        while not stop.is_set():
            try:
                r = publisher.get(item["content_url"] + "slow", timeout=60)
                if r.status_code != 200:
                    failures.append(r.status_code)
                else:
                    seen.add(r.text.split()[1])
            except requests.RequestException as e:
                failures.append(repr(e))

    threads = [threading.Thread(target=hammer) for _ in range(4)]
    for t in threads:
        t.start()
    try:
        task, lines = publisher.publish(item["guid"], pid_bundle("two"))
        time.sleep(3)
    finally:
        stop.set()
        for t in threads:
            t.join()
    assert task["code"] == 0, "\n".join(lines)
    assert not failures, failures
    assert answer(item["content_url"], publisher)["version"] == "two"
    assert "version=one" in seen
    assert gone(int(first["pid"]), timeout=40)  # stopped once its requests were done


def test_deleting_content_stops_its_app(publisher):
    item = publisher.create("pid-app-deleted")
    task, lines = publisher.publish(item["guid"], pid_bundle("deleted"))
    assert task["code"] == 0, "\n".join(lines)
    pid = int(answer(item["content_url"], publisher)["pid"])
    assert publisher("DELETE", "v1/content/" + item["guid"]).status_code == 204
    assert gone(pid)
    assert publisher.get(item["content_url"], timeout=30).status_code == 404


def test_server_stop_stops_apps_and_restart_starts_them_on_first_request(tmp_path, local_servers, local_server):
    args = ["--environments-dir", str(local_server.data_dir / "environments")]
    server = local_servers.start(tmp_path / "data", extra_args=args)
    admin = Client(server)
    item = admin.create("pid-app-restart")
    r = admin("PATCH", "v1/content/%s/environment" % item["guid"], json=[{"name": "SAMPLE_GREETING", "value": "kept"}])
    assert r.status_code == 200
    task, lines = admin.publish(item["guid"], pid_bundle("restart"))
    assert task["code"] == 0, "\n".join(lines)
    before = answer(item["content_url"], admin)
    assert before["greeting"] == "kept"
    local_servers.stop(server)  # SIGTERM: a graceful stop
    assert gone(int(before["pid"]))

    server = local_servers.start(tmp_path / "data", extra_args=args)
    url = server.url + "content/%s/" % item["guid"]
    after = answer(url, Client(server))
    assert after["version"] == "restart" and after["greeting"] == "kept" and after["pid"] != before["pid"]
    local_servers.stop(server)
    assert gone(int(after["pid"]))


def test_an_app_that_never_answers_fails_after_the_start_timeout(tmp_path, local_servers, local_server):
    args = ["--environments-dir", str(local_server.data_dir / "environments"), "--app-start-timeout", "4"]
    server = local_servers.start(tmp_path / "data", extra_args=args)
    admin = Client(server)
    item = admin.create("pid-app-hangs")
    task, lines = admin.publish(item["guid"], pid_bundle("answers"))
    assert task["code"] == 0, "\n".join(lines)
    hanging = "import os, time\nprint('hanging pid', os.getpid(), flush=True)\ntime.sleep(600)\n"
    task, lines = admin.publish(item["guid"], app_bundle("wsgi", "python-api", "app:app", {"app.py": hanging}))
    assert task["code"] != 0
    assert "did not answer within 4 seconds" in task["error"]
    pid = int(next(line for line in lines if line.startswith("hanging pid")).split()[-1])
    assert gone(pid)
    assert answer(item["content_url"].replace(local_server.url, server.url), admin)["version"] == "answers"
    local_servers.stop(server)


STREAMING_APP = """import os
import time

GO_ON = %r  # the test creates this file once it has read the first part


def app(environ, start_response):
    start_response("200 OK", [("Content-Type", "application/octet-stream")])

    def body():
        yield b"a" * 65536
        for _ in range(600):  # the second part only once the client has the first
            if os.path.exists(GO_ON):
                yield b"b" * 65536
                return
            time.sleep(0.1)
        yield b"the client never got the first part"
    return body()
"""


def test_answers_stream_through_the_proxy(publisher, tmp_path):
    # The app sends its second part only after the test has read the first: an answer held back
    # until complete (a buffering proxy) never shows the first part in time, and ends with the
    # app's "never got" line.
    go_on = tmp_path / "go-on"
    item = publisher.create("streaming-app")
    task, lines = publisher.publish(
        item["guid"], app_bundle("wsgi", "python-api", "app:app", {"app.py": (STREAMING_APP % str(go_on)).encode()})
    )
    assert task["code"] == 0, "\n".join(lines)
    with publisher.get(item["content_url"], stream=True, timeout=120) as r:
        assert r.status_code == 200
        chunks = r.iter_content(1024)
        first = next(chunks)
        go_on.touch()
        body = first + b"".join(chunks)
    assert first.startswith(b"a")
    assert body == b"a" * 65536 + b"b" * 65536, (len(body), body.count(b"a"), body.count(b"b"), body[-40:])


def test_apps_left_by_a_killed_server_are_stopped_at_its_next_start(tmp_path, local_servers, local_server):
    args = ["--environments-dir", str(local_server.data_dir / "environments")]
    server = local_servers.start(tmp_path / "data", extra_args=args)
    admin = Client(server)
    item = admin.create("pid-app-killed")
    task, lines = admin.publish(item["guid"], pid_bundle("orphan"))
    assert task["code"] == 0, "\n".join(lines)
    pid = int(answer(item["content_url"], admin)["pid"])
    server.process.kill()  # no chance to stop its apps
    server.process.wait()
    local_servers.stop(server)
    assert not gone(pid, timeout=1)
    server = local_servers.start(tmp_path / "data", extra_args=args)
    assert gone(pid)
    assert answer(server.url + "content/%s/" % item["guid"], Client(server))["version"] == "orphan"
    local_servers.stop(server)

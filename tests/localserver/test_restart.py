"""State survives a restart; a deploy or an upload cut off by the server dying (SIGKILL or SIGTERM)
is marked failed, the previously deployed bundle stays live, and the next deploy succeeds."""

import os
import signal
import threading
import time

import pytest
import requests

from tests.localserver.localserver_helpers import Client, notebook_bundle, static_bundle

pytestmark = pytest.mark.slow


def wait_for_line(client, task_id, text, timeout=600):
    deadline = time.time() + timeout
    while time.time() < deadline:
        task = client("GET", "v1/tasks/" + task_id, params={"wait": 5}).json()
        if any(text in line for line in task["output"]):
            return task
        assert not task["finished"], task
    raise AssertionError("no %r in the task log" % text)


def assert_interrupted(task):
    """Failed, with the one sentence that says what happened and what to do."""
    assert task["finished"] and task["code"] != 0
    assert task["error"] == (
        "The local server stopped before this task finished; the deploy did not complete "
        "and the previously deployed bundle stays live. Deploy again."
    )


def test_restart_keeps_state_and_fails_the_interrupted_deploy(tmp_path, local_servers, local_server):
    data = tmp_path / "data"
    # Share the session server's environments so no new one is built here.
    args = ["--environments-dir", str(local_server.data_dir / "environments")]
    server = local_servers.start(data, extra_args=args)
    admin_key = server.api_key
    pat = Client(server, server.add_user("pat", "publisher"))

    site = pat.create("site", "A site")
    task, lines = pat.publish(site["guid"], static_bundle("<p>site survives</p>"))
    assert task["code"] == 0, lines
    report = pat.create("report", "A report")
    pat("PATCH", "v1/content/%s/environment" % report["guid"], json=[{"name": "KEPT", "value": "v"}])
    task, lines = pat.publish(report["guid"], notebook_bundle("print('version one of the report')"))
    assert task["code"] == 0, "\n".join(lines)
    live_bundle = pat("GET", "v1/content/" + report["guid"]).json()["bundle_id"]

    # A deploy whose notebook takes long; the server dies while it runs.
    slow = pat.upload(report["guid"], notebook_bundle("import time\nprint('started')\ntime.sleep(300)"))
    slow_task = pat.deploy(report["guid"], slow["id"])
    wait_for_line(pat, slow_task, "Running the notebook")
    os.kill(server.process.pid, signal.SIGKILL)  # no chance to clean up or record anything
    assert server.process.wait() == -signal.SIGKILL
    local_servers.stop(server)

    server = local_servers.start(data, extra_args=args)
    assert server.api_key == admin_key
    pat = Client(server, pat.key)  # keys survive
    assert pat("GET", "v1/user").json()["username"] == "pat"

    task = pat("GET", "v1/tasks/" + slow_task).json()
    assert_interrupted(task)
    assert any("Running the notebook" in line for line in task["output"])  # the log before the stop is kept

    after = pat("GET", "v1/content/" + report["guid"]).json()
    assert after["bundle_id"] == live_bundle and after["title"] == "A report"
    assert "version one of the report" in pat.get(after["content_url"]).text
    assert "site survives" in pat.get(pat("GET", "v1/content/" + site["guid"]).json()["content_url"]).text
    assert pat("GET", "v1/content/%s/environment" % report["guid"]).json() == ["KEPT"]
    assert [b["id"] for b in pat("GET", "v1/content/%s/bundles" % report["guid"]).json()][-1] == slow["id"]
    assert not list((data / "content" / report["guid"] / "bundles").glob("*.new-*"))

    # And it deploys again after the restart.
    task, lines = pat.publish(report["guid"], notebook_bundle("print('version two of the report')"))
    assert task["code"] == 0, "\n".join(lines)
    assert "version two of the report" in pat.get(after["content_url"]).text


def test_stopping_the_server_mid_deploy_fails_the_task_and_keeps_the_live_bundle(tmp_path, local_servers, local_server):
    data = tmp_path / "data"
    args = ["--environments-dir", str(local_server.data_dir / "environments")]
    server = local_servers.start(data, extra_args=args)
    admin = Client(server)
    item = admin.create("graceful")
    task, lines = admin.publish(item["guid"], notebook_bundle("print('live before the stop')"))
    assert task["code"] == 0, "\n".join(lines)
    slow = admin.upload(item["guid"], notebook_bundle("import time\ntime.sleep(300)"))
    slow_task = admin.deploy(item["guid"], slow["id"])
    wait_for_line(admin, slow_task, "Running the notebook")
    server.process.terminate()  # SIGTERM: the server stops its deploy commands and exits by itself
    assert server.process.wait(60) == 0
    assert "Stopped." in server.log()
    local_servers.stop(server)

    server = local_servers.start(data, extra_args=args)
    admin = Client(server)
    task = admin("GET", "v1/tasks/" + slow_task).json()
    assert_interrupted(task)
    url = admin("GET", "v1/content/" + item["guid"]).json()["content_url"]  # the new port
    assert url.startswith(server.url)
    assert "live before the stop" in admin.get(url).text
    # And the next deploy goes through.
    task, lines = admin.publish(item["guid"], notebook_bundle("print('live after the stop')"))
    assert task["code"] == 0, "\n".join(lines)
    assert "live after the stop" in admin.get(url).text


def test_killing_the_server_mid_upload_loses_nothing(tmp_path, local_servers):
    """SIGKILL while a bundle is half received: after the restart the half upload is gone, the bundle
    list and the live content are as before, and the next upload and deploy work."""
    data = tmp_path / "data"
    server = local_servers.start(data)
    admin = Client(server)
    item = admin.create("uploading")
    task, lines = admin.publish(item["guid"], static_bundle("<p>the live page</p>"))
    assert task["code"] == 0, lines
    bundles_before = admin("GET", "v1/content/%s/bundles" % item["guid"]).json()
    half_sent, killed = threading.Event(), threading.Event()
    outcome = {}

    def body():
        yield static_bundle("<p>never finished</p>")[:64] + os.urandom(256 * 1024)
        half_sent.set()
        killed.wait(60)  # the server dies meanwhile
        yield b"the end that never arrives"

    def upload():
        try:
            outcome["response"] = admin("POST", "v1/content/%s/bundles" % item["guid"], data=body())
        except requests.RequestException as e:
            outcome["error"] = e

    sender = threading.Thread(target=upload)
    sender.start()
    assert half_sent.wait(60)
    uploads = data / "content" / item["guid"] / "uploads"
    deadline = time.time() + 30
    while not (uploads.is_dir() and any(f.stat().st_size for f in uploads.iterdir())) and time.time() < deadline:
        time.sleep(0.05)
    assert [f for f in uploads.iterdir() if f.stat().st_size], "the upload never started to land"
    os.kill(server.process.pid, signal.SIGKILL)
    server.process.wait()
    killed.set()
    local_servers.stop(server)
    sender.join(60)
    assert "error" in outcome or outcome["response"].status_code >= 400

    server = local_servers.start(data)
    admin = Client(server)
    assert not uploads.exists() or list(uploads.iterdir()) == []
    assert admin("GET", "v1/content/%s/bundles" % item["guid"]).json() == bundles_before
    url = admin("GET", "v1/content/" + item["guid"]).json()["content_url"]
    assert admin.get(url, timeout=30).text == "<p>the live page</p>"
    task, lines = admin.publish(item["guid"], static_bundle("<p>the next page</p>"))
    assert task["code"] == 0, lines
    assert admin.get(url, timeout=30).text == "<p>the next page</p>"

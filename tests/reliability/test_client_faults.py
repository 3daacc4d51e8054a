"""Faults between the client and Connect, injected by a proxy in front of the real local server.

Each fault ends the `rsconnect` subprocess with one sentence (or is retried away when it is a
read), leaves saved servers, deployment records and the notebook byte-identical, and the next
publish succeeds. Reads are retried on 429/502/503/504 and broken connections, waiting at least
what a Retry-After asks (the proxy's arrival times show the wait); writes never are.
"""

import email.utils
import re
import signal
import socket
import time

import pytest
import requests

from rsconnect_jupyter import connect
from rsconnect_jupyter.connect import ConnectClient, retry_after, retry_schedule, retry_wait
from rsconnect_jupyter.exceptions import ConnectAPIError, InvalidInput, ServerUnreachable
from tests.reliability.fault_proxy import (
    UPLOAD,
    FaultProxy,
    assert_the_server_dropped_the_half_upload,
    cut_mid_upload,
)

TASKS = r"/__api__/v1/tasks/"
DEPLOY = r"/__api__/v1/content/[^/?]+/deploy$"


def one_sentence_failure(result):
    """Exit 1, no traceback, and a last line `Error: ... .`"""
    assert result.returncode == 1, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith("Error: ") and last.endswith("."), result.stderr
    return last


def deploy(cli, notebook, **kw):
    return cli.run("deploy", "notebook", "--static", "-q", "-n", "proxy", notebook, **kw)


@pytest.fixture
def published(cli, proxy, local_server, notebook):
    """The server saved as "proxy" (through the proxy) and a first publish of the notebook."""
    cli.ok("add", "-n", "proxy", "-s", proxy.url, "-k", local_server.api_key)
    url = cli.ok("deploy", "notebook", "--static", "-q", "-n", "proxy", notebook).stdout.strip()
    assert url.startswith(proxy.url + "content/")
    proxy.forget_seen()
    return url


def publishes_again(cli, proxy, notebook, url):
    """No fault any more: the next publish succeeds, to the same content."""
    proxy.clear()
    result = deploy(cli, notebook)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == url


def bundles(local_server, url):
    return local_server.api("GET", "v1/content/%s/bundles" % url.rstrip("/").rsplit("/", 1)[-1]).json()


# -- retried reads ---------------------------------------------------------------------------


def test_reads_failing_a_few_times_are_retried_and_the_publish_succeeds(cli, proxy, local_server, notebook, published):
    proxy.gateway_error(TASKS, 503, method="GET", times=2)
    proxy.gateway_error(TASKS, 502, method="GET", times=1)
    proxy.add("drop", TASKS, method="GET", times=1)
    proxy.gateway_error(r"/__api__/v1/content/[^/?]+$", 504, method="GET", times=1)
    result = deploy(cli, notebook)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == published
    polls = [s.action for s in proxy.requests("GET", TASKS)]
    assert polls[:4] == ["answer", "answer", "answer", "drop"] and polls[4] == "forward"
    assert [s.status for s in proxy.requests("GET", r"/v1/content/[^/?]+$")][:2] == [504, 200]
    assert len(bundles(local_server, published)) == 2
    # Each write went once.
    assert len(proxy.requests("POST", UPLOAD)) == 1 and len(proxy.requests("POST", DEPLOY)) == 1


def test_a_task_poll_that_times_out_is_asked_again(cli, proxy, local_server, notebook, published):
    proxy.add("stall", TASKS, method="GET", delay=60, times=1)  # no answer in time, then forwarded
    result = deploy(cli, notebook, env={"CONNECT_REQUEST_TIMEOUT": "4"})
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == published
    assert [s.action for s in proxy.requests("GET", TASKS)][:2] == ["stall", "forward"]
    assert len(bundles(local_server, published)) == 2


def test_task_polls_failing_every_time_end_in_one_sentence(cli, proxy, notebook, published, saved_state):
    before = saved_state()
    proxy.gateway_error(TASKS, 503, method="GET")
    result = deploy(cli, notebook)
    message = one_sentence_failure(result)
    assert "answered GET v1/tasks/" in message and "HTTP 503 five times over" in message
    assert "try again later" in message
    assert len(proxy.requests("GET", TASKS)) == 5  # the first attempt and 4 retries, no more
    assert saved_state() == before
    publishes_again(cli, proxy, notebook, published)


@pytest.mark.parametrize("status", [502, 503, 504])
def test_writes_are_never_retried(cli, proxy, notebook, published, saved_state, status):
    # The upload streams its bundle as it is written (chunked): a gateway error ends it, never resent.
    before = saved_state()
    proxy.gateway_error(UPLOAD, status, method="POST")
    message = one_sentence_failure(deploy(cli, notebook))
    assert "answered POST v1/content/" in message and "HTTP %d (not retried" % status in message
    assert [f for m, p, f in proxy.framing if m == "POST" and re.search(UPLOAD, p)] == ["chunked"]
    assert len(proxy.requests("POST", UPLOAD)) == 1
    assert proxy.requests("POST", DEPLOY) == []
    assert saved_state() == before
    publishes_again(cli, proxy, notebook, published)


def test_an_upload_streams_chunked_and_a_411_gets_the_file_with_its_length(
    cli, proxy, local_server, notebook, published
):
    # A proxy that takes only a known length refuses the chunked stream before storing anything:
    # the one case an upload is sent again, from the archive written to a file, with its length.
    proxy.answer(UPLOAD, 411, b"<html><h1>411 Length Required</h1></html>", method="POST", times=1)
    result = deploy(cli, notebook)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == published
    uploads = [framing for method, path, framing in proxy.framing if method == "POST" and re.search(UPLOAD, path)]
    assert uploads == ["chunked", "length"]
    assert [s.action for s in proxy.requests("POST", UPLOAD)] == ["answer", "forward"]
    assert len(proxy.requests("POST", DEPLOY)) == 1
    assert len(bundles(local_server, published)) == 2  # the first publish's and this one's, no half one
    assert list(cli.tmp.iterdir()) == []  # the file written for the second try is gone


def test_a_publish_streams_its_bundle_in_one_chunked_upload(cli, proxy, notebook, published):
    assert deploy(cli, notebook).returncode == 0
    uploads = [framing for method, path, framing in proxy.framing if method == "POST" and re.search(UPLOAD, path)]
    assert uploads == ["chunked"]


def test_connect_upload_stream_0_sends_the_file_with_its_length(cli, proxy, notebook, published):
    assert deploy(cli, notebook, env={"CONNECT_UPLOAD_STREAM": "0"}).returncode == 0
    uploads = [framing for method, path, framing in proxy.framing if method == "POST" and re.search(UPLOAD, path)]
    assert uploads == ["length"]


# -- the server dying mid-upload -------------------------------------------------------------


def test_server_dying_mid_upload_changes_nothing(cli, proxy, local_server, notebook, published, saved_state):
    before = saved_state()
    cut_mid_upload(proxy, local_server)
    message = one_sentence_failure(deploy(cli, notebook))
    assert "connection to %s broke during POST v1/content/" % proxy.url in message
    assert "publish again" in message
    assert proxy.requests("POST", DEPLOY) == []
    assert saved_state() == before
    assert_the_server_dropped_the_half_upload(proxy, local_server)
    assert len(bundles(local_server, published)) == 1  # the server kept no half bundle
    publishes_again(cli, proxy, notebook, published)


def test_server_dying_mid_upload_of_new_content_leaves_no_empty_content(
    cli, proxy, local_server, notebook, saved_state
):
    cli.ok("add", "-n", "proxy", "-s", proxy.url, "-k", local_server.api_key)
    before = saved_state()
    contents = {c["guid"] for c in local_server.api("GET", "v1/content").json()}
    cut_mid_upload(proxy, local_server)
    result = deploy(cli, notebook)
    one_sentence_failure(result)
    assert_the_server_dropped_the_half_upload(proxy, local_server)
    assert saved_state() == before and not (notebook.parent / "rsconnect-python").exists()
    assert {c["guid"] for c in local_server.api("GET", "v1/content").json()} == contents
    proxy.clear()
    url = cli.ok("deploy", "notebook", "--static", "-q", "-n", "proxy", notebook).stdout.strip()
    assert len(bundles(local_server, url)) == 1


# -- a login page where JSON was expected ----------------------------------------------------


def test_a_single_sign_on_redirect_is_named_and_nothing_is_saved(cli, proxy, local_server):
    proxy.redirect_to_login(r"/__api__/")
    message = one_sentence_failure(cli.run("add", "-n", "sso", "-s", proxy.url, "-k", local_server.api_key))
    assert "login page (via %slogin)" % proxy.url in message and "single sign-on" in message
    assert local_server.api_key not in message
    assert not cli.servers_json.exists()


def test_a_login_page_during_a_deploy_changes_nothing(cli, proxy, notebook, published, saved_state):
    before = saved_state()
    proxy.login_page(TASKS, method="GET")  # a proxy's session ran out while the task was followed
    message = one_sentence_failure(deploy(cli, notebook))
    assert "answered GET v1/tasks/" in message and "with a login page where Connect answers JSON" in message
    assert saved_state() == before
    publishes_again(cli, proxy, notebook, published)


def test_an_upload_redirected_to_a_login_page_is_not_followed(cli, proxy, notebook, published, saved_state):
    before = saved_state()
    proxy.redirect_to_login(UPLOAD, method="POST")
    message = one_sentence_failure(deploy(cli, notebook))
    assert "redirected POST v1/content/" in message and "%slogin" % proxy.url in message
    assert proxy.requests("GET", r"^/login") == []  # the bundle was not sent on to the login page
    assert saved_state() == before
    publishes_again(cli, proxy, notebook, published)


# -- a task that never finishes --------------------------------------------------------------


def test_a_task_that_never_finishes_stops_at_connect_task_timeout(cli, proxy, notebook, published, saved_state):
    before = saved_state()
    proxy.answer(
        TASKS, 200, {"id": "t", "output": [], "finished": False, "code": 0, "error": "", "last": 0}, method="GET"
    )
    result = deploy(cli, notebook, env={"CONNECT_TASK_TIMEOUT": "2"})
    message = one_sentence_failure(result)
    assert "did not finish within 2 seconds" in message and "CONNECT_TASK_TIMEOUT" in message
    assert len(proxy.requests("GET", TASKS)) >= 2  # it kept asking, with waits between
    assert saved_state() == before
    publishes_again(cli, proxy, notebook, published)


# -- Ctrl-C ----------------------------------------------------------------------------------


@pytest.mark.parametrize("where", ["upload", "task poll"])
def test_ctrl_c_during_a_deploy_changes_nothing_locally(cli, proxy, notebook, published, saved_state, where):
    before = saved_state()
    if where == "upload":
        proxy.add("stall", UPLOAD, method="POST", after_bytes=4096, delay=60, times=1)
        method, path = "POST", UPLOAD
    else:
        proxy.add("stall", TASKS, method="GET", delay=60, times=1)
        method, path = "GET", TASKS
    process = cli.start("deploy", "notebook", "--static", "-n", "proxy", notebook)
    try:
        proxy.wait_for(method, path, "stall")
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 130, err
    assert "Traceback" not in err and "Aborted!" not in err
    assert (
        err.strip()
        .splitlines()[-1]
        .startswith(
            "Interrupted: nothing was changed locally; the content on the "
            "server may have been created or partly updated"
        )
    )
    assert saved_state() == before
    assert list(cli.tmp.iterdir()) == []  # the bundle's temporary file is gone
    publishes_again(cli, proxy, notebook, published)


def test_ctrl_c_during_a_first_publish_leaves_no_record_and_no_empty_content(
    cli, proxy, local_server, notebook, saved_state
):
    cli.ok("add", "-n", "proxy", "-s", proxy.url, "-k", local_server.api_key)
    before = saved_state()
    contents = {c["guid"] for c in local_server.api("GET", "v1/content").json()}
    proxy.add("stall", UPLOAD, method="POST", after_bytes=4096, delay=60, times=1)
    process = cli.start("deploy", "notebook", "--static", "-n", "proxy", notebook)
    try:
        proxy.wait_for("POST", UPLOAD, "stall")
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 130 and "Traceback" not in err, err
    assert err.strip().splitlines()[-1].startswith("Interrupted: nothing was changed locally")
    assert saved_state() == before and not (notebook.parent / "rsconnect-python").exists()
    assert {c["guid"] for c in local_server.api("GET", "v1/content").json()} == contents
    assert list(cli.tmp.iterdir()) == []
    url = cli.ok("deploy", "notebook", "--static", "-q", "-n", "proxy", notebook).stdout.strip()
    assert len(bundles(local_server, url)) == 1


# -- the client's rules, called directly -----------------------------------------------------


def test_retry_schedule_comes_from_the_environment():
    assert retry_schedule({}) == [0.5, 1, 2, 4]
    assert retry_schedule({"CONNECT_RETRY_BACKOFF": "0.05"}) == [0.05, 0.1, 0.2, 0.4]
    assert retry_schedule({"CONNECT_RETRIES": "6", "CONNECT_RETRY_BACKOFF": "1"}) == [1, 2, 4, 4, 4, 4]
    assert retry_schedule({"CONNECT_RETRIES": "0"}) == []
    with pytest.raises(
        InvalidInput,
        match=r"^CONNECT_RETRY_BACKOFF must be a number of seconds \(0 or more\), "
        r"not 'soon'\.$",
    ):
        retry_schedule({"CONNECT_RETRY_BACKOFF": "soon"})


def test_a_first_refused_connection_is_said_at_once(proxy, monkeypatch):
    monkeypatch.setenv("CONNECT_RETRY_BACKOFF", "0.05")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # closed again: nothing listens there
    with pytest.raises(ServerUnreachable) as e:
        ConnectClient("http://127.0.0.1:%d/" % port, "key").server_settings()
    assert str(e.value).startswith("Could not connect to http://127.0.0.1:%d/ (Connection refused)" % port)


def test_a_server_that_goes_away_is_retried_then_named(local_server, monkeypatch):
    monkeypatch.setenv("CONNECT_RETRY_BACKOFF", "0.05")
    proxy = FaultProxy(local_server.url)
    client = ConnectClient(proxy.url, local_server.api_key)
    assert client.server_settings()["version"]
    proxy.close()
    with pytest.raises(ServerUnreachable) as e:
        client.me()
    assert re.fullmatch(
        r"%s did not answer GET v1/user five times over \d+ s \(Connection refused\): the server "
        r"or the network is failing; try again later\." % re.escape(proxy.url),
        str(e.value),
    )


def test_reads_that_time_out_every_time_end_in_one_sentence(proxy, local_server, monkeypatch):
    monkeypatch.setenv("CONNECT_RETRY_BACKOFF", "0.05")
    client = ConnectClient(proxy.url, local_server.api_key, timeout=0.5)
    assert client.server_settings()["version"]
    proxy.add("stall", r"/__api__/v1/user$", method="GET", delay=30)
    with pytest.raises(ServerUnreachable) as e:
        client.me()
    assert re.fullmatch(
        r"%s did not answer GET v1/user five times over \d+ s \(timed out\): the server or the "
        r"network is failing; try again later\." % re.escape(proxy.url),
        str(e.value),
    )
    assert len(proxy.requests("GET", r"/v1/user$")) == 5


def test_request_timeout_comes_from_the_environment(monkeypatch):
    monkeypatch.setenv("CONNECT_REQUEST_TIMEOUT", "2.5")
    assert ConnectClient("http://127.0.0.1:9/", "key").timeout == 2.5
    monkeypatch.setenv("CONNECT_REQUEST_TIMEOUT", "0")
    with pytest.raises(InvalidInput, match=r"^CONNECT_REQUEST_TIMEOUT must be a positive number of seconds"):
        ConnectClient("http://127.0.0.1:9/", "key")


# -- Retry-After: reads wait what the server asks --------------------------------------------


def gaps(seen):
    """Seconds between consecutive requests, as the proxy saw them arrive."""
    return [b.at - a.at for a, b in zip(seen, seen[1:])]


def test_retry_after_is_read_as_seconds_or_an_http_date():
    def answer(value):
        response = requests.Response()
        if value is not None:
            response.headers["Retry-After"] = value
        return response

    now = time.time()
    assert retry_after(answer("7")) == 7
    assert retry_after(answer(email.utils.formatdate(now + 20, usegmt=True)), now=now) == pytest.approx(20, abs=1)
    assert retry_after(answer(email.utils.formatdate(now - 60, usegmt=True)), now=now) == 0  # already past
    assert retry_after(answer("soon")) is None and retry_after(answer(None)) is None
    assert retry_wait(0.05, None) == 0.05
    assert retry_wait(0.05, 2) == 2 and retry_wait(4, 2) == 4  # never shorter than the schedule
    assert retry_wait(0.05, 3600) == 30  # capped: a publish does not hang for an hour


def test_a_503_with_retry_after_waits_what_the_server_asks(proxy, local_server, monkeypatch):
    monkeypatch.setenv("CONNECT_RETRY_BACKOFF", "0.05")
    client = ConnectClient(proxy.url, local_server.api_key)
    proxy.gateway_error(r"/__api__/v1/user$", 503, method="GET", times=1, headers={"Retry-After": "2"})
    assert client.me()["username"]
    seen = proxy.requests("GET", r"/v1/user$")
    assert [s.status for s in seen] == [503, 200]
    assert 1.8 <= gaps(seen)[0] < 25  # the server's 2 s, not the schedule's 0.05 s


def test_a_429_on_task_polls_is_retried_after_the_date_it_names(cli, proxy, notebook, published):
    in_3_seconds = lambda: email.utils.formatdate(time.time() + 3, usegmt=True)  # noqa: E731 - at answer time
    proxy.too_many_requests(TASKS, retry_after=in_3_seconds, method="GET", times=1)
    result = deploy(cli, notebook)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == published
    polls = proxy.requests("GET", TASKS)
    assert [s.status for s in polls][:2] == [429, 200]
    assert 1.0 <= gaps(polls)[0] < 25  # an HTTP date 3 s ahead (second resolution): at least 1 s, not 0.05 s


def test_a_retry_after_beyond_the_cap_is_cut_to_it(proxy, local_server, monkeypatch):
    monkeypatch.setenv("CONNECT_RETRY_BACKOFF", "0.05")
    monkeypatch.setattr(connect.retry, "MAX_RETRY_AFTER", 1.0)  # the 30 s cap, made short for the test
    client = ConnectClient(proxy.url, local_server.api_key)
    proxy.too_many_requests(r"/__api__/v1/user$", retry_after=3600, method="GET", times=1)
    assert client.me()["username"]
    seen = proxy.requests("GET", r"/v1/user$")
    assert [s.status for s in seen] == [429, 200]
    assert 0.8 <= gaps(seen)[0] < 20


def test_a_429_with_no_retry_left_is_said_at_once(proxy, local_server, monkeypatch):
    monkeypatch.setenv("CONNECT_RETRIES", "0")
    client = ConnectClient(proxy.url, local_server.api_key)
    proxy.too_many_requests(r"/__api__/v1/user$", retry_after=600, method="GET")
    with pytest.raises(ServerUnreachable) as e:
        client.me()
    assert str(e.value) == (
        "%s answered GET v1/user with HTTP 429 once: the server is asking for fewer requests; "
        "wait a minute and try again." % proxy.url
    )
    assert len(proxy.requests("GET", r"/v1/user$")) == 1  # no wait for the asked 600 s, no retry


def test_a_429_on_a_write_is_not_retried(proxy, local_server, monkeypatch):
    monkeypatch.setenv("CONNECT_RETRY_BACKOFF", "0.05")
    client = ConnectClient(proxy.url, local_server.api_key)
    proxy.too_many_requests(r"/__api__/v1/content$", retry_after=1, method="POST")
    with pytest.raises(ConnectAPIError) as e:
        client.content_create(name="never-made", title="never made")
    assert e.value.status == 429 and str(e.value).endswith(".") and "\n" not in str(e.value)
    assert len(proxy.requests("POST", r"/v1/content$")) == 1

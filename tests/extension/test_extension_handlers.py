"""The extension's handlers over real HTTP: auth, XSRF, input validation, secrets never returned."""

import os
import re
import time

import pytest
import requests

from rsconnect_jupyter.jupyter import handlers
from rsconnect_jupyter.jupyter.schedule_handlers import SCHEDULE_ROUTES
from rsconnect_jupyter.jupyter.signin_handlers import SIGNIN_ROUTES
from tests.extension.extension_notebooks import write_notebook
from tests.reliability.fault_proxy import FaultProxy

METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")


def example_route(pattern):
    """A concrete path for a route pattern of the handler table (the job id group gets a made-up id)."""
    route = re.sub(r"\(\[0-9a-f\]\{32\}\)", "0" * 32, pattern)
    assert re.fullmatch(pattern, route) and not re.search(r"[()\[\]{}\\]", route), (pattern, route)
    return route


# Generated from the handler tables, so a new handler is covered (or this fails) without editing here.
TABLE = handlers.ROUTES + SCHEDULE_ROUTES + SIGNIN_ROUTES
ROUTES = [
    (method, example_route(pattern))
    for pattern, handler in TABLE
    for method in METHODS
    if method.lower() in vars(handler)
]


def test_the_route_list_covers_the_handler_table():
    assert len(ROUTES) >= len(TABLE)
    assert {route for _, route in ROUTES} == {example_route(p) for p, _ in TABLE}


@pytest.mark.parametrize("method,route", ROUTES)
def test_no_token_is_forbidden(jupyter, method, route):
    r = jupyter.api(method, route, token=False, json={})
    assert r.status_code == 403
    # A wrong token is no better than none.
    r = jupyter.api(method, route, token=False, json={}, headers={"Authorization": "token " + "0" * 48})
    assert r.status_code == 403


def login_session(jupyter):
    """A browser-like session: the token once in the URL, then the login cookie only."""
    s = requests.Session()
    r = s.get(jupyter.url + "tree?token=" + jupyter.token, timeout=30)
    assert r.status_code == 200
    assert "_xsrf" in s.cookies
    return s


@pytest.mark.parametrize("method,route", [r for r in ROUTES if r[0] != "GET"])
def test_every_change_needs_xsrf_with_a_login_cookie(jupyter, method, route):
    s = login_session(jupyter)
    r = s.request(method, jupyter.url + "rsconnect_jupyter/" + route, json={}, timeout=30)
    assert r.status_code == 403
    r = s.request(
        method,
        jupyter.url + "rsconnect_jupyter/" + route,
        json={},
        timeout=30,
        headers={"X-XSRFToken": "not-the-cookie-value"},
    )
    assert r.status_code == 403


def test_the_log_says_in_one_line_that_secrets_stay_in_servers_json_without_a_keyring(jupyter):
    # No keyring in the tests' servers (tests/conftest.py); tests/extension/test_extension_keyring.py
    # has the line of a server that has one.
    line = "no usable system keyring here: saved servers' keys and tokens are kept in servers.json (mode 0600)"
    deadline = time.time() + 60  # the server asks in a thread of its own, after it started
    while line not in jupyter.log() and time.time() < deadline:
        time.sleep(0.2)
    assert jupyter.log().count(line) == 1, jupyter.log()[-2000:]
    assert "go to the system keyring" not in jupyter.log()


def test_login_cookie_without_xsrf_is_forbidden(jupyter):
    s = login_session(jupyter)
    url = jupyter.url + "rsconnect_jupyter/servers/add"
    assert s.post(url, json={"url": "http://127.0.0.1:9/", "api_key": "k"}, timeout=30).status_code == 403
    # The same session with the XSRF header passes auth and reaches validation.
    r = s.post(url, json={}, headers={"X-XSRFToken": s.cookies["_xsrf"]}, timeout=30)
    assert r.status_code == 400
    assert "url" in r.json()["message"]
    # GETs need the login cookie only.
    assert s.get(jupyter.url + "rsconnect_jupyter/servers", timeout=30).status_code == 200


@pytest.fixture
def notebook(jupyter):
    return write_notebook(jupyter.root, "handlers/report.ipynb", extra={"data.csv": "a,b\n1,2\n"})


SNAPSHOT = {
    "python": "3.11.7",
    "package_manager": {"name": "pip", "version": "23.2.1"},
    "locale": "en_US.UTF-8",
    "requirements": "",
    "source": "generated",
}

BAD_REQUESTS = [
    ("servers/add", {"api_key": "k"}, "'url' is missing"),
    ("servers/add", {"url": "ftp://x", "api_key": "k"}, "must start with http"),
    ("servers/add", {"url": "http://x/", "api_key": 42}, "'api_key' must be a string"),
    ("servers/add", {"url": "http://x/", "api_key": "k", "tls": "maybe"}, "'tls' must be one of"),
    ("servers/remove", {}, "'server' is missing"),
    ("servers/remove", {"server": "never-saved"}, "No saved server"),
    ("content/search", {"server": "x"}, "'title' is missing"),
    ("publish", {"server": "x", "notebook_path": "handlers/report.ipynb", "mode": "pdf"}, "'mode' must be one of"),
    ("publish", {"server": "x", "notebook_path": "../outside.ipynb", "mode": "static"}, "outside the Jupyter root"),
    ("publish", {"server": "x", "notebook_path": "/etc/passwd", "mode": "static"}, "relative"),
    ("publish", {"server": "x", "notebook_path": "handlers/missing.ipynb", "mode": "static"}, "does not exist"),
    (
        "publish",
        {
            "server": "x",
            "notebook_path": "handlers/report.ipynb",
            "mode": "static",
            "extra_files": ["../other/secret.txt"],
        },
        "outside the notebook's folder",
    ),
    (
        "publish",
        {"server": "x", "notebook_path": "handlers/report.ipynb", "mode": "static", "extra_files": ["../secret.txt"]},
        "Extra file ../secret.txt is outside the notebook's folder",
    ),
    (
        "publish",
        {"server": "x", "notebook_path": "handlers/report.ipynb", "mode": "static", "extra_files": ["/etc/passwd"]},
        "Extra file /etc/passwd must be relative to the notebook's folder",
    ),
    (
        "publish",
        {
            "server": "x",
            "notebook_path": "handlers/report.ipynb",
            "mode": "static",
            "extra_files": ["data.csv", "sub/../../secret.txt"],
        },
        "outside the notebook's folder",
    ),
    (
        "manifest",
        {"notebook_path": "handlers/report.ipynb", "snapshot": SNAPSHOT, "extra_files": ["../secret.txt"]},
        "outside the notebook's folder",
    ),
    (
        "manifest",
        {"notebook_path": "handlers/report.ipynb", "snapshot": SNAPSHOT, "extra_files": ["/etc/passwd"]},
        "must be relative to the notebook's folder",
    ),
    (
        "publish",
        {"server": "x", "notebook_path": "handlers/report.ipynb", "mode": "static", "extra_files": "data.csv"},
        "must be a list",
    ),
    (
        "publish",
        {
            "server": "x",
            "notebook_path": "handlers/report.ipynb",
            "mode": "jupyter-static",
            "environment": {"BAD NAME": "1"},
        },
        '"BAD NAME" is not an environment variable name: use letters, digits and _, not starting with a digit.',
    ),
    (
        "publish",
        {"server": "x", "notebook_path": "handlers/report.ipynb", "mode": "static", "new": "yes"},
        "'new' must be true or false",
    ),
    (
        "publish",
        {"server": "never-saved", "notebook_path": "handlers/report.ipynb", "mode": "static"},
        "No saved server",
    ),
    ("manifest", {"notebook_path": "handlers/report.ipynb"}, "'snapshot' is missing"),
    # What a kernel prints that is not a snapshot (nothing at all, or stray text).
    ("manifest", {"notebook_path": "handlers/report.ipynb", "snapshot": ""}, "printed no result"),
    (
        "publish",
        {"server": "x", "notebook_path": "handlers/report.ipynb", "mode": "jupyter-static", "snapshot": "hello\n"},
        "Python environment",
    ),
]


@pytest.mark.parametrize("route,body,message", BAD_REQUESTS)
def test_wrong_field_is_400_with_a_sentence(jupyter, notebook, no_saved_servers, route, body, message):
    (jupyter.root / "other").mkdir(exist_ok=True)
    (jupyter.root / "other" / "secret.txt").write_text("x")
    (jupyter.root / "secret.txt").write_text("x")  # beside the notebook's folder, not in it
    folder = sorted(p.name for p in (jupyter.root / "handlers").iterdir())
    r = jupyter.api("POST", route, json=body)
    assert r.status_code == 400, r.text
    assert message in r.json()["message"]
    assert r.json()["message"].endswith(".") and "Traceback" not in r.text
    assert sorted(p.name for p in (jupyter.root / "handlers").iterdir()) == folder  # no manifest written


def test_body_that_is_not_json_is_400(jupyter):
    r = jupyter.api("POST", "servers/add", data="{not json", headers={"Content-Type": "application/json"})
    assert r.status_code == 400
    assert r.json()["message"] == "The request body is not valid JSON."


def test_query_paths_are_checked(jupyter, notebook):
    assert jupyter.api("GET", "files?path=../../etc/passwd").status_code == 400
    r = jupyter.api("GET", "files", params={"path": notebook})
    assert r.json() == {"files": ["data.csv"], "has_requirements": False, "packages_file": None}
    r = jupyter.api("GET", "environment", params={"path": notebook})
    compile(r.json()["code"], "<kernel>", "exec")  # Python the kernel can run
    assert jupyter.api("GET", "jobs/" + "f" * 32).status_code == 404


def wait_job(jupyter, job_id):
    lines, cursor = [], 0
    deadline = time.time() + 300
    while time.time() < deadline:
        state = jupyter.api("GET", "jobs/%s?cursor=%d" % (job_id, cursor)).json()
        lines += state["lines"]
        assert state["cursor"] == len(lines)
        cursor = state["cursor"]
        if state["finished"]:
            return state, lines
        time.sleep(0.3)
    raise AssertionError("the publish job did not finish")


def start_publish(call, notebook, mode, title, **fields):
    """POST publish of new content to the saved server "local" (with `call`, jupyter.api or a wrapper
    of it); returns the job's id."""
    body = {"server": "local", "notebook_path": notebook, "mode": mode, "title": title, "new": True, **fields}
    r = call("POST", "publish", json=body)
    assert r.status_code == 202, r.text
    return r.json()["job_id"]


def save_local_server(jupyter, local_server):
    """The session's local server saved as "local", with the administrator's key."""
    r = jupyter.api(
        "POST", "servers/add", json={"url": local_server.url, "name": "local", "api_key": local_server.api_key}
    )
    assert r.status_code == 200, r.text


def test_publish_over_http_never_returns_the_key(jupyter, local_server, notebook, no_saved_servers):
    key = local_server.api_key
    title = "Handler report " + jupyter.kind  # one local server serves both kinds of Jupyter
    responses = []

    def call(method, route, **kw):
        r = jupyter.api(method, route, **kw)
        responses.append(r.text)
        return r

    r = call("POST", "servers/add", json={"url": local_server.url, "name": "local", "api_key": key})
    assert r.status_code == 200, r.text
    assert r.json()["server"] == {
        "name": "local",
        "url": local_server.url,
        "insecure": False,
        "ca_cert": None,
        "has_api_key": True,
        "signs_in_with": "API key",
    }
    assert call("GET", "servers").json()["servers"][0]["has_api_key"] is True
    assert call("POST", "servers/verify", json={"server": "local"}).json()["user"]["user_role"] == "administrator"
    assert call("POST", "content/search", json={"server": "local", "title": "no such title here"}).json() == {
        "content": []
    }
    job_id = start_publish(call, notebook, "static", title, extra_files=["data.csv"])
    state, lines = wait_job(jupyter, job_id)
    responses.append(repr(state) + repr(lines))
    assert state["error"] is None, lines
    result = state["result"]
    assert result["app_mode"] == "static" and result["title"] == title
    assert re.fullmatch(r"[0-9a-f-]{36}", result["content_guid"])
    page = local_server.get(result["content_url"], timeout=30)
    assert page.status_code == 200 and "Quarterly report" in page.text
    found = call("POST", "content/search", json={"server": "local", "title": title}).json()["content"]
    assert [c["guid"] for c in found] == [result["content_guid"]]
    for text in responses:
        assert key not in text


def test_publish_job_reports_the_bundles_progress(jupyter, local_server, no_saved_servers):
    # 16 MB that do not compress, sent through a proxy that reads 4 MB a second: the upload takes
    # seconds however fast the machine, so the polls below see it on its way.
    notebook = write_notebook(jupyter.root, "progress/big.ipynb")
    (jupyter.root / "progress" / "data.bin").write_bytes(os.urandom(16 * 1000 * 1000))
    proxy = FaultProxy(local_server.url)
    try:
        proxy.add("slow", r"/bundles$", method="POST", rate=4 * 1000 * 1000)
        r = jupyter.api(
            "POST", "servers/add", json={"url": proxy.url, "name": "local", "api_key": local_server.api_key}
        )
        assert r.status_code == 200, r.text
        job_id = start_publish(jupyter.api, notebook, "static", "Progress " + jupyter.kind, extra_files=["data.bin"])
        seen = []
        deadline = time.time() + 300
        while time.time() < deadline:
            state = jupyter.api("GET", "jobs/%s" % job_id).json()
            if state["finished"]:
                break
            if state["progress"] is not None:
                seen.append(state["progress"])  # while the job runs
            time.sleep(0.05)  # a poll interval, not a wait for something
        # One upload, read slowly and then handed on (the proxy notes both steps).
        assert [s.action for s in proxy.requests("POST", r"/bundles$")] == ["slow", "forward"]
    finally:
        proxy.close()
    assert state["finished"] and state["error"] is None, state
    final = state["progress"]
    assert set(final) == {"phase", "done", "total"}  # numbers only: nothing that could carry a secret
    assert final["phase"] == "upload" and final["total"] > 16 * 1000 * 1000 and final["done"] == final["total"]
    # Counts on the way, not only the last one (which stays while the server deploys).
    on_the_way = [earlier for earlier in seen if earlier["phase"] == "upload" and 0 < earlier["done"] < final["total"]]
    assert len({earlier["done"] for earlier in on_the_way}) >= 2, "no progress was reported on the way: %r" % seen
    for earlier in seen:
        assert earlier["phase"] in ("build", "upload") and 0 <= earlier["done"] <= earlier["total"]
    assert local_server.api_key not in repr(seen)


def test_symlinks_out_of_the_root_are_refused(jupyter, notebook, tmp_path, no_saved_servers):
    outside = tmp_path / "outside"
    write_notebook(outside, "stolen.ipynb")
    (outside / "secret.txt").write_text("not yours")
    link = jupyter.root / "handlers" / "escape"
    if not link.exists():
        link.symlink_to(outside, target_is_directory=True)
    r = jupyter.api(
        "POST", "publish", json={"server": "x", "notebook_path": "handlers/escape/stolen.ipynb", "mode": "static"}
    )
    assert r.status_code == 400 and "outside the Jupyter root" in r.json()["message"]
    r = jupyter.api(
        "POST",
        "publish",
        json={"server": "x", "notebook_path": notebook, "mode": "static", "extra_files": ["escape/secret.txt"]},
    )
    assert r.status_code == 400 and "outside the notebook's folder" in r.json()["message"]

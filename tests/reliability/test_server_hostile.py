"""Hostile requests to the local server's API (bundles have their own file,
tests/localserver/test_bundles_malicious.py): each gets a 4xx with Connect's code and one sentence,
never a 500 or a traceback, and nothing changes on disk outside the content's folder."""

import http.client
import os
from urllib.parse import urlparse

import pytest

from tests.reliability.server_helpers import Client, changes, snapshot, static_bundle


@pytest.fixture(scope="module")
def world(tmp_path_factory, local_servers):
    root = tmp_path_factory.mktemp("hostile")
    server = local_servers.start(root / "data")
    owner = Client(server)
    item = owner.create("target", "The target")
    task, lines = owner.publish(item["guid"], static_bundle("<p>still here</p>"))
    assert task["code"] == 0, lines
    yield root, server, owner, owner("GET", "v1/content/" + item["guid"]).json()
    local_servers.stop(server)


DEEP = "[" * 100000 + "]" * 100000
BIG = "9" * 40

# (name, method, path with {guid}, request arguments, HTTP status, Connect code)
REQUESTS = [
    ("JSON nested 100000 deep", "PATCH", "v1/content/{guid}", {"data": DEEP}, 400, 121),
    # past the documented 64 but within what Python parses: refused as a body (121), not read as a title (3)
    ("JSON nested 65 deep", "PATCH", "v1/content/{guid}", {"data": '{"title": %s}' % ("[" * 65 + "]" * 65)}, 400, 121),
    ("body that is not UTF-8", "POST", "v1/content", {"data": b"\xff\xfe{"}, 400, 121),
    ("JSON that is not an object", "PATCH", "v1/content/{guid}", {"json": ["title"]}, 400, 121),
    ("unknown content field", "PATCH", "v1/content/{guid}", {"json": {"owner_guid_x": 1}}, 400, 121),
    ("name with a NUL", "POST", "v1/content", {"json": {"name": "nul\x00name"}}, 400, 5),
    ("name with a slash", "POST", "v1/content", {"json": {"name": "../../etc"}}, 400, 5),
    ("name with a trailing newline", "POST", "v1/content", {"json": {"name": "newline\n"}}, 400, 5),
    ("title of 2000 characters", "PATCH", "v1/content/{guid}", {"json": {"title": "x" * 2000}}, 400, 3),
    ("description that is a list", "PATCH", "v1/content/{guid}", {"json": {"description": ["x"]}}, 400, 3),
    ("access_type that is a list", "PATCH", "v1/content/{guid}", {"json": {"access_type": ["acl"]}}, 400, 3),
    ("application id past SQLite's integers", "GET", "applications/" + BIG, {}, 404, 4),
    (
        "principal that is a list",
        "POST",
        "v1/content/{guid}/permissions",
        {"json": {"principal_guid": ["x"], "principal_type": "user", "role": "owner"}},
        404,
        4,
    ),
    (
        "principal that is an object",
        "POST",
        "v1/content/{guid}/permissions",
        {"json": {"principal_guid": {"a": 1}, "principal_type": "user", "role": "viewer"}},
        404,
        4,
    ),
    (
        "permission role that is not one",
        "POST",
        "v1/content/{guid}/permissions",
        {"json": {"principal_guid": "x", "role": "administrator"}},
        400,
        3,
    ),
    ("removing a permission that does not exist", "DELETE", "v1/content/{guid}/permissions/" + BIG, {}, 404, 4),
    ("bundle_id that is an object", "POST", "v1/content/{guid}/deploy", {"json": {"bundle_id": {"x": 1}}}, 400, 3),
    ("bundle_id that is true", "POST", "v1/content/{guid}/deploy", {"json": {"bundle_id": True}}, 400, 3),
    ("bundle_id past SQLite's integers", "POST", "v1/content/{guid}/deploy", {"json": {"bundle_id": BIG}}, 404, 4),
    ("bundle past SQLite's integers", "GET", "v1/content/{guid}/bundles/" + BIG, {}, 404, 4),
    ("deleting a bundle past SQLite's integers", "DELETE", "v1/content/{guid}/bundles/" + BIG, {}, 404, 4),
    ("downloading a bundle that does not exist", "GET", "v1/content/{guid}/bundles/" + BIG + "/download", {}, 404, 4),
    ("deleting the live bundle", "DELETE", "v1/content/{guid}/bundles/{bundle_id}", {}, 400, 3),
    ("environment that is an object", "PUT", "v1/content/{guid}/environment", {"json": {"A": "1"}}, 400, 121),
    (
        "environment name with a space",
        "PATCH",
        "v1/content/{guid}/environment",
        {"json": [{"name": "A B", "value": "1"}]},
        400,
        3,
    ),
    (
        "environment name with a NUL",
        "PATCH",
        "v1/content/{guid}/environment",
        {"json": [{"name": "A\x00B", "value": "1"}]},
        400,
        3,
    ),
    (
        "environment name with a trailing newline",
        "PATCH",
        "v1/content/{guid}/environment",
        {"json": [{"name": "A\n", "value": "1"}]},
        400,
        3,
    ),
    (
        "environment value with a NUL",
        "PATCH",
        "v1/content/{guid}/environment",
        {"json": [{"name": "A", "value": "x\x00y"}]},
        400,
        3,
    ),
    (
        "environment value that is a number",
        "PATCH",
        "v1/content/{guid}/environment",
        {"json": [{"name": "A", "value": 1}]},
        400,
        3,
    ),
    ("task that does not exist", "GET", "v1/tasks/" + "x" * 5000, {}, 404, 4),
    ("task poll with a wait that is not a number", "GET", "v1/tasks/{task_id}?wait=soon", {}, 400, 3),
    ("endpoint that does not exist", "GET", "v1/%2e%2e/%2e%2e/admin-api-key", {}, 404, 4),
    ("content GUID that is a path", "GET", "v1/content/..%2F..%2F..%2Fadmin-api-key", {}, 404, 4),
]


@pytest.mark.parametrize("name,method,path,kwargs,status,code", REQUESTS, ids=[r[0] for r in REQUESTS])
def test_hostile_request_is_refused_with_a_sentence(world, name, method, path, kwargs, status, code):
    root, server, owner, item = world
    before = snapshot(root)
    task_id = (
        owner("POST", "v1/content/%s/deploy" % item["guid"], json={}).json()["task_id"] if "{task_id}" in path else None
    )
    if task_id:
        owner.wait(task_id)
        before = snapshot(root)
    r = owner(method, path.format(guid=item["guid"], bundle_id=item["bundle_id"], task_id=task_id), **kwargs)
    assert (r.status_code, r.json()["code"]) == (status, code), r.text
    assert r.json()["error"].endswith(".") and "Traceback" not in r.text
    assert "Traceback" not in server.log() and " 500 " not in server.log()
    # Nothing on disk changed but the server's own log and database.
    assert [
        p for p in changes(before, snapshot(root)) if not p.startswith(("data/server.log", "data/connect.db"))
    ] == []
    # The content is still there and still serves its page.
    after = owner("GET", "v1/content/" + item["guid"]).json()
    assert after["bundle_id"] == item["bundle_id"] and after["title"] == "The target"
    assert owner("GET", "v1/content/%s/environment" % item["guid"]).json() == []


TRAVERSALS = [
    "../../../../../../../../admin-api-key",
    "..%2F..%2F..%2F..%2F..%2F..%2F..%2F..%2Fadmin-api-key",
    "%2e%2e/%2e%2e/%2e%2e/%2e%2e/%2e%2e/%2e%2e/%2e%2e/%2e%2e/admin-api-key",
    "..%5C..%5C..%5C..%5C..%5C..%5Cadmin-api-key",
    "%2F{data}%2Fadmin-api-key",
    "/{data}/admin-api-key",
    "index.html%00.txt",
    "../../../../../../../../{sentinel}",
]


@pytest.mark.parametrize("path", TRAVERSALS)
def test_content_paths_cannot_leave_the_bundle(world, path):
    """Sent as raw bytes (no client-side normalisation of dots) to /content/GUID/, with the owner's
    key (who may see the content: the path itself is what is refused)."""
    root, server, owner, item = world
    sentinel = root / "sentinel.txt"
    sentinel.write_text("a file beside the server's folder")
    target = "/content/%s/%s" % (
        item["guid"],
        path.format(data=str(server.data_dir).lstrip("/"), sentinel="sentinel.txt"),
    )
    url = urlparse(server.url)
    conn = http.client.HTTPConnection(url.hostname, url.port, timeout=30)
    conn.request("GET", target, headers={"Authorization": "Key " + owner.key})
    r = conn.getresponse()
    body = r.read().decode("utf-8", "replace")
    conn.close()
    assert r.status in (400, 404), (r.status, body)
    assert server.api_key not in body and "beside the server's folder" not in body
    assert "Traceback" not in server.log()


def raw_answer(server, method, path, headers):
    """Send only a request's head announcing a 50 MB body, and read what the server answers
    before any of the body is sent: (status, body), or (None, why) if it closed at once."""
    url = urlparse(server.url)
    conn = http.client.HTTPConnection(url.hostname, url.port, timeout=30)
    conn.putrequest(method, "/__api__/" + path)
    for name, value in dict(headers, **{"Content-Length": str(50 * 1024 * 1024)}).items():
        conn.putheader(name, value)
    conn.endheaders()
    try:
        response = conn.getresponse()
        return response.status, response.read()
    except (ConnectionError, http.client.RemoteDisconnected) as e:
        return None, repr(e)
    finally:
        conn.close()


def test_large_bodies_are_refused_before_they_are_read(world):
    """API bodies (JSON, read whole before the key is checked) stop at 1 MB; a bundle upload may be
    large only once its caller may change the content: both answers come before any body byte."""
    root, server, owner, item = world
    before = snapshot(root)
    count = len(owner("GET", "v1/content").json())
    status, body = raw_answer(server, "POST", "v1/content", {"Content-Type": "application/json"})
    assert status in (None, 400, 413), (status, body)
    status, body = raw_answer(server, "POST", "v1/content/%s/bundles" % item["guid"], {})
    assert status == 401, (status, body)
    status, body = raw_answer(
        server, "POST", "v1/content/%s/bundles" % item["guid"], {"Authorization": "Key not-a-key-at-all"}
    )
    assert status == 401, (status, body)
    assert len(owner("GET", "v1/content").json()) == count
    assert [
        p for p in changes(before, snapshot(root)) if not p.startswith(("data/server.log", "data/connect.db"))
    ] == []
    # The content's publisher still uploads a bundle far past 1 MB, and it goes live.
    big = static_bundle("<p>big</p>", more={"data.bin": os.urandom(3 * 1024 * 1024)})
    task, lines = owner.publish(item["guid"], big)
    assert task["code"] == 0, lines
    live = owner("GET", "v1/content/" + item["guid"]).json()["bundle_id"]
    assert owner("GET", "v1/content/%s/bundles/%s" % (item["guid"], live)).json()["size"] == len(big)

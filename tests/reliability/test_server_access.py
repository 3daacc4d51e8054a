"""Who may call what on the local server, route by route, generated from its route table.

Every (route, method) of `localconnect.app.routes()` must be in ACCESS below, so a new route or
method without a decision here fails `test_every_route_has_an_access_rule`. Each is then called
with no key, with wrong keys, and as users without rights to the content; refused requests must
change nothing.
"""

import hashlib
import os
import re
import sqlite3
import stat
import subprocess
import sys

import pytest
import requests
import tornado.web

from rsconnect_jupyter.localconnect import app as server_app
from tests.reliability.server_helpers import Client, changes, snapshot, static_bundle

API = "/__api__/"
GUID = r"(?P<guid>[0-9a-fA-F-]{36})"
C = API + "v1/content/" + GUID

# Kinds: "public" (no key; the reason is the value's second item), "user" (any valid key),
# "publisher" (publishers and administrators), "content-read" (anyone the content is shared
# with), "content-change" (owner, collaborators, administrators), "task" (like content-read, but
# an outsider gets 404 so task ids reveal nothing), "signed-in" (pages for people: a session from
# the sign-in page, never an API key; the pages check who may see and change each item),
# "content-page" (the published content: its access type decides, here `acl`: those it is shared
# with, by API key or session; signed out, a GET goes to the sign-in page, anything else is a 401),
# "content-preview" (a bundle's preview: like content-page, but for the owner, collaborators and
# administrators only).
ACCESS = {
    "/": {"GET": ("public", "redirects to the dashboard page; no data")},
    "/__login__": {
        "GET": ("public", "the sign-in form; it shows nothing of the server's content"),
        "POST": ("public", "signs in with a user name and password; wrong ones get 403 and change nothing"),
    },
    "/__logout__": {"POST": "signed-in"},
    "/__assets__/(?P<kind>requirejs|mathjax|widgets)/(?P<asset>.*)": {
        "GET": ("public", "require.js, MathJax and the widget script for rendered notebooks: public files, as on a CDN")
    },
    "/connect/?": {"GET": "signed-in"},
    "/connect/clients": {"GET": "signed-in"},
    r"/connect/clients/(?P<grant_id>\d+)/sign-out": {"POST": "signed-in"},
    r"/\.well-known/oauth-authorization-server": {"GET": ("public", "OAuth discovery (RFC 8414): endpoint URLs only")},
    "/__oauth__/register": {
        "POST": ("public", "OAuth client registration (RFC 7591), open as on Connect; gives no rights")
    },
    "/__oauth__/authorize": {"GET": "signed-in", "POST": "signed-in"},
    "/__oauth__/token": {"POST": ("public", "OAuth token endpoint: needs a code, refresh or device code")},
    "/__oauth__/device_authorization": {"POST": ("public", "starts a device sign-in a person must approve")},
    "/__oauth__/device": {"GET": "signed-in", "POST": "signed-in"},
    "/__oauth__/revoke": {"POST": ("public", "OAuth revocation (RFC 7009): ends the grant of a token it is sent")},
    "/connect/apps/" + GUID + "/?": {"GET": "signed-in"},
    "/connect/apps/" + GUID + r"/tasks/(?P<task_id>[A-Za-z0-9_-]{1,64})": {"GET": "signed-in"},
    "/connect/apps/" + GUID + r"/bundles/(?P<bundle_id>\d+)/(?P<action>activate|delete)": {"POST": "signed-in"},
    API + "server_settings": {"GET": ("public", "clients read it before they have a key, as on Connect")},
    API + "v1/server_settings/python": {"GET": "user"},
    API + "v1/server_settings/quarto": {"GET": "user"},
    API + "(?:v1/user|me)": {"GET": "user"},
    API + "v1/users": {"GET": "user"},
    API + "v1/users/(?P<guid>[^/]+)": {"GET": "user"},
    API + "v1/content": {"GET": "user", "POST": "publisher"},
    C: {"GET": "content-read", "PATCH": "content-change", "DELETE": "content-change"},
    C + "/bundles": {"GET": "content-read", "POST": "content-change"},
    C + r"/bundles/(?P<bundle_id>\d+)": {"GET": "content-read", "DELETE": "content-change"},
    C + r"/bundles/(?P<bundle_id>\d+)/download": {"GET": "content-change"},
    C + "/deploy": {"POST": "content-change"},
    C + "/build": {"POST": "content-change"},
    C + "/lockfile": {"GET": "content-change"},
    C + "/environment": {"GET": "content-change", "PATCH": "content-change", "PUT": "content-change"},
    C + "/permissions": {"GET": "content-read", "POST": "content-change"},
    C + r"/permissions/(?P<permission_id>\d+)": {
        "GET": "content-read",
        "PUT": "content-change",
        "DELETE": "content-change",
    },
    C + "/vanity": {"GET": "content-read", "PUT": "content-change", "DELETE": "content-change"},
    C + "/repository": {
        "GET": "content-read",
        "PUT": "content-change",
        "PATCH": "content-change",
        "DELETE": "content-change",
    },
    C + "/repository/bundle": {"POST": "content-change"},
    API + "v1/vanities": {"GET": "administrator"},
    C + "/tags": {"GET": "content-read", "POST": "content-change"},
    C + r"/tags/(?P<tag_id>\d+)": {"DELETE": "content-change"},
    API + "v1/tags": {"GET": "user", "POST": "administrator"},
    API + r"v1/tags/(?P<tag_id>\d+)": {"GET": "user", "PATCH": "administrator", "DELETE": "administrator"},
    API + r"v1/tags/(?P<tag_id>\d+)/content": {"GET": "user"},
    C + "/jobs": {"GET": "content-change"},
    C + "/jobs/(?P<key>[^/]+)": {"GET": "content-change", "DELETE": "content-change"},
    C + "/jobs/(?P<key>[^/]+)/log": {"GET": "content-change"},
    API + "v1/tasks/(?P<task_id>[^/]+)": {"GET": "task"},
    API + "applications/(?P<app_id>[^/]+)": {"GET": "content-read"},
    API + "applications/" + GUID + "/variants": {"GET": "content-read"},
    API + r"variants/(?P<variant_id>\d+)": {"GET": "content-read", "POST": "content-change"},
    API + r"variants/(?P<variant_id>\d+)/render": {"POST": "content-change"},
    API + r"variants/(?P<variant_id>\d+)/renderings": {"GET": "content-read"},
    API + r"variants/(?P<variant_id>\d+)/sender": {"POST": "content-change"},
    API + r"variants/(?P<variant_id>\d+)/schedules": {"GET": "content-read"},
    API + "schedules": {"GET": "user", "POST": "content-change"},
    API + r"schedules/(?P<schedule_id>\d+)": {
        "GET": "content-read",
        "POST": "content-change",
        "DELETE": "content-change",
    },
    API + "v1/groups": {"GET": "user"},
    C + "/packages": {"GET": "content-read"},
    API + "v1/packages": {"GET": "user"},
    API + "v1/instrumentation/content/visits": {"GET": "publisher"},
    API + "v1/instrumentation/content/hits": {"GET": "publisher"},
    API + "v1/instrumentation/shiny/usage": {"GET": "publisher"},
    API + "v1/system/caches/runtime": {"GET": "administrator", "DELETE": "administrator"},
    API + "v1/oauth/integrations": {"GET": "user", "POST": "administrator"},
    API + "v1/oauth/sessions": {"GET": "user"},
    C + "/oauth/integrations/associations": {"GET": "content-read", "PUT": "content-change"},
    API + "v1/environments": {"GET": "user", "POST": "administrator"},
    API + ".*": {
        m: ("public", "answers 404 'No such API endpoint' to everyone; no data")
        for m in ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")
    },
    "/content/" + GUID: {"GET": ("public", "redirects to /content/GUID/")},
    "/content/" + GUID + r"/_bundle(?P<bundle_id>\d+)/(?P<path>.*)": {"GET": "content-preview"},
    "/content/" + GUID + r"/_rendering(?P<rendering_id>\d+)/?": {"GET": "content-page"},
    "/content/" + GUID + "/(?P<path>.*)": {
        m: "content-page" for m in ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")
    },
    "/(?P<vpath>.+)": {m: "content-page" for m in ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")},
}

METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")


def handler_methods(handler):
    """The HTTP methods a handler class answers (those it overrides)."""
    if handler is server_app.handlers.ApiNotFoundHandler:
        return list(METHODS)  # it answers every method from prepare()
    return [m for m in METHODS if getattr(handler, m.lower()) is not getattr(tornado.web.RequestHandler, m.lower())]


ROUTES = [(pattern, method) for pattern, handler in server_app.routes() for method in handler_methods(handler)]


def kind_of(pattern, method):
    rule = ACCESS[pattern][method]
    return rule[0] if isinstance(rule, tuple) else rule


def by_kind(*kinds):
    return [pytest.param(p, m, id="%s %s" % (m, p)) for p, m in ROUTES if kind_of(p, m) in kinds]


def test_every_route_has_an_access_rule():
    table = {(p, m) for p, m in ROUTES}
    missing = sorted(table - {(p, m) for p, rules in ACCESS.items() for m in rules})
    assert not missing, "routes with no access rule in %s: %s" % (__file__, missing)
    stale = sorted({(p, m) for p, rules in ACCESS.items() for m in rules} - table)
    assert not stale, "access rules for routes that no longer exist: %s" % stale
    for rules in ACCESS.values():
        for rule in rules.values():
            assert rule in (
                "user",
                "publisher",
                "administrator",
                "content-read",
                "content-change",
                "task",
                "signed-in",
                "content-page",
                "content-preview",
            ) or (rule[0] == "public" and len(rule[1]) > 20), rule  # a public route says why


# -- one server with an owner, an outsider publisher, a viewer, and a viewer the content is shared with
@pytest.fixture(scope="module")
def world(tmp_path_factory, local_servers):
    server = local_servers.start(tmp_path_factory.mktemp("access") / "data")
    admin = Client(server)
    owner = Client(server, server.add_user("ada", "publisher"))
    outsider = Client(server, server.add_user("olga", "publisher"))
    viewer = Client(server, server.add_user("vic", "viewer"))
    shared = Client(server, server.add_user("sam", "viewer"))
    item = owner.create("guarded", "Guarded content")
    task, lines = owner.publish(item["guid"], static_bundle("<p>the owner's page</p>"))
    assert task["code"] == 0, lines
    spare = owner.upload(item["guid"], static_bundle("<p>an inactive bundle</p>"))
    users = {u["username"]: u["guid"] for u in admin("GET", "v1/users").json()["results"]}
    r = owner(
        "POST",
        "v1/content/%s/permissions" % item["guid"],
        json={"principal_guid": users["sam"], "principal_type": "user", "role": "viewer"},
    )
    assert r.status_code == 200, r.text
    owner("PATCH", "v1/content/%s/environment" % item["guid"], json=[{"name": "KEPT", "value": "v"}])
    tag = admin("POST", "v1/tags", json={"name": "guarded-tag"}).json()
    assert owner("POST", "v1/content/%s/tags" % item["guid"], json={"tag_id": tag["id"]}).status_code == 200
    assert owner("PUT", "v1/content/%s/vanity" % item["guid"], json={"path": "/guarded/"}).status_code == 200
    item = owner("GET", "v1/content/" + item["guid"]).json()
    # A schedule the API would refuse on a static item (only notebooks with source run), written
    # straight into the database so that its routes have one to guard; it is never due.
    with sqlite3.connect(server.data_dir / "connect.db") as db:
        schedule_id = db.execute(
            "INSERT INTO schedules (content_guid, type, schedule, start_time, timezone, next_run, created_time)"
            " VALUES (?, 'year', '{\"N\": 1}', '2999-01-01T00:00:00Z', 'UTC', '2999-01-01T00:00:00Z',"
            " '2026-01-01T00:00:00Z')",
            (item["guid"],),
        ).lastrowid
        # A repository, so that its routes have one to guard (never fetched: nothing is polled).
        db.execute(
            "INSERT INTO repositories (content_guid, repository, branch, directory, created_time)"
            " VALUES (?, 'file:///guarded.git', 'main', '.', '2026-01-01T00:00:00Z')",
            (item["guid"],),
        )
        # A kept run of it, likewise (its page is guarded as the content's own).
        rendering_id = db.execute(
            "INSERT INTO renderings (content_guid, bundle_id, task_id, trigger, started_time, end_time, status,"
            " exit_code, output) VALUES (?, ?, ?, 'request', '2026-01-01T00:00:00Z', '2026-01-01T00:00:01Z',"
            " 'success', 0, 'renderings/1/index.html')",
            (item["guid"], item["bundle_id"], task["id"]),
        ).lastrowid
    run = server.data_dir / "content" / item["guid"] / "renderings" / "1"
    run.mkdir(parents=True)
    (run / "index.html").write_text("<p>the owner's page</p>")
    values = {
        "guid": item["guid"],
        "bundle_id": spare["id"],
        "permission_id": str(r.json()["id"]),
        "task_id": task["id"],
        "action": "delete",
        "key": owner("GET", "v1/content/%s/jobs" % item["guid"]).json()[0]["key"],
        "app_id": str(item["id"]),
        "variant_id": str(item["id"]),
        "schedule_id": str(schedule_id),
        "rendering_id": str(rendering_id),
        "path": "index.html",
        "user_guid": users["ada"],
        "tag_id": tag["id"],
        "vpath": "guarded/index.html",
        "grant_id": "1",
        "kind": "requirejs",
        "asset": "require.js",
    }
    world = dict(
        server=server,
        admin=admin,
        owner=owner,
        outsider=outsider,
        viewer=viewer,
        shared=shared,
        item=item,
        values=values,
        users=users,
    )
    yield world
    local_servers.stop(server)


def example_path(pattern, values):
    """A concrete path this pattern matches (and no earlier route does)."""
    path = pattern.replace("(?:v1/user|me)", "v1/user").replace("/?", "/")
    if "v1/users/" in pattern:
        values = dict(values, guid=values["user_guid"])  # there the GUID is a user's
    path = re.sub(r"\(\?P<(\w+)>[^)]*\)", lambda m: values[m.group(1)], path)
    path = path.replace(".*", "v1/no-such-endpoint").replace("\\.", ".")
    assert re.fullmatch(pattern, path), (pattern, path)
    first = next(p for p, _ in server_app.routes() if re.fullmatch(p, path))
    assert first == pattern, (path, "is served by", first)
    return path


def body_for(pattern, method, world):
    """A request body that would succeed if the caller had the right."""
    if method in ("GET", "HEAD", "DELETE", "OPTIONS"):
        return {}
    if pattern.endswith("/bundles"):
        return {"data": static_bundle("<p>hijacked</p>")}
    if pattern.endswith("/environment"):
        return {"json": [{"name": "HIJACKED", "value": "1"}]}
    if pattern.endswith("/deploy"):
        return {"json": {"bundle_id": world["values"]["bundle_id"]}}
    if pattern.endswith(("/repository", "/repository/bundle")):
        return {"json": {"repository": "file:///hijacked.git"}}
    if pattern.endswith("/vanity"):
        return {"json": {"path": "/hijacked/"}}
    if pattern.endswith("/tags"):
        return {"json": {"tag_id": world["values"]["tag_id"]} if "v1/content/" in pattern else {"name": "hijacked"}}
    if "v1/tags/" in pattern:
        return {"json": {"name": "hijacked"}}
    if "/permissions" in pattern:
        return {"json": {"principal_guid": world["users"]["olga"], "principal_type": "user", "role": "owner"}}
    if pattern == API + "schedules":
        return {"json": {"variant_id": world["item"]["id"], "type": "day", "schedule": '{"N": 1}'}}
    if pattern == API + "v1/content":
        return {"json": {"name": "made-by-a-viewer"}}
    return {"json": {"title": "Hijacked title"}}


def call(world, pattern, method, authorization=None):
    url = world["server"].url.rstrip("/") + example_path(pattern, world["values"])
    headers = {"Authorization": authorization} if authorization is not None else {}
    return requests.request(
        method, url, headers=headers, timeout=60, allow_redirects=False, **body_for(pattern, method, world)
    )


def key_of(client):
    return "Key " + client.key


def state(world):
    """What a refused request must not change: the content as its owner sees it, and every file."""
    owner, guid = world["owner"], world["item"]["guid"]
    server = world["server"]
    with sqlite3.connect("file:%s?mode=ro" % (server.data_dir / "connect.db"), uri=True) as db:
        rows = {
            t: db.execute("SELECT COUNT(*) FROM %s" % t).fetchone()[0]
            for t in (
                "users",
                "api_keys",
                "content",
                "permissions",
                "bundles",
                "tasks",
                "environment",
                "vanities",
                "tags",
                "content_tags",
                "repositories",
            )
        }
    files = {p: v for p, v in snapshot(server.data_dir).items() if not p.startswith(("server.log", "connect.db"))}
    return {
        "content": owner("GET", "v1/content/" + guid).json(),
        "bundles": owner("GET", "v1/content/%s/bundles" % guid).json(),
        "environment": owner("GET", "v1/content/%s/environment" % guid).json(),
        "permissions": owner("GET", "v1/content/%s/permissions" % guid).json(),
        "page": owner.get(world["item"]["content_url"]).text,
        "rows": rows,
        "files": files,
    }


def assert_unchanged(before, after):
    for key in before:
        if key == "files":
            assert changes(before["files"], after["files"]) == []
        else:
            assert before[key] == after[key], key


# -- the tests ---------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "pattern,method", by_kind("user", "publisher", "administrator", "content-read", "content-change", "task")
)
def test_missing_key_is_refused(world, pattern, method):
    before = state(world)
    r = call(world, pattern, method)
    assert r.status_code == 401, r.text
    assert r.json()["code"] == 24 and "API key" in r.json()["error"]
    assert_unchanged(before, state(world))


WRONG_KEYS = {
    "unknown key": lambda w: "Key not-a-key-of-this-server",
    "a real key with one more letter": lambda w: key_of(w["owner"]) + "x",
    "a real key without its scheme": lambda w: w["owner"].key,
    "a real key with another scheme": lambda w: "Bearer " + w["owner"].key,
    "scheme alone": lambda w: "Key ",
}


@pytest.mark.parametrize("wrong", sorted(WRONG_KEYS))
@pytest.mark.parametrize(
    "pattern,method", by_kind("user", "publisher", "administrator", "content-read", "content-change", "task")
)
def test_wrong_key_is_refused(world, pattern, method, wrong):
    before = state(world)
    r = call(world, pattern, method, WRONG_KEYS[wrong](world))
    assert r.status_code == 401, r.text
    assert r.json()["code"] == 30 and r.json()["error"].endswith(".")
    assert world["owner"].key not in r.text
    assert_unchanged(before, state(world))


@pytest.mark.parametrize("who", ["outsider", "viewer"])
@pytest.mark.parametrize("pattern,method", by_kind("content-read", "content-change", "task"))
def test_user_without_rights_to_the_content_is_refused(world, pattern, method, who):
    """Another publisher, or a viewer the content is not shared with: 403 (tasks: 404)."""
    before = state(world)
    r = call(world, pattern, method, key_of(world[who]))
    if kind_of(pattern, method) == "task":
        assert r.status_code == 404 and r.json()["code"] == 4, r.text
    else:
        assert r.status_code == 403 and r.json()["code"] == 19, r.text
    assert r.json()["error"].endswith(".")
    assert_unchanged(before, state(world))


@pytest.mark.parametrize("pattern,method", by_kind("content-change"))
def test_a_viewer_of_the_content_cannot_change_it(world, pattern, method):
    before = state(world)
    r = call(world, pattern, method, key_of(world["shared"]))
    assert r.status_code == 403 and r.json()["code"] == 19, r.text
    assert_unchanged(before, state(world))


@pytest.mark.parametrize("pattern,method", by_kind("content-read", "task"))
def test_a_viewer_of_the_content_may_read_it(world, pattern, method):
    """The other side of the refusals above: the same paths work for someone with the right."""
    r = call(world, pattern, method, key_of(world["shared"]))
    assert r.status_code == 200, r.text


@pytest.mark.parametrize("pattern,method", [p for p in by_kind("content-change") if p.values[1] == "GET"])
def test_the_owner_may_read_what_only_editors_see(world, pattern, method):
    r = call(world, pattern, method, key_of(world["owner"]))
    if pattern.endswith("/lockfile"):  # the world's item is static: let through, and told it has no environment
        assert r.status_code == 404 and "static content has no Python environment" in r.json()["error"], r.text
    else:
        assert r.status_code == 200, r.text


@pytest.mark.parametrize("pattern,method", by_kind("user"))
def test_any_user_may_call_user_routes(world, pattern, method):
    r = call(world, pattern, method, key_of(world["viewer"]))
    assert r.status_code == 200, r.text


@pytest.mark.parametrize("pattern,method", by_kind("publisher"))
def test_a_viewer_cannot_publish(world, pattern, method):
    before = state(world)
    r = call(world, pattern, method, key_of(world["viewer"]))
    assert r.status_code == 403 and r.json()["code"] == 19, r.text
    assert "viewer" in r.json()["error"]
    assert_unchanged(before, state(world))


@pytest.mark.parametrize("who", ["owner", "viewer"])
@pytest.mark.parametrize("pattern,method", by_kind("administrator"))
def test_only_an_administrator_may(world, pattern, method, who):
    before = state(world)
    r = call(world, pattern, method, key_of(world[who]))
    assert r.status_code == 403 and r.json()["code"] == 19, r.text
    assert "administrator" in r.json()["error"]
    assert_unchanged(before, state(world))


def test_content_lists_only_what_the_user_may_see(world):
    guid = world["item"]["guid"]
    assert guid not in [c["guid"] for c in world["outsider"]("GET", "v1/content").json()]
    assert guid not in [c["guid"] for c in world["viewer"]("GET", "v1/content").json()]
    assert guid in [c["guid"] for c in world["shared"]("GET", "v1/content").json()]


@pytest.mark.parametrize("who", ["nobody", "an API key"])
@pytest.mark.parametrize("pattern,method", by_kind("signed-in"))
def test_pages_need_a_session_and_never_take_an_api_key(world, pattern, method, who):
    """Without a session a page's GET goes to the sign-in page and a POST is refused; an API key
    signs no one in to them. Nothing changes."""
    before = state(world)
    r = call(world, pattern, method, None if who == "nobody" else key_of(world["owner"]))
    if method == "GET":
        assert r.status_code == 302 and r.headers["Location"].startswith("/__login__?next="), r.text
    else:
        assert r.status_code == 403, r.text
    assert_unchanged(before, state(world))


CONTENT_PAGES = by_kind("content-page", "content-preview")
PAGE_TEXT = "the owner's page"


def assert_sent_to_sign_in_or_401(r, method):
    """Signed out: a GET goes to the sign-in page and comes back after it (to the content's URL, or
    its vanity path, served in place); anything else is a 401."""
    if method == "GET":
        assert r.status_code == 302 and r.headers["Location"].startswith(
            ("/__login__?next=%2Fcontent%2F", "/__login__?next=%2Fguarded%2F")
        ), r.text
    else:
        assert r.status_code == 401, r.text
    assert PAGE_TEXT not in r.text


@pytest.mark.parametrize("pattern,method", CONTENT_PAGES)
def test_content_pages_need_a_key_or_a_session(world, pattern, method):
    before = state(world)
    assert_sent_to_sign_in_or_401(call(world, pattern, method), method)
    assert_unchanged(before, state(world))


@pytest.mark.parametrize("wrong", sorted(WRONG_KEYS))
@pytest.mark.parametrize("pattern,method", CONTENT_PAGES)
def test_content_pages_refuse_wrong_keys(world, pattern, method, wrong):
    """A wrong `Key` is a 401 (never a fall back to a session); another scheme, or the scheme alone
    (HTTP drops its trailing space), signs no one in."""
    before = state(world)
    header = WRONG_KEYS[wrong](world)
    r = call(world, pattern, method, header)
    if header.strip().lower().startswith("key "):
        assert r.status_code == 401 and PAGE_TEXT not in r.text, r.text
    else:
        assert_sent_to_sign_in_or_401(r, method)
    assert world["owner"].key not in r.text
    assert_unchanged(before, state(world))


@pytest.mark.parametrize("who", ["outsider", "viewer"])
@pytest.mark.parametrize("pattern,method", CONTENT_PAGES)
def test_content_pages_refuse_users_it_is_not_shared_with(world, pattern, method, who):
    before = state(world)
    r = call(world, pattern, method, key_of(world[who]))
    assert r.status_code == 403 and PAGE_TEXT not in r.text, r.text
    assert_unchanged(before, state(world))


@pytest.mark.parametrize("pattern,method", CONTENT_PAGES)
def test_content_pages_answer_those_it_is_shared_with(world, pattern, method):
    """The viewer on the list sees the content (static content answers GET and HEAD only) but not a
    preview, which is for those who may deploy: the owner (the spare bundle was never built)."""
    r = call(world, pattern, method, key_of(world["shared"]))
    if kind_of(pattern, method) == "content-preview":
        assert r.status_code == 403 and PAGE_TEXT not in r.text, r.text
        r = call(world, pattern, method, key_of(world["owner"]))
        assert r.status_code == 404 and "has not been built" in r.text, r.text
    elif method == "GET":
        assert r.status_code == 200 and r.text == "<p>%s</p>" % PAGE_TEXT, r.text
    else:
        assert r.status_code == (200 if method == "HEAD" else 405), r.text


@pytest.mark.parametrize("pattern,method", by_kind("public"))
def test_public_routes_answer_without_a_key_and_show_no_private_data(world, pattern, method):
    r = call(world, pattern, method)
    if pattern == API + ".*":
        assert r.status_code == 404 and (method == "HEAD" or r.json()["code"] == 4)
    elif pattern == "/__login__" and method == "POST":  # no form token, no user name and password: refused
        assert r.status_code == 403 and "sign-in form has expired" in r.text, r.text
    elif pattern.startswith("/__oauth__/"):  # no client, code or token: an OAuth error
        assert r.status_code == 400 and r.json()["error"] in ("invalid_request", "invalid_client_metadata"), r.text
    else:
        assert r.status_code in (200, 301, 302), r.text
    for secret in ("KEPT", "api_key", world["owner"].key, world["server"].api_key):
        assert secret not in r.text


def test_keys_are_stored_only_as_hashes(world):
    """After every request above (wrong keys included), no file of the server holds a key: not the
    database (nor its WAL), not the log. The one exception is the administrator's key file, 0600."""
    server = world["server"]
    keys = {name: world[name].key for name in ("owner", "outsider", "viewer", "shared")}
    keys["admin"] = server.api_key
    files = [os.path.join(d, n) for d, _, names in os.walk(server.data_dir) for n in names]
    assert any(f.endswith("connect.db") for f in files) and any(f.endswith("server.log") for f in files)
    key_file = str(server.data_dir / "admin-api-key")
    for path in files:
        with open(path, "rb") as f:
            data = f.read()
        for name, key in keys.items():
            if path == key_file and name == "admin":
                continue
            assert key.encode() not in data, "%s's key is in %s" % (name, path)
    assert stat.S_IMODE(os.stat(key_file).st_mode) == 0o600
    # What the database holds instead: the sha256 of each key.
    with sqlite3.connect("file:%s?mode=ro" % (server.data_dir / "connect.db"), uri=True) as db:
        stored = {row[0] for row in db.execute("SELECT key_hash FROM api_keys")}
    assert stored == {hashlib.sha256(k.encode()).hexdigest() for k in keys.values()}


def test_the_database_and_a_new_data_folder_are_private(world, tmp_path):
    """The database keeps environment variable values (content needs them at each start): only the
    server's user may read it, its WAL too; a data folder the server creates is 0700."""
    data_dir = world["server"].data_dir
    for name in ("connect.db", "connect.db-wal", "connect.db-shm"):
        path = data_dir / name
        assert path.exists(), name
        assert stat.S_IMODE(os.stat(path).st_mode) == 0o600, name
    fresh = tmp_path / "new-data"
    subprocess.run(
        [sys.executable, "-m", "rsconnect_jupyter", "local-server", "add-user", "newbie", "--data-dir", str(fresh)],
        check=True,
        capture_output=True,
    )
    assert stat.S_IMODE(os.stat(fresh).st_mode) == 0o700
    assert stat.S_IMODE(os.stat(fresh / "connect.db").st_mode) == 0o600

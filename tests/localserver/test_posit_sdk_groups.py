"""posit-sdk 0.17 (pinned in tests/core/posit_sdk.py) walks every group of its Client against the
session's local server in one process, and each group's answer is checked against what the server
holds: the packages installed in a deployed notebook's environment, the visits made here with
requests, the runtime caches in the data folder, the content, bundles, tasks and the rest.

`content.get_lockfile()` is left out: posit-sdk asks for Connect 2025.12.0 or later before it calls
the lockfile endpoint, and this server says 2025.10.0 (the endpoint itself is judged by
rsconnect-python in tests/localserver/test_public_client_content.py).
A runtime cache really deleted, and one refused because content runs in it, are checked on a server
of their own (the session's environments are other tests' too).
"""

from __future__ import annotations

import asyncio
import json
import subprocess
import time
from datetime import datetime, timedelta, timezone

import pytest
import tornado.httpclient
import tornado.websocket

from tests.core import posit_sdk
from tests.localserver.localserver_helpers import Client, app_bundle, notebook_bundle, run_coroutine, static_bundle

REQUIREMENTS = "ipykernel>=6.0.0\n"  # test_notebook.py's too: the session may have built it already
NOTEBOOK = notebook_bundle("print('walked by posit-sdk')", requirements=REQUIREMENTS)

# Every group of posit-sdk 0.17's Client, walked once; each reports {"ok": ...} or {"error": ...}.
WALK = r"""
import io, time, warnings
from posit.connect.errors import ClientError
warnings.simplefilter("ignore", (DeprecationWarning, FutureWarning))
NOTEBOOK, VIEWER, SINCE, BUNDLE = %(notebook)r, %(viewer)r, %(since)r, %(bundle)r
out, made = {}, {}

def walk(name):
    def run(fn):
        try:
            out[name] = {"ok": fn()}
        except ClientError as e:
            out[name] = {"error": e.error_message, "code": e.error_code, "status": e.http_status}
        except Exception as e:
            out[name] = {"error": "%%s: %%s" %% (type(e).__name__, e)}
    return run

@walk("me")
def _(): return client.me["username"]
@walk("version")
def _(): return client.version
@walk("users")
def _(): return {"count": client.users.count(), "names": sorted(u["username"] for u in client.users.find()),
                 "viewer": client.users.get(VIEWER)["username"]}
@walk("groups")
def _(): return {"found": client.groups.find(), "count": client.groups.count()}
@walk("content.create")
def _():
    made["c"] = client.content.create(name="sdk-walk", title="Walked by posit-sdk"); return made["c"]["guid"]
@walk("bundles+deploy+tasks")
def _():
    bundle = made["c"].bundles.create(BUNDLE)
    task = bundle.deploy(); task.wait_for()
    again = client.tasks.get(task["id"])
    found = made["c"].bundles.find()
    buf = io.BytesIO(); found[0].download(buf)
    return {"bundle": bundle["id"], "finished": again["finished"], "code": again["code"],
            "bundles": [b["id"] for b in found], "downloaded": len(buf.getvalue())}
@walk("content.find")
def _(): return {"all": sorted(c["guid"] for c in client.content.find()), "count": client.content.count(),
                 "by_name": client.content.find_by(name="sdk-walk")["guid"],
                 "one": client.content.find_one() is not None, "get": client.content.get(NOTEBOOK)["app_mode"]}
@walk("content.update")
def _(): made["c"].update(description="changed by the SDK"); return client.content.get(made["c"]["guid"])["description"]
@walk("content.owner+modes")
def _(): return {"owner": made["c"].owner["username"], "rendered": client.content.get(NOTEBOOK).is_rendered,
                 "interactive": made["c"].is_interactive}
@walk("content.environment_variables")
def _():
    ev = made["c"].environment_variables
    ev.create("A", "1"); ev.update({"B": "2"}); both = sorted(ev.find()); ev.delete("A")
    return {"both": both, "after": ev.find()}
@walk("content.permissions")
def _():
    perms = made["c"].permissions
    p = perms.create(principal_guid=VIEWER, principal_type="user", role="viewer")
    found = [(x["principal_guid"], x["role"]) for x in perms.find()]
    p.destroy()
    return {"found": found, "after": perms.count()}
@walk("tags")
def _():
    tag = client.tags.create(name="sdk-walk-tag")
    made["c"].tags.add(tag)
    on = [t["name"] for t in made["c"].tags.find()]
    tagged = [c["guid"] for c in tag.content_items.find()]
    tag.destroy()
    # only its own tag: other tests tag content on the session's server meanwhile
    return {"on": on, "tagged": tagged, "left": [t["name"] for t in client.tags.find() if t["name"] == "sdk-walk-tag"]}
@walk("vanities")
def _():
    made["c"].vanity = "/sdk-walk/"
    # only its own: earlier tests on the session's server leave vanity paths of their own
    found = [(v["content_guid"], v["path"]) for v in client.vanities.all() if v["content_guid"] == made["c"]["guid"]]
    mine = made["c"].vanity
    made["c"].reset_vanity()
    return {"found": found, "mine": mine}
@walk("content.jobs")
def _(): return [j["key"] for j in made["c"].jobs]
@walk("content.repository")
def _(): return made["c"].repository
@walk("content.schedule")
def _():
    schedule = client.content.get(NOTEBOOK).schedule
    made_s = schedule.create(type="day", n=1, start_time="2030-01-01T08:00:00Z", timezone="UTC")
    found = schedule.find_one()["id"]
    schedule.delete()
    return {"made": made_s["id"], "found": found, "after": schedule.find_one() is None}
@walk("content.render")
def _():
    task = client.content.get(NOTEBOOK).render(); task.wait_for(); return {"code": task["code"], "task": task["id"]}
@walk("content.restart")  # an app's restart: test_schedules_sdk.py; a notebook is rendered, not restarted
def _(): return client.content.get(NOTEBOOK).restart()
@walk("content.packages")
def _():
    item = client.content.get(NOTEBOOK)
    return {"all": [(p["name"], p["version"], p["language"], p["language_version"]) for p in item.packages],
            "ipykernel": dict(item.packages.find_by(name="ipykernel") or {})}
# content.get_lockfile: left out (posit-sdk needs Connect >= 2025.12.0; the lockfile is branch content's work)
@walk("packages")
def _():
    mine = [dict(p) for p in client.packages.fetch(name="ipykernel") if p["app_guid"] == NOTEBOOK]
    by = client.packages.find_by(name="ipykernel", app_guid=NOTEBOOK)
    return {"mine": mine, "find_by": dict(by) if by else None, "total": len(list(client.packages))}
@walk("content.oauth.associations")
def _():
    assoc = client.content.get(NOTEBOOK).oauth.associations
    found = assoc.find(); assoc.delete()
    return {"found": found, "after": assoc.find()}
@walk("oauth.integrations")
def _(): return client.oauth.integrations.find()
@walk("oauth.integrations.create")
def _(): return client.oauth.integrations.create(template="custom", config={})
@walk("oauth.sessions")
def _(): return client.oauth.sessions.find()
@walk("environments")
def _(): return list(client.environments.fetch())
@walk("environments.create")
def _(): return client.environments.create(title="An image", name="ghcr.io/x/y:1", cluster_name="Kubernetes")
@walk("system.caches.runtime")
def _(): return [dict(c) for c in client.system.caches.runtime.find()]
@walk("system.caches.runtime.destroy_dry_run")
def _():
    version = client.content.get(NOTEBOOK)["py_version"]
    return client.system.caches.runtime.destroy(language="Python", version=version, image_name="Local", dry_run=True)
@walk("system.caches.runtime.destroy_unknown")
def _():
    return client.system.caches.runtime.destroy(language="Python", version="0.0.1", image_name="Local", dry_run=True)
@walk("metrics.usage")
def _(): return [dict(e) for e in client.metrics.usage.find(content_guid=NOTEBOOK, start=SINCE)]
@walk("metrics.hits")
def _(): return [dict(h) for h in client.metrics.hits.fetch(content_guid=NOTEBOOK, start=SINCE)]
@walk("content.delete")
def _(): made["c"].delete(); return [c["guid"] for c in client.content.find()].count(made["c"]["guid"])
print(json.dumps(out))
"""


def env_pythons(local_server, content):
    """The Pythons of every environment the server built with the notebook's Python (its own is among them)."""
    return [
        p / "bin" / "python" for p in environments(local_server) if p.name.startswith("py%s-" % content["py_version"])
    ]


def environments(local_server):
    """The environment folders in the server's data folder (not their lock files)."""
    return sorted(
        p for p in (local_server.data_dir / "environments").iterdir() if p.is_dir() and p.name.startswith("py")
    )


def installed(python):
    """What importlib.metadata sees in an environment, run with its own Python (the judge of the server's list)."""
    code = (
        "import json, importlib.metadata as m; "
        "print(json.dumps(sorted({(d.metadata['Name'], d.version) for d in m.distributions()})))"
    )
    out = subprocess.run([str(python), "-I", "-c", code], capture_output=True, text=True, check=True, timeout=60).stdout
    return {tuple(p) for p in json.loads(out)}


@pytest.fixture(scope="module")
def walked(local_server, tmp_path_factory):
    admin = Client(local_server)
    viewer_key = local_server.add_user("sdk-walk-viewer", "viewer")
    viewer = Client(local_server, viewer_key)("GET", "v1/user").json()
    notebook = admin.create("sdk-walk-report", "A report posit-sdk walks")
    task, lines = admin.publish(notebook["guid"], NOTEBOOK)
    assert task["code"] == 0, lines
    notebook = admin("GET", "v1/content/" + notebook["guid"]).json()
    since = (datetime.now(timezone.utc) - timedelta(seconds=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    # Visits made here with requests: the page and a page with a query; a script the page loads is no visit.
    url = notebook["content_url"]
    assert admin.get(url).status_code == 200
    assert admin.get(url + "?view=again", headers={"User-Agent": "sdk-walk-judge"}).status_code == 200
    admin.get(url + "report.ipynb", headers={"Sec-Fetch-Dest": "script"})
    bundle = tmp_path_factory.mktemp("sdk-walk") / "static.tar.gz"
    bundle.write_bytes(static_bundle("<h1>walked</h1>"))
    before = {"environments": [p.name for p in environments(local_server)]}
    script = WALK % {"notebook": notebook["guid"], "viewer": viewer["guid"], "since": since, "bundle": str(bundle)}
    out = posit_sdk.run(local_server.url, local_server.api_key, script)
    return {"out": out, "notebook": notebook, "viewer": viewer, "since": since, "before": before, "admin": admin}


def ok(walked, group):
    answer = walked["out"][group]
    assert "ok" in answer, (group, answer)
    return answer["ok"]


def refused(walked, group):
    answer = walked["out"][group]
    assert "error" in answer, (group, answer)
    return answer


def test_every_group_was_walked(walked):
    groups = set(walked["out"])
    assert groups == {
        "me", "version", "users", "groups", "content.create", "bundles+deploy+tasks", "content.find",
        "content.update", "content.owner+modes", "content.environment_variables", "content.permissions",
        "tags", "vanities", "content.jobs", "content.repository", "content.schedule", "content.render",
        "content.restart", "content.packages", "packages", "content.oauth.associations", "oauth.integrations",
        "oauth.integrations.create", "oauth.sessions", "environments", "environments.create",
        "system.caches.runtime", "system.caches.runtime.destroy_dry_run", "system.caches.runtime.destroy_unknown",
        "metrics.usage", "metrics.hits", "content.delete",
    }  # fmt: skip


def test_users_content_bundles_and_settings_are_what_the_server_holds(local_server, walked):
    admin, notebook = walked["admin"], walked["notebook"]
    assert ok(walked, "me") == "admin"
    assert ok(walked, "version") == admin("GET", "server_settings").json()["version"]
    # All of them in one page (Connect's largest): the session's server has more users than a default page.
    users = admin("GET", "v1/users", params={"page_size": 500}).json()["results"]
    assert ok(walked, "users") == {
        "count": len(users),
        "names": sorted(u["username"] for u in users),
        "viewer": "sdk-walk-viewer",
    }
    assert ok(walked, "groups") == {"found": [], "count": 0}
    guid = ok(walked, "content.create")
    walk = ok(walked, "bundles+deploy+tasks")
    assert walk["finished"] is True and walk["code"] == 0 and walk["bundles"] == [walk["bundle"]]
    assert walk["downloaded"] == len(static_bundle("<h1>walked</h1>"))
    found = ok(walked, "content.find")
    assert guid in found["all"] and notebook["guid"] in found["all"] and found["by_name"] == guid
    assert found["get"] == "jupyter-static" and found["one"] is True
    assert ok(walked, "content.update") == "changed by the SDK"
    assert ok(walked, "content.owner+modes") == {"owner": "admin", "rendered": True, "interactive": False}
    assert ok(walked, "content.environment_variables") == {"both": ["A", "B"], "after": ["B"]}
    assert ok(walked, "content.permissions") == {"found": [[walked["viewer"]["guid"], "viewer"]], "after": 0}
    assert ok(walked, "tags") == {"on": ["sdk-walk-tag"], "tagged": [guid], "left": []}
    assert ok(walked, "vanities") == {"found": [[guid, "/sdk-walk/"]], "mine": "/sdk-walk/"}
    assert len(ok(walked, "content.jobs")) == 1  # the one deploy
    assert ok(walked, "content.repository") is None  # deployed from a bundle, not from git
    schedule = ok(walked, "content.schedule")
    assert schedule["made"] == schedule["found"] and schedule["after"] is True
    render = ok(walked, "content.render")
    assert render["code"] == 0
    runs = admin("GET", "variants/%s/renderings" % notebook["id"]).json()
    assert [(r["task_id"], r["status"]) for r in runs if r["task_id"] == render["task"]] == [
        (render["task"], "success")
    ]
    assert "Restart not supported" in refused(walked, "content.restart")["error"]  # said by the SDK itself
    assert ok(walked, "content.delete") == 0
    assert admin("GET", "v1/content/" + guid).status_code == 404


def test_packages_are_those_installed_in_the_notebooks_environment(local_server, walked):
    notebook = walked["notebook"]
    content = ok(walked, "content.packages")
    listed = {(name, version) for name, version, language, language_version in content["all"]}
    assert {(language, lv) for _, _, language, lv in content["all"]} == {("python", notebook["py_version"])}
    environments = [installed(python) for python in env_pythons(local_server, notebook)]
    assert listed in environments  # exactly what one environment of the server holds, checked by its own Python
    ipykernel = content["ipykernel"]
    assert ipykernel["name"] == "ipykernel" and (ipykernel["name"], ipykernel["version"]) in listed
    server = ok(walked, "packages")
    assert server["mine"] == [
        {
            "language": "python",
            "language_version": notebook["py_version"],
            "name": "ipykernel",
            "version": ipykernel["version"],
            "hash": None,
            "bundle_id": notebook["bundle_id"],
            "app_id": notebook["id"],
            "app_guid": notebook["guid"],
            "content_id": notebook["id"],
            "content_guid": notebook["guid"],
        }
    ]
    assert server["find_by"] == server["mine"][0]
    assert server["total"] >= len(listed)  # every live content's packages, the notebook's among them


def test_usage_holds_the_visits_made_with_requests(walked):
    notebook, viewer_guid = walked["notebook"], walked["viewer"]["guid"]
    usage = ok(walked, "metrics.usage")
    admin_guid = walked["admin"]("GET", "v1/user").json()["guid"]
    pages = [(e["path"], e["user_guid"], e["bundle_id"], e["variant_key"]) for e in usage]
    key = walked["admin"]("GET", "applications/%s/variants" % notebook["guid"]).json()[0]["key"]
    # The two pages asked for here (the script was no visit); the SDK's render and schedule are API calls.
    assert pages == [("/", admin_guid, notebook["bundle_id"], key)] * 2
    assert all(
        e["started"] == e["ended"] and e["data_version"] == 3 and e["content_guid"] == notebook["guid"] for e in usage
    )
    assert all(e["started"] >= walked["since"] for e in usage) and viewer_guid not in {e["user_guid"] for e in usage}
    hits = ok(walked, "metrics.hits")
    assert [(h["data"]["path"], h["data"]["query"], h["user_guid"]) for h in hits] == [
        ("/", None, admin_guid),
        ("/", "view=again", admin_guid),
    ]
    assert hits[1]["data"]["user_agent"] == "sdk-walk-judge"
    assert [h["timestamp"] for h in hits] == [e["started"] for e in usage]


def test_visits_page_with_cursors_as_connect(walked):
    admin, guid = walked["admin"], walked["notebook"]["guid"]
    first = admin("GET", "v1/instrumentation/content/visits", params={"content_guid": guid, "limit": 1}).json()
    assert len(first["results"]) == 1 and first["paging"]["cursors"]["next"]
    second = admin(
        "GET",
        "v1/instrumentation/content/visits",
        params={"content_guid": guid, "limit": 1, "next": first["paging"]["cursors"]["next"]},
    ).json()
    assert len(second["results"]) == 1 and second["results"][0]["time"] > first["results"][0]["time"]
    assert second["paging"]["next"] is None and second["paging"]["cursors"]["next"] is None  # the last page
    back = admin(
        "GET",
        "v1/instrumentation/content/visits",
        params={"content_guid": guid, "limit": 1, "previous": second["paging"]["cursors"]["previous"]},
    ).json()
    assert back["results"] == first["results"]
    late = admin(
        "GET", "v1/instrumentation/content/visits", params={"content_guid": guid, "from": "2999-01-01T00:00:00Z"}
    ).json()
    assert late["results"] == []
    bad = admin("GET", "v1/instrumentation/content/visits", params={"from": "yesterday"})
    assert bad.status_code == 400 and "RFC 3339" in bad.json()["error"]


def test_runtime_caches_are_the_environments_built(local_server, walked):
    versions = sorted({p.split("-", 1)[0][2:] for p in walked["before"]["environments"]})
    listed = ok(walked, "system.caches.runtime")
    assert sorted(c["version"] for c in listed) == versions
    assert all(c["language"] == "Python" and c["image_name"] == "Local" for c in listed)
    answer = walked["out"]["system.caches.runtime.destroy_dry_run"]
    if "ok" in answer:  # an environment of the notebook's Python no content runs in: it would go
        assert answer["ok"] is None  # a dry run: no task
    else:  # every one of them is in use: refused, the notebook named
        assert answer["status"] == 409 and walked["notebook"]["guid"] in answer["error"]
    assert [p.name for p in environments(local_server)] == walked["before"]["environments"]  # nothing removed
    unknown = refused(walked, "system.caches.runtime.destroy_unknown")
    assert unknown["status"] == 404 and "Python 0.0.1 (Local)" in unknown["error"]


def test_oauth_and_execution_environments_are_absent_as_on_a_connect_without_them(walked):
    assert ok(walked, "content.oauth.associations") == {"found": [], "after": []}
    assert ok(walked, "oauth.integrations") == [] and ok(walked, "oauth.sessions") == []
    assert ok(walked, "environments") == []
    integration = refused(walked, "oauth.integrations.create")
    assert integration["status"] == 404 and integration["error"].startswith(
        "The local server has no OAuth integrations"
    )
    image = refused(walked, "environments.create")
    assert image["status"] == 404 and image["error"].startswith("The local server has no execution environments")


DESTROY = r"""
from posit.connect.errors import ClientError
caches = client.system.caches.runtime
out = {"before": [dict(c) for c in caches.find()]}
def destroy(**kwargs):
    try:
        task = caches.find()[0].destroy(**kwargs)
    except ClientError as e:
        return {"status": e.http_status, "code": e.error_code, "error": e.error_message}
    if task is None:
        return None
    task.wait_for()
    return {"code": task["code"], "output": task["output"]}
out["in_use"] = destroy(dry_run=True)
out["in_use_for_real"] = destroy(dry_run=False)
client.content.get(%(guid)r).delete()  # its environment is now used by nothing
out["dry_run"] = destroy(dry_run=True)
out["after_dry_run"] = [dict(c) for c in caches.find()]
out["deleted"] = destroy(dry_run=False)
out["after"] = [dict(c) for c in caches.find()]
print(json.dumps(out))
"""


def test_a_runtime_cache_in_use_is_refused_and_an_unused_one_deleted(tmp_path, local_servers):
    """On a server of its own: its one environment is in use (refused, dry run or not), then unused
    once its content is deleted (a dry run keeps it, a deletion removes it and the cache)."""
    server = local_servers.start(tmp_path / "data")
    try:
        admin = Client(server)
        item = admin.create("cache-user", "Runs in the cache")
        task, lines = admin.publish(item["guid"], NOTEBOOK)
        assert task["code"] == 0, lines
        built = environments(server)
        assert len(built) == 1
        version = admin("GET", "v1/content/" + item["guid"]).json()["py_version"]
        out = posit_sdk.run(server.url, server.api_key, DESTROY % {"guid": item["guid"]})
        assert out["before"] == [{"language": "Python", "version": version, "image_name": "Local"}]
        for refused_answer in (out["in_use"], out["in_use_for_real"]):
            assert refused_answer["status"] == 409 and refused_answer["code"] == 41
            assert item["guid"] in refused_answer["error"] and "in use" in refused_answer["error"]
        assert out["dry_run"] is None and out["after_dry_run"] == out["before"]
        assert out["deleted"]["code"] == 0
        assert (
            out["deleted"]["output"][0] == "Deleting runtime cache..."
            and "Removed the environment %s." % built[0].name in out["deleted"]["output"]
        )
        assert out["after"] == [] and environments(server) == []
        # The next deploy of the same requirements builds the environment again, and runs.
        again = admin.create("cache-user-again", "Builds it again")
        task, lines = admin.publish(again["guid"], NOTEBOOK)
        assert task["code"] == 0, lines[-15:]
        assert any(line.startswith("Building a new Python environment") for line in lines), lines
    finally:
        local_servers.stop(server)


@pytest.mark.slow  # a Shiny app's environment (pinned: from uv's cache when test_apps_shiny_voila.py built it)
def test_shiny_usage_holds_each_session_of_a_shiny_app(local_server):
    admin = Client(local_server)
    item = admin.create("sdk-walk-shiny", "Shiny sessions counted")
    task, lines = admin.publish(item["guid"], app_bundle("shiny", "python-shiny", "app:app"))
    assert task["code"] == 0, lines
    since = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    ws_url = item["content_url"].replace("http://", "ws://") + "websocket/"

    async def session():
        request = tornado.httpclient.HTTPRequest(ws_url, headers=admin.auth, connect_timeout=20, request_timeout=30)
        conn = await tornado.websocket.websocket_connect(request)
        await conn.write_message(json.dumps({"method": "init", "data": {"n": 2}}))
        first = await asyncio.wait_for(conn.read_message(), 30)
        conn.close()
        return first

    assert run_coroutine(session()) is not None  # the app answered: a session it ran
    params = {"content_guid": item["guid"]}
    for _ in range(100):  # the server sees the close a moment after the client sends it
        usage = admin("GET", "v1/instrumentation/shiny/usage", params=params).json()
        if usage["results"] and usage["results"][0]["ended"]:
            break
        time.sleep(0.1)
    admin_guid = admin("GET", "v1/user").json()["guid"]
    ((one,),) = [usage["results"]]
    assert one["content_guid"] == item["guid"] and one["user_guid"] == admin_guid and one["data_version"] == 1
    assert since <= one["started"] <= one["ended"]
    assert usage["paging"]["cursors"] == {"previous": None, "next": None}
    viewer = Client(local_server, local_server.add_user("sdk-walk-shiny-viewer", "viewer"))
    refused = viewer("GET", "v1/instrumentation/shiny/usage")
    assert refused.status_code == 403 and "viewer" in refused.json()["error"]
    assert admin("DELETE", "v1/content/" + item["guid"]).status_code == 204

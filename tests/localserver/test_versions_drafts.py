"""Source versions and drafts on the local server, as on Connect 2025.06+: a deploy with
`"activate": false` builds a bundle without making it live (its preview at /content/{guid}/_bundle{id}/),
a later deploy of that bundle makes it live, an older bundle deployed again is live again (rollback),
and a bundle that is not live can be deleted. Judged over real HTTP, by rsconnect-python 1.32's
`deploy --draft` and posit-sdk.
"""

from __future__ import annotations

import pytest
import requests

from tests.core import posit_sdk
from tests.core import rsconnect_python as pinned
from tests.localserver.localserver_helpers import APPS, Client, app_bundle, notebook_bundle, static_bundle

pytestmark = pytest.mark.slow


def page(reader, guid, suffix=""):
    """A content page (or a bundle's preview) read with `reader`'s key: the owner's sees its drafts."""
    return reader.get("%scontent/%s/%s" % (reader.server.url, guid, suffix), timeout=60)


def deploy(client, guid, bundle_id, **extra):
    r = client("POST", "v1/content/%s/deploy" % guid, json={"bundle_id": bundle_id, **extra})
    assert r.status_code == 202, r.text
    task, lines = client.wait(r.json()["task_id"])
    assert task["code"] == 0, lines
    return lines


@pytest.fixture(scope="module")
def owner(local_server):
    return Client(local_server, local_server.add_user("drafter", "publisher"))


def test_server_reports_a_version_with_drafts(local_server):
    version = requests.get(local_server.url + "__api__/server_settings", timeout=60).json()["version"]
    assert tuple(int(p) for p in version.split(".")) >= (2025, 6, 0)


def test_a_draft_builds_without_going_live_then_activates_and_rolls_back(local_server, owner):
    guid = owner.create("drafts-static")["guid"]
    first = owner.upload(guid, static_bundle("<p>version one</p>"))
    deploy(owner, guid, first["id"])
    second = owner.upload(guid, static_bundle("<p>version two</p>"))
    lines = deploy(owner, guid, second["id"], activate=False)
    assert any("not activated" in line for line in lines), lines

    # the draft is built: its preview serves it; the public URL still serves the live one
    assert "version one" in page(owner, guid).text
    preview = page(owner, guid, "_bundle%s/" % second["id"])
    assert preview.status_code == 200 and "version two" in preview.text
    assert "version one" in page(owner, guid, "_bundle%s/index.html" % first["id"]).text
    item = owner("GET", "v1/content/" + guid).json()
    assert item["bundle_id"] == first["id"]
    listed = {b["id"]: b["active"] for b in owner("GET", "v1/content/%s/bundles" % guid).json()}
    assert listed == {first["id"]: True, second["id"]: False}

    # the live bundle cannot be deleted; a draft that is not live can (and is gone from the list)
    r = owner("DELETE", "v1/content/%s/bundles/%s" % (guid, first["id"]))
    assert r.status_code == 400 and r.json()["code"] == 3 and "is live and cannot be removed" in r.json()["error"]

    # activating the draft (a deploy of it, activate defaults to true) makes it live
    deploy(owner, guid, second["id"])
    assert "version two" in page(owner, guid).text
    assert owner("GET", "v1/content/" + guid).json()["bundle_id"] == second["id"]

    # rollback: the older bundle deployed again is live again
    deploy(owner, guid, first["id"])
    assert "version one" in page(owner, guid).text
    listed = {b["id"]: b["active"] for b in owner("GET", "v1/content/%s/bundles" % guid).json()}
    assert listed == {first["id"]: True, second["id"]: False}
    assert owner("DELETE", "v1/content/%s/bundles/%s" % (guid, second["id"])).status_code == 204
    assert [b["id"] for b in owner("GET", "v1/content/%s/bundles" % guid).json()] == [first["id"]]
    assert page(owner, guid, "_bundle%s/" % second["id"]).status_code == 404
    assert "version one" in page(owner, guid).text


def test_a_bundle_never_deployed_has_no_preview_and_bad_bodies_are_refused(local_server, owner):
    guid = owner.create("drafts-unbuilt")["guid"]
    bundle = owner.upload(guid, static_bundle("<p>never built</p>"))
    r = page(owner, guid, "_bundle%s/" % bundle["id"])
    assert r.status_code == 404 and "has not been built" in r.text
    assert page(owner, guid, "_bundle999999/").status_code == 404
    r = owner("POST", "v1/content/%s/deploy" % guid, json={"bundle_id": bundle["id"], "activate": "no"})
    assert r.status_code == 400 and r.json()["code"] == 3 and "activate" in r.json()["error"]
    r = owner("POST", "v1/content/%s/deploy" % guid, json={"bundle_id": bundle["id"], "draft": True})
    assert r.status_code == 400 and r.json()["code"] == 121 and "draft" in r.json()["error"]


def test_posit_sdk_lists_and_deletes_versions(local_server, owner):
    guid = owner.create("drafts-sdk")["guid"]
    first = owner.upload(guid, static_bundle("<p>sdk one</p>"))
    deploy(owner, guid, first["id"])
    second = owner.upload(guid, static_bundle("<p>sdk two</p>"))
    code = """
content = client.content.get(%(guid)r)
active = content.bundles.active()
ids = sorted(b["id"] for b in content.bundles.find())
content.bundles.get(%(second)r).delete()
print(json.dumps({"active": active["id"], "ids": ids, "after": [b["id"] for b in content.bundles.find()]}))
""" % {"guid": guid, "second": second["id"]}
    out = posit_sdk.run(local_server.url, owner.key, code)
    assert out == {"active": first["id"], "ids": sorted([first["id"], second["id"]]), "after": [first["id"]]}


def test_rsconnect_python_deploys_a_draft_then_activates(local_server, tmp_path):
    """rsconnect-python 1.32 `deploy html --draft` leaves the live version; its record's bundle,
    deployed again, goes live. Without --draft it deploys a draft, opens its preview, then activates."""
    key = local_server.add_user("rp-drafter", "publisher")
    project = tmp_path / "site"
    project.mkdir()
    (project / "index.html").write_text("<p>rp version one</p>")
    config = tmp_path / "config"
    login = ["--server", local_server.url, "--api-key", key]
    out = pinned.run(config, "deploy", "html", project / "index.html", *login, cwd=project)
    client = Client(local_server, key)
    guid = next(c["guid"] for c in client("GET", "v1/content").json())
    assert "rp version one" in page(client, guid).text
    (project / "index.html").write_text("<p>rp version two</p>")
    out = pinned.run(config, "deploy", "html", project / "index.html", *login, "--draft", cwd=project)
    assert "draft" in out.lower(), out
    assert "rp version one" in page(client, guid).text  # the draft is not live
    bundles = client("GET", "v1/content/%s/bundles" % guid).json()
    draft = max(bundles, key=lambda b: int(b["id"]))
    assert draft["active"] is False
    assert "rp version two" in page(client, guid, "_bundle%s/" % draft["id"]).text
    deploy(client, guid, draft["id"])
    assert "rp version two" in page(client, guid).text
    # a plain deploy (draft, check of the preview, activation) goes live
    (project / "index.html").write_text("<p>rp version three</p>")
    out = pinned.run(config, "deploy", "html", project / "index.html", *login, cwd=project)
    assert "rp version three" in page(client, guid).text, out


def test_a_draft_of_an_app_is_checked_by_its_preview_and_stays_off_the_live_url(local_server, owner):
    wsgi = (APPS / "wsgi" / "app.py").read_text()
    guid = owner.create("drafts-app")["guid"]
    first = owner.upload(guid, app_bundle("wsgi", "python-api", "app"))
    deploy(owner, guid, first["id"])
    assert page(owner, guid).text.startswith("Hello from the sample WSGI API")
    renamed = wsgi.replace("Hello from the sample WSGI API", "Hello from the draft")
    draft = owner.upload(guid, app_bundle("wsgi", "python-api", "app", {"app.py": renamed.encode()}))
    deploy(owner, guid, draft["id"], activate=False)
    preview = page(owner, guid, "_bundle%s/" % draft["id"])
    assert preview.status_code == 200 and "started and answered" in preview.text, preview.text
    assert page(owner, guid).text.startswith("Hello from the sample WSGI API")  # still the live one
    # the live bundle's preview is the live URL
    r = page(owner, guid, "_bundle%s/" % first["id"])
    assert r.url.endswith("/content/%s/" % guid) and r.text.startswith("Hello from the sample WSGI API")
    # a draft that cannot start builds (nothing runs it) but its preview says it did not start
    broken = owner.upload(
        guid, app_bundle("wsgi", "python-api", "app", {"app.py": (APPS / "broken" / "app.py").read_bytes()})
    )
    deploy(owner, guid, broken["id"], activate=False)
    r = page(owner, guid, "_bundle%s/" % broken["id"])
    assert r.status_code == 502 and "did not start" in r.text, r.text
    assert page(owner, guid).text.startswith("Hello from the sample WSGI API")
    # activating the good draft makes it live
    deploy(owner, guid, draft["id"])
    assert page(owner, guid).text.startswith("Hello from the draft")


@pytest.mark.browser
def test_the_draft_url_rsconnect_python_prints_shows_the_draft(local_server, browser):
    """rsconnect-python shows `{dashboard_url}/draft/{bundle id}`: the dashboard sends the browser to
    the bundle's preview there, and the plain dashboard URL opens the item's page, whose link is the
    live content (in the session's Chromium: a second Playwright started here fails once that one
    runs, as it does in the suite). The publisher has signed in to the server in that browser: a
    draft is theirs to preview."""
    name, password = "drafts-dashboard-owner", "drafts-dashboard-password"
    publisher = Client(local_server, local_server.add_user(name, "publisher", password=password))
    guid = publisher.create("drafts-dashboard")["guid"]
    live = publisher.upload(guid, static_bundle("<p>the live one</p>"))
    deploy(publisher, guid, live["id"])
    draft = publisher.upload(guid, static_bundle("<p>the draft one</p>"))
    deploy(publisher, guid, draft["id"], activate=False)
    item = publisher("GET", "v1/content/" + guid).json()
    context = browser.new_context()
    local_server.sign_in(context, name, password)
    try:
        page = context.new_page()
        page.set_default_timeout(30000)
        page.goto(item["dashboard_url"] + "/draft/%s" % draft["id"])
        page.wait_for_url("**/content/%s/_bundle%s/" % (guid, draft["id"]))
        page.locator("text=the draft one").wait_for()
        page.goto("about:blank")
        page.goto(item["dashboard_url"])
        page.wait_for_url("**/connect/apps/%s" % guid)
        page.click("a.live-link")
        page.wait_for_url("**/content/%s/" % guid)
        page.locator("text=the live one").wait_for()
        assert "the draft one" not in page.content()
    finally:
        context.close()


def test_a_bundle_being_deployed_cannot_be_deleted(local_server, owner):
    guid = owner.create("drafts-busy")["guid"]
    bundle = owner.upload(guid, notebook_bundle("import time\ntime.sleep(4)\nprint('slow')"))
    r = owner("POST", "v1/content/%s/deploy" % guid, json={"bundle_id": bundle["id"], "activate": False})
    assert r.status_code == 202, r.text
    busy = owner("DELETE", "v1/content/%s/bundles/%s" % (guid, bundle["id"]))  # the task runs until it ends
    assert busy.status_code == 400 and "being deployed" in busy.json()["error"], busy.text
    task, lines = owner.wait(r.json()["task_id"])
    assert task["code"] == 0, lines
    assert "slow" in page(owner, guid, "_bundle%s/" % bundle["id"]).text
    assert owner("DELETE", "v1/content/%s/bundles/%s" % (guid, bundle["id"])).status_code == 204

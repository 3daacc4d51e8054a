"""Every endpoint of the contract over real HTTP: shapes, errors with Connect's codes, permissions."""

import hashlib
import json
from pathlib import Path

import pytest
import requests

from tests.localserver.localserver_helpers import static_bundle

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "connect-api"


def fixture_keys(name):
    return set(json.loads((FIXTURES / name).read_text()))


def assert_error(r, status, code):
    assert r.status_code == status, r.text
    body = r.json()
    assert body["code"] == code and body["error"], body
    assert "payload" in body


# -- server information and the user ----------------------------------------------------------
def test_server_settings(local_server):
    r = requests.get(local_server.url + "__api__/server_settings")
    assert r.status_code == 200
    data = r.json()
    assert fixture_keys("publisher/server-settings.json") <= set(data)
    assert data["version"].count(".") == 2


def test_python_settings_lists_interpreters(admin):
    data = admin("GET", "v1/server_settings/python").json()
    assert fixture_keys("publisher/server-settings-python.json") <= set(data)
    versions = [i["version"] for i in data["installations"]]
    assert versions and all(len(v.split(".")) == 3 for v in versions)
    import sys

    assert "%d.%d" % sys.version_info[:2] in {v.rsplit(".", 1)[0] for v in versions}


@pytest.mark.parametrize("path", ["v1/user", "me"])
def test_user(admin, path):
    data = admin("GET", path).json()
    assert fixture_keys("posit-sdk-py/v1_user.json") <= set(data)
    assert data["user_role"] == "administrator" and data["username"] == "admin"


def test_added_users_have_their_roles(publisher, viewer):
    assert publisher("GET", "v1/user").json()["user_role"] == "publisher"
    assert viewer("GET", "v1/user").json()["user_role"] == "viewer"


def test_no_key_is_401_code_24(local_server):
    assert_error(requests.get(local_server.url + "__api__/v1/user"), 401, 24)


@pytest.mark.parametrize("header", ["Key not-a-real-key", "Bearer abc", "Key "])
def test_wrong_key_is_401_code_30(local_server, header):
    r = requests.get(local_server.url + "__api__/v1/content", headers={"Authorization": header})
    assert_error(r, 401, 30)


def test_unknown_api_path_is_404_json(admin):
    assert_error(admin("GET", "v1/no-such-thing"), 404, 4)


# -- content ----------------------------------------------------------------------------------
def test_content_create_get_patch_delete(publisher, local_server):
    item = publisher.create("crud-item", "CRUD item")
    assert fixture_keys("publisher/content-details.json") <= set(item)
    assert fixture_keys("posit-sdk-py/v1_content_f2f37341-e21d-3d80-c698-a935ad614066.json") - {"tags"} <= set(item)
    guid = item["guid"]
    assert item["app_mode"] == "unknown" and item["bundle_id"] is None and item["app_role"] == "owner"
    assert item["content_url"] == "%scontent/%s/" % (local_server.url, guid)
    assert item["dashboard_url"] == "%sconnect/#/apps/%s" % (local_server.url, guid)
    assert item["id"].isdigit()
    me = publisher("GET", "v1/user").json()
    assert item["owner_guid"] == me["guid"]

    assert publisher("GET", "v1/content/" + guid).json()["title"] == "CRUD item"
    r = publisher("PATCH", "v1/content/" + guid, json={"title": "New title", "description": "d"})
    assert r.status_code == 200 and r.json()["title"] == "New title" and r.json()["description"] == "d"
    assert publisher("GET", "v1/content/" + guid).json()["title"] == "New title"

    assert publisher("DELETE", "v1/content/" + guid).status_code == 204
    assert_error(publisher("GET", "v1/content/" + guid), 404, 4)
    assert_error(publisher("DELETE", "v1/content/" + guid), 404, 4)


def test_content_without_a_name_gets_one(publisher):
    item = publisher.create()
    assert item["name"]


def test_content_list_by_name_and_owner(publisher, other_publisher, admin):
    mine = publisher.create("listed-item")
    me = publisher("GET", "v1/user").json()["guid"]
    found = publisher("GET", "v1/content", params={"name": "listed-item", "owner_guid": me}).json()
    assert [c["guid"] for c in found] == [mine["guid"]]
    assert publisher("GET", "v1/content", params={"name": "nothing-like-this"}).json() == []
    # Others don't see it; administrators see everything.
    assert other_publisher("GET", "v1/content", params={"name": "listed-item"}).json() == []
    assert [c["guid"] for c in admin("GET", "v1/content", params={"name": "listed-item"}).json()] == [mine["guid"]]
    assert mine["guid"] in {c["guid"] for c in admin("GET", "v1/content").json()}


def test_content_name_rules(publisher):
    publisher.create("taken-name")
    assert_error(publisher("POST", "v1/content", json={"name": "taken-name"}), 409, 26)
    for bad in ("ab", "has space", "x" * 65, "slash/no"):
        assert_error(publisher("POST", "v1/content", json={"name": bad}), 400, 5)
    assert_error(publisher("POST", "v1/content", json={"name": "ok-name", "title": "ab"}), 400, 3)
    assert_error(publisher("POST", "v1/content", json={"name": "ok-name2", "bogus": 1}), 400, 121)
    assert_error(publisher("POST", "v1/content", data="{not json"), 400, 121)
    item = publisher.create("rename-me")
    assert_error(publisher("PATCH", "v1/content/" + item["guid"], json={"name": "taken-name"}), 409, 26)


def test_viewer_cannot_publish(viewer, publisher):
    assert_error(viewer("POST", "v1/content", json={"name": "viewer-item"}), 403, 19)
    item = publisher.create("seen-by-nobody")
    assert_error(viewer("GET", "v1/content/" + item["guid"]), 403, 19)
    assert_error(viewer("POST", "v1/content/%s/bundles" % item["guid"], data=static_bundle()), 403, 19)


def test_non_collaborator_is_refused(publisher, other_publisher):
    item = publisher.create("private-item")
    guid = item["guid"]
    r = publisher("PATCH", "v1/content/%s/environment" % guid, json=[{"name": "KEPT", "value": "1"}])
    assert r.status_code == 200, r.text

    def state():
        """What the refused requests would have changed, as the owner reads it."""
        found = {}
        for path in (
            "v1/content/" + guid,
            "v1/content/%s/environment" % guid,
            "v1/content/%s/bundles" % guid,
            "v1/content/%s/permissions" % guid,
        ):
            r = publisher("GET", path)
            assert r.status_code == 200, (path, r.text)
            found[path] = r.json()
        return found

    before = state()
    assert before["v1/content/%s/environment" % guid] == ["KEPT"] and before["v1/content/%s/bundles" % guid] == []
    for method, path, kwargs in [
        ("GET", "v1/content/" + guid, {}),
        ("PATCH", "v1/content/" + guid, {"json": {"title": "stolen"}}),
        ("DELETE", "v1/content/" + guid, {}),
        ("POST", "v1/content/%s/bundles" % guid, {"data": static_bundle()}),
        ("POST", "v1/content/%s/deploy" % guid, {"json": {}}),
        ("GET", "v1/content/%s/environment" % guid, {}),
        ("PATCH", "v1/content/%s/environment" % guid, {"json": [{"name": "A", "value": "1"}]}),
    ]:
        assert_error(other_publisher(method, path, **kwargs), 403, 19)
    # Refused means nothing happened: same title, no bundle, no new variable, the content still there.
    assert state() == before


def test_collaborator_editor_may_deploy(publisher, other_publisher, viewer):
    item = publisher.create("shared-item")
    guid = item["guid"]
    olga = other_publisher("GET", "v1/user").json()["guid"]
    r = publisher(
        "POST",
        "v1/content/%s/permissions" % guid,
        json={"principal_guid": olga, "principal_type": "user", "role": "owner"},
    )
    assert r.status_code == 200, r.text
    perms = publisher("GET", "v1/content/%s/permissions" % guid).json()
    assert [(p["principal_guid"], p["role"]) for p in perms] == [(olga, "owner")]
    seen = other_publisher("GET", "v1/content/" + guid).json()
    assert seen["app_role"] == "editor"
    task, lines = other_publisher.publish(guid, static_bundle("<p>by a collaborator</p>"))
    assert task["code"] == 0, lines
    assert "by a collaborator" in other_publisher.get(seen["content_url"]).text
    # Collaborators may not delete; a viewer can't be made a collaborator.
    assert_error(other_publisher("DELETE", "v1/content/" + guid), 403, 19)
    vic = viewer("GET", "v1/user").json()["guid"]
    assert_error(
        publisher(
            "POST",
            "v1/content/%s/permissions" % guid,
            json={"principal_guid": vic, "principal_type": "user", "role": "owner"},
        ),
        400,
        3,
    )
    # Removing the permission takes the access away again.
    assert publisher("DELETE", "v1/content/%s/permissions/%s" % (guid, perms[0]["id"])).status_code == 204
    assert_error(other_publisher("GET", "v1/content/" + guid), 403, 19)
    assert other_publisher.get(seen["content_url"]).status_code == 403


def test_administrator_sees_and_changes_any_content(publisher, admin):
    item = publisher.create("admin-can-see")
    got = admin("GET", "v1/content/" + item["guid"]).json()
    assert got["guid"] == item["guid"] and got["app_role"] == "viewer"
    changed = admin("PATCH", "v1/content/" + item["guid"], json={"title": "Set by admin"}).json()
    assert changed["title"] == "Set by admin"


def test_legacy_application_lookup_by_numeric_id(publisher, other_publisher, local_server):
    item = publisher.create("legacy-lookup", "Legacy lookup")
    r = publisher("GET", "applications/" + item["id"])
    assert r.status_code == 200, r.text
    app = r.json()
    assert app["guid"] == item["guid"] and str(app["id"]) == item["id"]
    assert app["name"] == "legacy-lookup" and app["title"] == "Legacy lookup"
    assert app["url"] == item["content_url"]
    assert_error(publisher("GET", "applications/999999"), 404, 4)
    assert_error(other_publisher("GET", "applications/" + item["id"]), 403, 19)


# -- bundles ------------------------------------------------------------------------------------
def test_bundle_upload_list_get_download(publisher):
    item = publisher.create("bundle-item")
    guid = item["guid"]
    data = static_bundle("<p>bundle one</p>")
    # No Content-Type, a gzip one, and chunked transfer (a generator body): all accepted.
    b1 = publisher.upload(guid, data)
    r = publisher("POST", "v1/content/%s/bundles" % guid, data=data, headers={"Content-Type": "application/gzip"})
    b2 = r.json()
    r = publisher(
        "POST",
        "v1/content/%s/bundles" % guid,
        data=(data[i : i + 100] for i in range(0, len(data), 100)),
        headers={"Content-Type": "application/x-gzip"},
    )
    assert r.status_code == 200, r.text
    b3 = r.json()
    assert fixture_keys("publisher/bundle-upload.json") <= set(b1)
    assert b1["metadata"]["archive_md5"] == hashlib.md5(data).hexdigest()
    assert b3["metadata"]["archive_sha1"] == hashlib.sha1(data).hexdigest()
    assert b1["size"] == b3["size"] == len(data) and b1["content_guid"] == guid
    assert len({b1["id"], b2["id"], b3["id"]}) == 3
    listed = publisher("GET", "v1/content/%s/bundles" % guid).json()
    assert [b["id"] for b in listed] == [b1["id"], b2["id"], b3["id"]]
    assert not any(b["active"] for b in listed)
    got = publisher("GET", "v1/content/%s/bundles/%s" % (guid, b2["id"])).json()
    assert got["id"] == b2["id"]
    dl = publisher("GET", "v1/content/%s/bundles/%s/download" % (guid, b3["id"]))
    assert dl.status_code == 200 and dl.content == data
    assert_error(publisher("GET", "v1/content/%s/bundles/99999" % guid), 404, 4)
    assert_error(publisher("GET", "v1/content/%s/bundles/99999/download" % guid), 404, 4)


def test_upload_of_nothing_is_refused(publisher):
    item = publisher.create("empty-upload")
    assert_error(publisher("POST", "v1/content/%s/bundles" % item["guid"], data=b""), 400, 39)


def test_upload_to_missing_content_is_404(publisher):
    assert_error(
        publisher("POST", "v1/content/00000000-0000-0000-0000-000000000000/bundles", data=static_bundle()), 404, 4
    )


# -- deploy, tasks and serving --------------------------------------------------------------------
def test_static_deploy_serves_primary_html_and_other_files(publisher, local_server):
    item = publisher.create("static-site")
    guid = item["guid"]
    data = static_bundle(
        "<h1>Static one</h1><img src='img/dot.txt'>", primary="report.html", more={"img/dot.txt": "a dot"}
    )
    bundle = publisher.upload(guid, data)
    r = publisher("POST", "v1/content/%s/deploy" % guid, json={"bundle_id": bundle["id"]})
    assert r.status_code == 202 and set(r.json()) >= {"task_id"}
    task, lines = publisher.wait(r.json()["task_id"])
    assert fixture_keys("publisher/task-finished.json") <= set(task)
    assert task["code"] == 0 and task["error"] == "", lines
    assert any("is live" in line for line in lines)

    page = publisher.get(item["content_url"])
    assert page.status_code == 200 and "Static one" in page.text
    assert page.headers["Content-Type"].startswith("text/html")
    assert publisher.get(item["content_url"] + "img/dot.txt").text == "a dot"
    assert publisher.get(item["content_url"] + "missing.html").status_code == 404
    assert publisher.get(item["content_url"] + "../../admin-api-key").status_code == 404
    assert publisher.get(item["content_url"] + "%2e%2e/%2e%2e/connect.db").status_code == 404
    # Without the slash it redirects to the content.
    assert "Static one" in publisher.get(local_server.url + "content/" + guid).text

    after = publisher("GET", "v1/content/" + guid).json()
    assert after["bundle_id"] == bundle["id"] and after["app_mode"] == "static"
    assert publisher("GET", "v1/content/%s/bundles/%s" % (guid, bundle["id"])).json()["active"] is True

    # A second deploy replaces it; the app mode can't change afterwards.
    task, lines = publisher.publish(guid, static_bundle("<h1>Static two</h1>", primary="report.html"))
    assert task["code"] == 0, lines
    assert "Static two" in publisher.get(item["content_url"]).text
    from tests.localserver.localserver_helpers import notebook_bundle

    other_mode = publisher.upload(guid, notebook_bundle("1"))
    assert_error(publisher("POST", "v1/content/%s/deploy" % guid, json={"bundle_id": other_mode["id"]}), 403, 48)


def test_deploy_without_bundle_id_uses_the_latest(publisher):
    item = publisher.create("latest-bundle")
    publisher.upload(item["guid"], static_bundle("<p>older</p>"))
    publisher.upload(item["guid"], static_bundle("<p>newest</p>"))
    r = publisher("POST", "v1/content/%s/deploy" % item["guid"], json={})
    task, lines = publisher.wait(r.json()["task_id"])
    assert task["code"] == 0, lines
    assert "newest" in publisher.get(item["content_url"]).text


def test_deploy_errors(publisher):
    item = publisher.create("deploy-errors")
    assert_error(publisher("POST", "v1/content/%s/deploy" % item["guid"], json={}), 400, 3)
    assert_error(publisher("POST", "v1/content/%s/deploy" % item["guid"], json={"bundle_id": "424242"}), 404, 4)
    assert publisher.get(item["content_url"]).status_code == 404


def test_static_bundle_without_its_primary_file_fails_the_task(publisher):
    item = publisher.create("missing-primary")
    from tests.localserver.localserver_helpers import manifest, tar_bytes

    data = tar_bytes({"other.html": "x", "manifest.json": manifest("static", {}, metadata={"primary_html": "no.html"})})
    task, lines = publisher.publish(item["guid"], data)
    assert task["finished"] and task["code"] != 0
    assert "no.html" in task["error"]
    assert publisher("GET", "v1/content/" + item["guid"]).json()["bundle_id"] is None


@pytest.mark.parametrize("mode", ["rmd-static"])
def test_app_modes_not_supported_are_refused_at_upload_and_leave_no_empty_item(publisher, mode):
    from tests.localserver.localserver_helpers import manifest, static_bundle, tar_bytes

    files = {"app.py": "app = None\n", "requirements.txt": ""}
    data = tar_bytes({**files, "manifest.json": manifest(mode, files, metadata={"entrypoint": "app:app"})})
    item = publisher.create("unsupported-" + mode)
    r = publisher("POST", "v1/content/%s/bundles" % item["guid"], data=data)
    assert r.status_code == 400 and r.json()["code"] == 3, r.text
    assert "cannot run app mode %r" % mode in r.json()["error"]
    assert "The empty content item was removed." in r.json()["error"]
    assert publisher("GET", "v1/content/" + item["guid"]).status_code == 404
    # An item that already holds a bundle keeps it, and stays.
    item = publisher.create("unsupported-later-" + mode)
    task, lines = publisher.publish(item["guid"], static_bundle())
    assert task["code"] == 0, lines
    r = publisher("POST", "v1/content/%s/bundles" % item["guid"], data=data)
    assert r.status_code == 400 and "removed" not in r.json()["error"]
    assert publisher("GET", "v1/content/" + item["guid"]).json()["bundle_id"] is not None


def test_task_first_and_long_poll(publisher, other_publisher):
    item = publisher.create("task-polling")
    bundle = publisher.upload(item["guid"], static_bundle())
    task_id = publisher.deploy(item["guid"], bundle["id"])
    task, lines = publisher.wait(task_id)
    everything = publisher("GET", "v1/tasks/" + task_id).json()
    assert everything["output"] == lines and everything["last"] == len(lines)
    tail = publisher("GET", "v1/tasks/" + task_id, params={"first": 2}).json()
    assert tail["output"] == lines[2:] and tail["last"] == len(lines)
    past_end = publisher("GET", "v1/tasks/" + task_id, params={"first": len(lines) + 5, "wait": 1}).json()
    assert past_end["output"] == [] and past_end["finished"]
    assert_error(publisher("GET", "v1/tasks/" + task_id, params={"first": "x"}), 400, 3)
    assert_error(publisher("GET", "v1/tasks/no-such-task"), 404, 4)
    assert_error(other_publisher("GET", "v1/tasks/" + task_id), 404, 4)


# -- environment variables ----------------------------------------------------------------------
def test_environment_variables_names_only(publisher):
    item = publisher.create("env-vars")
    path = "v1/content/%s/environment" % item["guid"]
    assert publisher("GET", path).json() == []
    r = publisher("PATCH", path, json=[{"name": "B_VAR", "value": "secret-b"}, {"name": "A_VAR", "value": "secret-a"}])
    assert r.status_code == 200 and r.json() == ["A_VAR", "B_VAR"]
    assert publisher("GET", path).json() == ["A_VAR", "B_VAR"]
    assert "secret" not in publisher("GET", path).text
    assert publisher("PATCH", path, json=[{"name": "A_VAR", "value": None}]).json() == ["B_VAR"]
    assert publisher("PUT", path, json=[{"name": "C_VAR", "value": "c"}]).json() == ["C_VAR"]
    assert publisher("PUT", path, json=[]).json() == []
    assert_error(publisher("PATCH", path, json={"name": "X"}), 400, 121)
    assert_error(publisher("PATCH", path, json=[{"name": "1bad", "value": "x"}]), 400, 3)
    assert_error(publisher("PATCH", path, json=[{"name": "OK", "value": 5}]), 400, 3)


# -- pages for people --------------------------------------------------------------------------
def test_dashboard_page_is_served(publisher, local_server):
    """The dashboard answers a signed-in person (tests/localserver/test_dashboard.py has the rest);
    a visitor is sent to the sign-in page."""
    item = publisher.create("dash-link")
    r = requests.get(item["dashboard_url"], timeout=60)
    assert r.status_code == 200 and "/__login__" in r.url and "Sign in" in r.text
    cookie = local_server.session_cookie()
    r = requests.get(item["dashboard_url"], cookies={cookie["name"]: cookie["value"]}, timeout=60)
    assert r.status_code == 200 and r.url.split("#")[0].endswith("/connect/")
    assert 'data-guid="%s"' % item["guid"] in r.text
    assert requests.get(local_server.url, timeout=60).url.split("?")[0].endswith("/__login__")


def test_server_log_has_requests_but_no_keys(local_server, publisher, viewer):
    publisher("GET", "v1/user")
    log = local_server.log()
    assert "GET /__api__/v1/user" in log
    assert publisher.key not in log and viewer.key not in log and local_server.api_key not in log


@pytest.mark.parametrize("mode", ["python-api", "python-fastapi", "python-dash", "python-streamlit", "python-bokeh"])
def test_app_bundles_without_python_version_or_entrypoint_fail_clearly(publisher, mode):
    from tests.localserver.localserver_helpers import manifest, tar_bytes

    item = publisher.create("no-python-" + mode)
    files = {"app.py": "app = None\n", "requirements.txt": ""}
    data = tar_bytes({**files, "manifest.json": manifest(mode, files, metadata={"entrypoint": "app:app"})})
    task, lines = publisher.publish(item["guid"], data)
    assert task["code"] == 1
    assert "has no python.version" in task["error"]
    data = tar_bytes({**files, "manifest.json": manifest(mode, files)})
    task, lines = publisher.publish(item["guid"], data)
    assert task["code"] == 1 and "has no metadata.entrypoint" in task["error"]
    assert publisher("GET", "v1/content/" + item["guid"]).json()["bundle_id"] is None

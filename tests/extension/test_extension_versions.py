"""The publishing handlers for drafts, sharing and source versions (what the dialogs call), over HTTP
on a real Jupyter server, against the local Connect-compatible server."""

import uuid

from tests.extension.extension_notebooks import write_notebook
from tests.extension.test_extension_handlers import wait_job


def publish(jupyter, notebook, **fields):
    body = {"server": "mine", "notebook_path": notebook, "mode": "static", **fields}
    r = jupyter.api("POST", "publish", json=body)
    assert r.status_code == 202, r.text
    state, lines = wait_job(jupyter, r.json()["job_id"])
    assert state["error"] is None, state["error"]
    return state["result"], lines


def versions(jupyter, guid):
    r = jupyter.api("POST", "content/versions", json={"server": "mine", "guid": guid})
    assert r.status_code == 200, r.text
    return [(v["bundle_id"], v["live"]) for v in r.json()["versions"]]


def test_drafts_sharing_and_versions_through_the_handlers(jupyter, local_server, no_saved_servers):
    key = local_server.add_user("hana" + uuid.uuid4().hex[:6], "publisher")
    viewer = "vito" + uuid.uuid4().hex[:6]
    local_server.add_user(viewer, "viewer")
    assert jupyter.api("POST", "servers/add", json={"url": local_server.url, "name": "mine", "api_key": key}).ok
    folder = "versions%s" % uuid.uuid4().hex[:6]
    notebook = write_notebook(jupyter.root, folder + "/report.ipynb", heading="First")
    first, _ = publish(
        jupyter, notebook, new=True, title="Versioned", sharing={"access": "logged_in", "viewers": [viewer]}
    )
    guid, url = first["content_guid"], first["content_url"]
    item = local_server.api("GET", "v1/content/%s" % guid, key=key).json()
    assert item["access_type"] == "logged_in"
    assert [p["role"] for p in local_server.api("GET", "v1/content/%s/permissions" % guid, key=key).json()] == [
        "viewer"
    ]

    write_notebook(jupyter.root, folder + "/report.ipynb", heading="Second")
    draft, lines = publish(jupyter, notebook, app_id=guid, draft=True)
    assert draft["draft_url"] == "%s_bundle%s/" % (url, draft["bundle_id"])
    # The publisher's key reads both (the content is `logged_in`; a draft preview is for those who deploy).
    assert "First" in local_server.get(url, key=key, timeout=30).text  # the draft is not live
    assert "Second" in local_server.get(draft["draft_url"], key=key, timeout=30).text
    assert versions(jupyter, guid) == [(draft["bundle_id"], False), (first["bundle_id"], True)]

    r = jupyter.api("POST", "content/activate", json={"server": "mine", "guid": guid, "bundle_id": draft["bundle_id"]})
    assert r.status_code == 202, r.text
    state, lines = wait_job(jupyter, r.json()["job_id"])
    assert state["error"] is None and state["result"]["content_url"] == url
    assert any("is live" in line for line in lines)
    assert "Second" in local_server.get(url, key=key, timeout=30).text

    live = jupyter.api(
        "POST", "content/remove-version", json={"server": "mine", "guid": guid, "bundle_id": draft["bundle_id"]}
    )
    assert live.status_code == 400 and "is the live one" in live.json()["message"]
    gone = jupyter.api(
        "POST", "content/remove-version", json={"server": "mine", "guid": guid, "bundle_id": first["bundle_id"]}
    )
    assert gone.status_code == 200, gone.text
    assert versions(jupyter, guid) == [(draft["bundle_id"], True)]


def test_a_sharing_field_the_server_does_not_set_is_refused(jupyter, local_server, no_saved_servers):
    assert jupyter.api(
        "POST", "servers/add", json={"url": local_server.url, "name": "mine", "api_key": local_server.api_key}
    ).ok
    notebook = write_notebook(jupyter.root, "versions-refused/report.ipynb")
    r = jupyter.api(
        "POST",
        "publish",
        json={"server": "mine", "notebook_path": notebook, "mode": "static", "sharing": {"owners": ["x"]}},
    )
    assert (
        r.status_code == 400
        and r.json()["message"] == "The sharing field 'owners' is not one this server reads: leave it out."
    )
    r = jupyter.api(
        "POST",
        "publish",
        json={"server": "mine", "notebook_path": notebook, "mode": "static", "sharing": {"access": "everyone"}},
    )
    assert (
        r.status_code == 400 and "'everyone' is not one Connect has: choose all, logged_in, acl." in r.json()["message"]
    )


def test_download_source_of_a_version_through_the_handler(jupyter, local_server, no_saved_servers):
    key = local_server.add_user("dina" + uuid.uuid4().hex[:6], "publisher")
    assert jupyter.api("POST", "servers/add", json={"url": local_server.url, "name": "mine", "api_key": key}).ok
    notebook = write_notebook(jupyter.root, "download%s/report.ipynb" % uuid.uuid4().hex[:6], heading="Kept")
    first, _ = publish(jupyter, notebook, new=True, title="Downloadable")
    guid, bundle_id = first["content_guid"], first["bundle_id"]
    r = jupyter.api("POST", "content/download", json={"server": "mine", "guid": guid, "bundle_id": bundle_id})
    assert r.status_code == 200 and r.headers["Content-Type"] == "application/gzip", r.text[:200]
    assert r.headers["Content-Disposition"] == 'attachment; filename="%s-version-%s.tar.gz"' % (
        local_server.api("GET", "v1/content/" + guid, key=key).json()["name"],
        bundle_id,
    )
    assert (
        r.content == local_server.api("GET", "v1/content/%s/bundles/%s/download" % (guid, bundle_id), key=key).content
    )
    missing = jupyter.api("POST", "content/download", json={"server": "mine", "guid": guid, "bundle_id": "999999"})
    assert missing.status_code == 400 and "has no version 999999" in missing.json()["message"]
    stray = jupyter.api("POST", "content/download", json={"server": "mine", "guid": guid, "bundle_id": "1", "x": 1})
    assert stray.status_code == 400

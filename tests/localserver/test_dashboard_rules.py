"""The local server's rules on versions, once (localconnect/actions.py: check_deploy,
check_delete_bundle) for the API and the dashboard, and the dashboard's and sign-in page's words
(issue 22, finding 10): items of one title told apart, a failed first publish marked, versions
labelled by what they are, decimal sizes, the extension's words, where the admin password is kept.
Over real HTTP on 127.0.0.1.
"""

from __future__ import annotations

import html as markup
import os
import re
import uuid

import pytest
import requests

from rsconnect_jupyter.progress import human_bytes
from tests.localserver.localserver_helpers import Client, manifest, notebook_bundle, static_bundle, tar_bytes
from tests.localserver.signin_helpers import login

PASSWORD = "rules-password-1"


@pytest.fixture(scope="module")
def owner(local_server):
    name = "rules-" + uuid.uuid4().hex[:6]
    client = Client(local_server, local_server.add_user(name, "publisher", password=PASSWORD))
    client.name = name
    return client


def signed_in(server, who, password):
    s = requests.Session()
    cookie = server.session_cookie(who, password)
    s.cookies.set(cookie["name"], cookie["value"])
    return s


def csrf_of(page):
    return re.search(r'name="csrf" value="([^"]+)"', page).group(1)


def row_of(page, attribute, value):
    return re.search(r'<tr class="[^"]*" %s="%s">(.*?)</tr>' % (attribute, value), page, re.S).group(1)


def broken_static_bundle():
    """A static bundle whose primary file is missing: its deploy fails."""
    files = {"index.html": "<p>here</p>"}
    return tar_bytes({**files, "manifest.json": manifest("static", files, metadata={"primary_html": "gone.html"})})


def test_items_of_one_title_are_told_apart_and_a_failed_first_publish_is_marked(local_server, owner):
    title = "sales_report " + uuid.uuid4().hex[:4]
    live = owner.create(title=title)
    failed = owner.create(title=title)
    empty = owner.create(title=title)
    task, lines = owner.publish(live["guid"], static_bundle("<p>sales</p>"))
    assert task["code"] == 0, lines
    task, lines = owner.publish(failed["guid"], broken_static_bundle())
    assert task["code"] != 0, lines

    page = signed_in(local_server, owner.name, PASSWORD).get(local_server.url + "connect/", timeout=60).text
    rows = {item["guid"]: row_of(page, "data-guid", item["guid"]) for item in (live, failed, empty)}
    states = {}
    for guid, row in rows.items():
        assert title in row and owner.name in row
        assert '<code title="%s">%s</code>' % (guid, guid[:8]) in row  # the extension's short id
        states[guid] = re.search(r'<td class="deploy-state[^"]*">([^<]*)</td>', row).group(1)
        assert "Only the owner" in row  # acl with nobody listed: not "Specific users"
    assert states == {live["guid"]: "Live", failed["guid"]: "First publish failed", empty["guid"]: "Nothing deployed"}
    assert '<td class="deploy-state failed">First publish failed</td>' in rows[failed["guid"]]
    assert "Finished document" in rows[live["guid"]] and "Static page" not in page

    item = signed_in(local_server, owner.name, PASSWORD).get(
        local_server.url + "connect/apps/" + failed["guid"], timeout=60
    )
    assert '<dd class="deploy-state failed">First publish failed</dd>' in item.text


def test_versions_are_labelled_by_what_they_are_with_decimal_sizes(local_server, owner):
    item = owner.create(title="Labels " + uuid.uuid4().hex[:4])
    guid = item["guid"]
    data = os.urandom(1_500_000)  # does not compress: 1.5 MB decimal, 1.4 MiB binary
    first, lines = owner.publish(guid, static_bundle("<p>one</p>", more={"data.bin": data}))
    assert first["code"] == 0, lines
    second, lines = owner.publish(guid, static_bundle("<p>two</p>"))
    assert second["code"] == 0, lines
    draft = owner.upload(guid, static_bundle("<p>three</p>"))
    r = owner("POST", "v1/content/%s/deploy" % guid, json={"bundle_id": draft["id"], "activate": False})
    task, lines = owner.wait(r.json()["task_id"])
    assert task["code"] == 0, lines
    bundles = {b["id"]: b for b in owner("GET", "v1/content/%s/bundles" % guid).json()}
    old, live = sorted((b for b in bundles if b != draft["id"]), key=int)

    page = signed_in(local_server, owner.name, PASSWORD).get(local_server.url + "connect/apps/" + guid, timeout=60).text

    def state(bundle_id):
        return re.sub(
            r"<[^>]+>",
            "",
            re.search(r'<td class="state[^"]*">(.*?)</td>', row_of(page, "data-bundle", bundle_id), re.S).group(1),
        )

    assert state(live).strip() == "live"
    assert state(old).strip() == "previously live · preview"  # was "draft · preview"
    assert state(draft["id"]).strip() == "draft · preview"
    size = bundles[old]["size"]
    assert 1_500_000 < size < 1_550_000
    assert "<td>%s</td>" % human_bytes(size) in row_of(page, "data-bundle", old)
    assert human_bytes(size) == "%.1f MB" % (size / 1e6) == "1.5 MB"
    assert (
        '<summary class="delete-ask">Remove…</summary>' in page
        and '<button type="submit" class="delete">Remove for good</button>' in page
    )
    assert ">Delete<" not in page


def test_a_version_being_deployed_gets_one_refusal_from_the_api_and_the_dashboard(local_server, owner):
    guid = owner.create(title="Busy " + uuid.uuid4().hex[:4])["guid"]
    bundle = owner.upload(guid, notebook_bundle("import time\ntime.sleep(8)\nprint('slow')"))["id"]
    r = owner("POST", "v1/content/%s/deploy" % guid, json={"bundle_id": bundle, "activate": False})
    assert r.status_code == 202, r.text
    # While it runs (the environment build, then 8 s of the notebook):
    page_url = local_server.url + "connect/apps/" + guid
    person = signed_in(local_server, owner.name, PASSWORD)
    token = csrf_of(person.get(page_url, timeout=60).text)

    activate = owner("POST", "v1/content/%s/deploy" % guid, json={"bundle_id": bundle})
    assert activate.status_code == 400, activate.text
    sentence = "Version %s is being deployed: wait until its task finishes." % bundle
    assert activate.json() == {"code": 3, "error": sentence, "payload": None}  # Connect's error shape
    shown = person.post("%s/bundles/%s/activate" % (page_url, bundle), data={"csrf": token}, timeout=60)
    assert shown.status_code == 409 and markup.escape(sentence, quote=False) in shown.text

    remove = owner("DELETE", "v1/content/%s/bundles/%s" % (guid, bundle))
    sentence = "Version %s is being deployed: wait until its task finishes, then remove it." % bundle
    assert remove.status_code == 400 and remove.json() == {"code": 3, "error": sentence, "payload": None}
    shown = person.post("%s/bundles/%s/delete" % (page_url, bundle), data={"csrf": token}, timeout=60)
    assert shown.status_code == 409 and markup.escape(sentence, quote=False) in shown.text

    task, lines = owner.wait(r.json()["task_id"])
    assert task["code"] == 0, lines
    assert owner("DELETE", "v1/content/%s/bundles/%s" % (guid, bundle)).status_code == 204  # finished: it may go


def test_the_live_version_gets_one_refusal_from_the_api_and_the_dashboard(local_server, owner):
    guid = owner.create(title="Live " + uuid.uuid4().hex[:4])["guid"]
    task, lines = owner.publish(guid, static_bundle("<p>live</p>"))
    assert task["code"] == 0, lines
    live = owner("GET", "v1/content/" + guid).json()["bundle_id"]
    sentence = "Version %s is live and cannot be removed: make another version live first." % live
    r = owner("DELETE", "v1/content/%s/bundles/%s" % (guid, live))
    assert r.status_code == 400 and r.json() == {"code": 3, "error": sentence, "payload": None}
    person = signed_in(local_server, owner.name, PASSWORD)
    page_url = local_server.url + "connect/apps/" + guid
    token = csrf_of(person.get(page_url, timeout=60).text)
    shown = person.post("%s/bundles/%s/delete" % (page_url, live), data={"csrf": token}, timeout=60)
    assert shown.status_code == 409 and sentence in shown.text


def test_the_sign_in_page_says_where_the_admin_password_is_and_shows_no_backticks(local_server):
    page = requests.get(local_server.url + "__login__", timeout=60).text
    assert "<code>DATA_DIR/admin-password</code>" in page
    assert "<code>rsconnect local-server set-password NAME</code>" in page
    refused = login(local_server, "admin", "not-it")
    assert refused.status_code == 403
    error = re.search(r'<p class="error" role="alert">(.*?)</p>', refused.text, re.S).group(1)
    assert error == "The user name or password is not right."
    assert "`" not in refused.text

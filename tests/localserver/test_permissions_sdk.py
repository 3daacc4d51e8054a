"""Sharing and content settings as Connect has them, judged by a public client: posit-sdk-py (pinned in
tests/core/posit_sdk.py) over real HTTP to the local server, plus plain HTTP for the answers'
status and Connect code.
"""

from __future__ import annotations

import pytest

from tests.core import posit_sdk
from tests.localserver.localserver_helpers import Client

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def people(local_server):
    """A publisher who owns content, a viewer and another publisher to share it with, by GUID."""
    owner = Client(local_server, local_server.add_user("perm-owner", "publisher"))
    local_server.add_user("perm-ann", "viewer")
    local_server.add_user("perm-bob", "publisher")
    answer = Client(local_server)("GET", "v1/users", params={"prefix": "perm-", "page_size": 500}).json()
    users = {u["username"]: u["guid"] for u in answer["results"]}
    return owner, users


def test_posit_sdk_creates_reads_updates_and_removes_permissions(local_server, people):
    owner, users = people
    guid = owner.create("perm-sdk", "Shared with the SDK")["guid"]
    code = """
content = client.content.get(%(guid)r)
ann = client.users.get(%(ann)r)
bob = client.users.get(%(bob)r)
made = content.permissions.create(ann, role="viewer")
added = content.permissions.create(principal_guid=bob["guid"], principal_type="user", role="viewer")
got = content.permissions.get(added["id"])
got.update(role="owner")
after_update = dict(content.permissions.get(added["id"]))
listed = [dict(p) for p in content.permissions.find()]
content.permissions.get(made["id"]).destroy()
content.permissions.destroy(bob)
print(json.dumps({"made": dict(made), "got": dict(got), "after_update": after_update, "listed": listed,
                  "left": [dict(p) for p in content.permissions.find()]}))
""" % {"guid": guid, "ann": users["perm-ann"], "bob": users["perm-bob"]}
    out = posit_sdk.run(local_server.url, owner.key, code)
    assert out["made"]["principal_guid"] == users["perm-ann"] and out["made"]["role"] == "viewer"
    # get(id) is that one entry (not the list), with the fixture's keys
    assert out["got"]["principal_guid"] == users["perm-bob"]
    assert set(out["got"]) >= {"id", "content_guid", "principal_guid", "principal_type", "role"}
    assert out["got"]["role"] == "owner"  # Permission.update refreshed it from the PUT's answer
    assert out["after_update"]["role"] == "owner"
    assert sorted((p["principal_guid"], p["role"]) for p in out["listed"]) == sorted(
        [(users["perm-ann"], "viewer"), (users["perm-bob"], "owner")]
    )
    assert out["left"] == []
    # bob, a collaborator for a moment, was the content's editor then; now he sees nothing of it
    assert owner("GET", "v1/content/%s/permissions" % guid).json() == []


def test_one_permission_by_id_over_http(local_server, people):
    owner, users = people
    guid = owner.create("perm-http")["guid"]
    r = owner(
        "POST",
        "v1/content/%s/permissions" % guid,
        json={"principal_guid": users["perm-ann"], "principal_type": "user", "role": "viewer"},
    )
    assert r.status_code == 200, r.text
    pid = r.json()["id"]
    one = owner("GET", "v1/content/%s/permissions/%s" % (guid, pid))
    assert one.status_code == 200 and one.json() == r.json()
    missing = owner("GET", "v1/content/%s/permissions/999999" % guid)
    assert missing.status_code == 404 and missing.json()["code"] == 4
    # PUT: a viewer cannot become a collaborator; the entry's user cannot change
    refused = owner("PUT", "v1/content/%s/permissions/%s" % (guid, pid), json={"role": "owner"})
    assert refused.status_code == 400 and "viewer cannot be a collaborator" in refused.json()["error"]
    moved = owner(
        "PUT",
        "v1/content/%s/permissions/%s" % (guid, pid),
        json={"principal_guid": users["perm-bob"], "principal_type": "user", "role": "viewer"},
    )
    assert moved.status_code == 400 and "cannot change" in moved.json()["error"]
    group = owner(
        "PUT",
        "v1/content/%s/permissions/%s" % (guid, pid),
        json={"principal_guid": users["perm-ann"], "principal_type": "group", "role": "viewer"},
    )
    assert group.status_code == 400 and "no groups" in group.json()["error"]
    assert owner("GET", "v1/content/%s/permissions/%s" % (guid, pid)).json()["role"] == "viewer"
    # an entry of another content item is not found through this one
    other = owner.create("perm-http-other")["guid"]
    assert owner("GET", "v1/content/%s/permissions/%s" % (other, pid)).status_code == 404
    assert owner("DELETE", "v1/content/%s/permissions/%s" % (other, pid)).status_code == 404
    assert owner("DELETE", "v1/content/%s/permissions/%s" % (guid, pid)).status_code == 204
    assert owner("GET", "v1/content/%s/permissions/%s" % (guid, pid)).status_code == 404


@pytest.mark.parametrize(
    "field, value",
    [
        ("min_processes", 2),
        ("max_processes", 4),
        ("idle_timeout", 60),
        ("memory_limit", 10**9),
        ("metrics_collection_enabled", True),
        ("run_as_current_user", True),
        ("notify_on_share", True),
    ],
)
def test_settings_the_server_does_not_store_are_refused(local_server, people, field, value):
    owner, _ = people
    item = owner.create("unstored-%s" % field.replace("_", "-"))
    r = owner("PATCH", "v1/content/" + item["guid"], json={field: value, "title": "Not applied"})
    assert r.status_code == 400 and r.json()["code"] == 3, r.text
    assert field in r.json()["error"] and "does not store" in r.json()["error"]
    after = owner("GET", "v1/content/" + item["guid"]).json()
    assert after[field] == item[field] and after["title"] == item["title"]  # nothing of the request applied
    # the value shown, as a client sending back what it read, changes nothing and is accepted
    assert owner("PATCH", "v1/content/" + item["guid"], json={field: item[field]}).status_code == 200


def test_posit_sdk_update_of_an_unstored_setting_fails_with_connects_error(local_server, people):
    owner, _ = people
    guid = owner.create("unstored-sdk")["guid"]
    code = (
        """
from posit.connect.errors import ClientError
content = client.content.get(%r)
try:
    content.update(max_processes=3)
    print(json.dumps({"raised": None}))
except ClientError as e:
    print(json.dumps({"raised": [e.http_status, e.error_code, e.error_message]}))
"""
        % guid
    )
    out = posit_sdk.run(local_server.url, owner.key, code)
    assert out["raised"][:2] == [400, 3] and "max_processes" in out["raised"][2]


def test_an_administrator_changes_the_owner(local_server, people):
    owner, users = people
    admin = Client(local_server)
    item = owner.create("owned-by-one")
    # the owner may not hand it over; an administrator may
    r = owner("PATCH", "v1/content/" + item["guid"], json={"owner_guid": users["perm-bob"]})
    assert r.status_code == 403 and r.json()["code"] == 19
    r = admin("PATCH", "v1/content/" + item["guid"], json={"owner_guid": users["perm-ann"]})
    assert r.status_code == 400 and "viewer cannot own" in r.json()["error"]
    r = admin("PATCH", "v1/content/" + item["guid"], json={"owner_guid": "not-a-user"})
    assert r.status_code == 404
    r = admin("PATCH", "v1/content/" + item["guid"], json={"owner_guid": users["perm-bob"]})
    assert r.status_code == 200, r.text
    assert r.json()["owner_guid"] == users["perm-bob"] and r.json()["owner"]["username"] == "perm-bob"
    # the previous owner no longer may change it
    assert owner("PATCH", "v1/content/" + item["guid"], json={"title": "Mine again"}).status_code == 403
    # sending the current owner back is no change
    assert admin("PATCH", "v1/content/" + item["guid"], json={"owner_guid": users["perm-bob"]}).status_code == 200

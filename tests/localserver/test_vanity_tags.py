"""Vanity paths and tags as Connect has them, over real HTTP, with posit-sdk as a judge."""

from __future__ import annotations

import pytest
import requests

from tests.core import posit_sdk
from tests.localserver.localserver_helpers import Client, static_bundle


@pytest.fixture(scope="module")
def owner(local_server):
    return Client(local_server, local_server.add_user("vanity-owner", "publisher"))


def test_a_vanity_path_leads_to_the_content(local_server, owner):
    guid = owner.create("vanity-q4")["guid"]
    task, lines = owner.publish(guid, static_bundle("<p>q4 numbers</p>", more={"notes.html": "<p>notes</p>"}))
    assert task["code"] == 0, lines
    missing = owner("GET", "v1/content/%s/vanity" % guid)
    assert missing.status_code == 404 and missing.json()["code"] == 4
    r = owner("PUT", "v1/content/%s/vanity" % guid, json={"path": "q4"})  # slashes added, as on Connect
    assert r.status_code == 200, r.text
    assert r.json()["path"] == "/q4/" and r.json()["content_guid"] == guid and r.json()["created_time"]
    assert owner("GET", "v1/content/%s/vanity" % guid).json() == r.json()

    served = owner.get(local_server.url + "q4/", timeout=60)
    assert served.status_code == 200 and "q4 numbers" in served.text
    assert "notes" in owner.get(local_server.url + "q4/notes.html", timeout=60).text
    assert "q4 numbers" in owner.get(local_server.url + "q4", timeout=60).text  # without the slash too
    assert owner.get(local_server.url + "no-such-vanity/", timeout=60).status_code == 404
    # served in place, as on Connect: no redirect to /content/GUID/ (which told anyone the GUID)
    assert not served.history and served.url == local_server.url + "q4/"
    # the content's access is checked at the vanity path itself: without a key, the sign-in page,
    # and nothing on the way names the GUID
    anonymous = requests.get(local_server.url + "q4/notes.html?x=1", timeout=60)
    assert anonymous.url.startswith(local_server.url + "__login__?next=%2Fq4%2Fnotes.html")
    assert "q4 numbers" not in anonymous.text and "<p>notes</p>" not in anonymous.text
    seen = [r.headers.get("Location", "") for r in anonymous.history] + [anonymous.url, anonymous.text]
    assert not any(guid in text for text in seen), seen
    denied = requests.get(
        local_server.url + "q4/",
        headers={"Authorization": "Key " + local_server.add_user("vanity-stranger", "viewer")},
        timeout=60,
    )
    assert denied.status_code == 403 and guid not in denied.text and not denied.history

    # taken, overlapping, reserved, malformed: refused in one sentence
    other = owner.create("vanity-other")["guid"]
    taken = owner("PUT", "v1/content/%s/vanity" % other, json={"path": "/q4/"})
    assert taken.status_code == 409 and "already in use" in taken.json()["error"]
    inside = owner("PUT", "v1/content/%s/vanity" % other, json={"path": "/q4/detail/"})
    assert inside.status_code == 409 and "overlaps" in inside.json()["error"]
    for path, words in (("/connect/x/", "reserved"), ("/__api__/", "reserved"), ("/a b/", "letters"), ("/", "empty")):
        r = owner("PUT", "v1/content/%s/vanity" % other, json={"path": path})
        assert r.status_code == 400 and r.json()["code"] == 3 and words in r.json()["error"], (path, r.text)
    forced = owner("PUT", "v1/content/%s/vanity" % other, json={"path": "/q4/", "force": True})
    assert forced.status_code == 403  # force is for administrators
    forced = Client(local_server)("PUT", "v1/content/%s/vanity" % other, json={"path": "/q4/", "force": True})
    assert forced.status_code == 200 and forced.json()["content_guid"] == other
    assert owner("GET", "v1/content/%s/vanity" % guid).status_code == 404  # taken from the first

    assert owner("DELETE", "v1/content/%s/vanity" % other).status_code == 204
    assert owner.get(local_server.url + "q4/", timeout=60).status_code == 404


def test_posit_sdk_sets_and_removes_a_vanity(local_server, owner):
    guid = owner.create("vanity-sdk")["guid"]
    out = posit_sdk.run(
        local_server.url,
        owner.key,
        """
content = client.content.get(%r)
content.vanity = "/sdk-made/"
set_to = content.vanity
content.reset_vanity()
read = content.vanity
del content.vanity
content.reset_vanity()
print(json.dumps({"set": set_to, "read": read, "after": content.vanity}))
"""
        % guid,
    )
    assert out == {"set": "/sdk-made/", "read": "/sdk-made/", "after": None}


def test_tags_and_content_tags(local_server, owner):
    admin = Client(local_server)
    guid = owner.create("tagged")["guid"]
    refused = owner("POST", "v1/tags", json={"name": "by-a-publisher"})
    assert refused.status_code == 403 and refused.json()["code"] == 19
    category = admin("POST", "v1/tags", json={"name": "Quarter"}).json()
    assert set(category) == {"id", "name", "parent_id", "created_time", "updated_time"}  # fixture v1_tags_33.json
    assert category["parent_id"] is None and isinstance(category["id"], str)
    q4 = admin("POST", "v1/tags", json={"name": "Q4", "parent_id": category["id"]}).json()
    assert q4["parent_id"] == category["id"]
    again = admin("POST", "v1/tags", json={"name": "Q4", "parent_id": category["id"]})
    assert again.status_code == 409
    assert [t["name"] for t in owner("GET", "v1/tags", params={"parent_id": category["id"]}).json()] == ["Q4"]
    assert owner("GET", "v1/tags/" + q4["id"]).json() == q4

    r = owner("POST", "v1/content/%s/tags" % guid, json={"tag_id": q4["id"]})
    assert r.status_code == 200, r.text
    assert [t["id"] for t in owner("GET", "v1/content/%s/tags" % guid).json()] == [q4["id"]]
    assert [c["guid"] for c in owner("GET", "v1/tags/%s/content" % q4["id"]).json()] == [guid]
    assert owner("POST", "v1/content/%s/tags" % guid, json={"tag_id": "999999"}).status_code == 404

    renamed = admin("PATCH", "v1/tags/" + q4["id"], json={"name": "Fourth"})
    assert renamed.status_code == 200 and renamed.json()["name"] == "Fourth"
    loop = admin("PATCH", "v1/tags/" + category["id"], json={"parent_id": q4["id"]})
    assert loop.status_code == 400 and loop.json()["code"] == 3

    assert owner("DELETE", "v1/content/%s/tags/%s" % (guid, q4["id"])).status_code == 204
    assert owner("GET", "v1/content/%s/tags" % guid).json() == []
    owner("POST", "v1/content/%s/tags" % guid, json={"tag_id": q4["id"]})
    # deleting the category removes its tags and their use on content
    assert admin("DELETE", "v1/tags/" + category["id"]).status_code == 204
    assert admin("GET", "v1/tags/" + q4["id"]).status_code == 404
    assert owner("GET", "v1/content/%s/tags" % guid).json() == []


def test_posit_sdk_tags(local_server, owner):
    guid = owner.create("tagged-sdk")["guid"]
    made = posit_sdk.run(
        local_server.url,
        local_server.api_key,
        """
category = client.tags.create(name="SDK category")
child = client.tags.create(name="SDK child", parent=category)
print(json.dumps({"category": category["id"], "child": child["id"], "parent": child["parent_id"]}))
""",
    )
    assert made["parent"] == made["category"]
    out = posit_sdk.run(
        local_server.url,
        owner.key,
        """
content = client.content.get(%(guid)r)
tag = client.tags.get(%(child)r)
content.tags.add(tag)
found = [t["name"] for t in content.tags.find()]
items = [c["guid"] for c in tag.content_items.find()]
content.tags.delete(tag)
print(json.dumps({"found": found, "items": items, "after": [t["name"] for t in content.tags.find()]}))
"""
        % {"guid": guid, "child": made["child"]},
    )
    assert out == {"found": ["SDK child"], "items": [guid], "after": []}


def test_content_includes_tags_and_vanity_url_when_asked(local_server, owner):
    admin = Client(local_server)
    guid = owner.create("included")["guid"]
    tag = admin("POST", "v1/tags", json={"name": "included-tag"}).json()
    owner("POST", "v1/content/%s/tags" % guid, json={"tag_id": tag["id"]})
    plain = owner("GET", "v1/content/" + guid).json()
    assert "vanity_url" not in plain and "tags" not in plain
    item = owner("GET", "v1/content/" + guid, params={"include": "tags,vanity_url"}).json()
    assert item["vanity_url"] is None and [t["name"] for t in item["tags"]] == ["included-tag"]
    owner("PUT", "v1/content/%s/vanity" % guid, json={"path": "/included/"})
    listed = owner("GET", "v1/content", params={"name": "included", "include": "vanity_url"}).json()
    assert [c["vanity_url"] for c in listed] == [local_server.url + "included/"]

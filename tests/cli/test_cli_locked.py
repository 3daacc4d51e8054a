"""Locked content: the local server stores `locked` and `locked_message` as Connect does (PATCH
v1/content/{guid}) and refuses uploads, deploys and builds to it; our CLI refuses before building or
sending anything, in one sentence with the owner's message, and creates nothing."""

import uuid

from tests.cli.test_cli_publish import cli, ok, one_sentence_failure
from tests.core import posit_sdk
from tests.core import rsconnect_python as pinned

REASON = "Frozen for the audit until Friday"


def page(tmp_path, text):
    path = tmp_path / "index.html"
    path.write_text("<!doctype html><title>Locked</title><p>%s</p>" % text)
    return path


def test_locked_content_refuses_every_deploy_and_creates_nothing(local_server, tmp_path):
    key = local_server.add_user("lock" + uuid.uuid4().hex[:6], "publisher")
    target = ["-s", local_server.url, "-k", key]
    path = page(tmp_path, "First")
    url = ok(cli("deploy", "html", "-q", "-t", "Audit report", *target, path)).stdout.strip()
    guid = url.rstrip("/").rsplit("/", 1)[1]
    item = local_server.api("GET", "v1/content/" + guid, key=key).json()
    assert item["locked"] is False and item["locked_message"] == ""

    changed = local_server.api("PATCH", "v1/content/" + guid, key=key, json={"locked": True, "locked_message": REASON})
    assert changed.status_code == 200 and changed.json()["locked"] is True
    assert local_server.api("GET", "v1/content/" + guid, key=key).json()["locked_message"] == REASON
    bundles = local_server.api("GET", "v1/content/%s/bundles" % guid, key=key).json()
    items = local_server.api("GET", "v1/content", key=key).json()

    path.write_text("<p>Second</p>")
    result = cli("deploy", "html", *target, path)
    refused = one_sentence_failure(result)
    assert refused == 'Error: "Audit report" on %s is locked, so it takes no new deploy: %s.' % (
        local_server.url,
        REASON,
    )
    assert "Building the bundle" not in result.stderr and "Uploading" not in result.stderr
    for args in (("content", "build", guid), ("content", "activate", guid, bundles[0]["id"])):
        assert "is locked, so it takes no new deploy: %s." % REASON in one_sentence_failure(cli(*args, *target))
    assert local_server.api("GET", "v1/content/%s/bundles" % guid, key=key).json() == bundles
    assert local_server.api("GET", "v1/content", key=key).json() == items  # nothing created, nothing changed
    assert "First" in local_server.get(url, key=key).text

    # The server refuses too, whatever the client: an upload, a deploy, a build.
    upload = local_server.api("POST", "v1/content/%s/bundles" % guid, key=key, data=b"not even a bundle")
    assert upload.status_code == 403 and REASON in upload.json()["error"]
    for action in ("deploy", "build"):
        answer = local_server.api(
            "POST", "v1/content/%s/%s" % (guid, action), key=key, json={"bundle_id": bundles[0]["id"]}
        )
        assert answer.status_code == 403 and REASON in answer.json()["error"], answer.text

    # rsconnect-python, too, is refused by the server.
    config = tmp_path / "config"
    failed = pinned.run_failing(
        config, "deploy", "html", path, "--server", local_server.url, "--api-key", key, "--app-id", guid
    )
    assert REASON in failed
    assert local_server.api("GET", "v1/content/%s/bundles" % guid, key=key).json() == bundles

    # Unlocked, it deploys again.
    assert local_server.api("PATCH", "v1/content/" + guid, key=key, json={"locked": False}).json()["locked"] is False
    ok(cli("deploy", "html", "-q", *target, path))
    assert "Second" in local_server.get(url, key=key).text


def test_lock_fields_are_checked(local_server):
    guid = local_server.api("POST", "v1/content", json={"name": "lockcheck-" + uuid.uuid4().hex[:6]}).json()["guid"]
    bad = local_server.api("PATCH", "v1/content/" + guid, json={"locked": "yes"})
    assert bad.status_code == 400 and "locked must be true or false" in bad.json()["error"]
    assert local_server.api("GET", "v1/content/" + guid).json()["locked"] is False
    only_message = local_server.api("PATCH", "v1/content/" + guid, json={"locked_message": "Why"}).json()
    assert only_message["locked"] is False and only_message["locked_message"] == "Why"
    assert local_server.api("DELETE", "v1/content/" + guid).status_code == 204


def test_posit_sdk_locks_and_unlocks_content(local_server):
    key = local_server.add_user("sdklock" + uuid.uuid4().hex[:6], "publisher")
    guid = local_server.api("POST", "v1/content", key=key, json={"name": "sdk-lock-" + uuid.uuid4().hex[:6]}).json()[
        "guid"
    ]
    code = """
content = client.content.get(%r)
content.update(locked=True, locked_message=%r)
locked = client.content.get(%r)
print(json.dumps([locked["locked"], locked["locked_message"]]))
""" % (guid, REASON, guid)
    assert posit_sdk.run(local_server.url, key, code) == [True, REASON]
    answer = local_server.api("POST", "v1/content/%s/bundles" % guid, key=key, data=b"x")
    assert answer.status_code == 403 and REASON in answer.json()["error"]

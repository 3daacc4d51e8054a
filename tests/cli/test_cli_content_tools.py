"""`rsconnect content search | describe | download-bundle | get-lockfile | venv | build` against the
local server over HTTP: an API is deployed, found by each filter, its source and lockfile fetched,
its environment made again here with uv (its `pip freeze` is the lockfile), and built again."""

import io
import json
import subprocess
import tarfile
import uuid

import pytest

from rsconnect_jupyter.localconnect.environments import find_uv
from tests.cli.test_cli_apps import copy_app
from tests.cli.test_cli_publish import cli, ok, one_sentence_failure

pytestmark = pytest.mark.slow


def packages(text):
    """The package lines of a lockfile or `pip freeze`, comments and blank lines left out."""
    return sorted(line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#"))


@pytest.fixture(scope="module")
def published(local_server, tmp_path_factory):
    """A publisher's API (the WSGI sample), tagged, and a static notebook of theirs beside it."""
    tmp = tmp_path_factory.mktemp("content-tools")
    user = "cora" + uuid.uuid4().hex[:6]
    key = local_server.add_user(user, "publisher")
    target = ["-s", local_server.url, "-k", key]
    title = "Quarterly API %s" % uuid.uuid4().hex[:6]
    folder = copy_app(tmp, "wsgi")
    url = ok(cli("deploy", "api", "-q", "-t", title, *target, folder)).stdout.strip()
    guid = url.rstrip("/").rsplit("/", 1)[1]
    tag = local_server.api("POST", "v1/tags", json={"name": "finance-" + uuid.uuid4().hex[:6]}).json()
    assert local_server.api("POST", "v1/content/%s/tags" % guid, json={"tag_id": tag["id"]}).status_code < 300
    other = ok(cli("deploy", "html", "-q", "-t", "Other doc of " + user, *target, write_html(tmp))).stdout.strip()
    return dict(user=user, key=key, target=target, title=title, guid=guid, tag=tag["name"], folder=folder, other=other)


def write_html(tmp):
    page = tmp / "page.html"
    page.write_text("<!doctype html><title>Other</title><p>Other document</p>")
    return page


def search(published, *args):
    out = ok(cli("content", "search", "--json", *args, *published["target"])).stdout
    return [item["guid"] for item in json.loads(out)]


def test_search_finds_the_content_by_each_filter(published):
    guid = published["guid"]
    assert search(published, "--title-contains", published["title"].upper()) == [guid]
    assert guid in search(published, "--content-type", "python-api")
    assert guid not in search(published, "--content-type", "static")
    assert search(published, "--owner", published["user"], "--content-type", "python-api") == [guid]
    assert len(search(published, "--owner", published["user"])) == 2  # the API and the HTML page
    assert search(published, "--tag", published["tag"]) == [guid]
    assert search(published, "--tag", "no-such-tag-" + uuid.uuid4().hex[:6]) == []
    assert guid in search(published, "--published") and guid not in search(published, "--unpublished")
    table = ok(cli("content", "search", "--title-contains", published["title"], *published["target"])).stdout
    assert guid in table and published["title"] in table and published["user"] in table
    refused = one_sentence_failure(cli("content", "search", "--published", "--unpublished", *published["target"]))
    assert "exclude each other" in refused


def test_describe_and_download_bundle(local_server, published, tmp_path):
    guid, target = published["guid"], published["target"]
    item = json.loads(ok(cli("content", "describe", guid, *target)).stdout)
    assert item["guid"] == guid and item["app_mode"] == "python-api" and item["title"] == published["title"]
    # A deployed folder names its content too (its deployment record).
    assert json.loads(ok(cli("content", "describe", published["folder"], *target)).stdout)["guid"] == guid

    out = tmp_path / "source.tar.gz"
    said = ok(cli("content", "download-bundle", guid, "-o", out, *target)).stdout
    assert "Saved version %s" % item["bundle_id"] in said
    served = local_server.api("GET", "v1/content/%s/bundles/%s/download" % (guid, item["bundle_id"])).content
    assert out.read_bytes() == served
    with tarfile.open(fileobj=io.BytesIO(served)) as tar:
        assert {"app.py", "manifest.json"} <= set(tar.getnames())
    refused = one_sentence_failure(cli("content", "download-bundle", guid, "-o", out, *target))
    assert "already exists" in refused and "--overwrite" in refused
    ok(cli("content", "download-bundle", guid, "--bundle-id", item["bundle_id"], "-o", out, "--overwrite", *target))
    missing = one_sentence_failure(
        cli("content", "download-bundle", guid, "--bundle-id", "999999", "-o", tmp_path / "x", *target)
    )
    assert "has no version 999999" in missing and not (tmp_path / "x").exists()


def test_lockfile_and_a_venv_whose_freeze_matches_it(local_server, published, tmp_path):
    guid, target = published["guid"], published["target"]
    lock_path = tmp_path / "requirements.txt.lock"
    ok(cli("content", "get-lockfile", guid, "-o", lock_path, *target))
    answer = local_server.api("GET", "v1/content/%s/lockfile" % guid, key=published["key"])
    assert answer.status_code == 200 and answer.headers["Content-Type"].startswith("text/plain")
    assert lock_path.read_text() == answer.text
    locked = packages(answer.text)
    assert any(line.startswith("waitress==") for line in locked)  # what the server runs the API with
    python = answer.headers["Generated-By"].split("python=", 1)[1]

    env = tmp_path / "env"
    said = ok(cli("content", "venv", guid, env, *target))
    assert "Environment ready (Python %s)" % python in said.stdout
    freeze = subprocess.run(
        [find_uv(), "pip", "freeze", "--python", str(env / "bin" / "python")],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert packages(freeze) == locked
    version = subprocess.run(
        [str(env / "bin" / "python"), "-c", "import sys; print(sys.version.split()[0])"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert version.strip().split(".")[:2] == python.split(".")[:2]

    # A folder that is not an environment is refused, and left as it was.
    taken = tmp_path / "taken"
    taken.mkdir()
    (taken / "notes.txt").write_text("mine")
    refused = one_sentence_failure(cli("content", "venv", guid, taken, *target))
    assert "is not a virtual environment" in refused and (taken / "notes.txt").read_text() == "mine"


def test_static_content_has_no_lockfile(published):
    other = published["other"].rstrip("/").rsplit("/", 1)[1]
    refused = one_sentence_failure(cli("content", "get-lockfile", other, "-o", "-", *published["target"]))
    assert "static content has no Python environment" in refused


def test_build_again_without_an_upload(local_server, published):
    guid, target = published["guid"], published["target"]
    before = local_server.api("GET", "v1/content/%s/bundles" % guid).json()
    live = local_server.api("GET", "v1/content/" + guid).json()["bundle_id"]
    result = ok(cli("content", "build", guid, *target))
    assert "Built version %s of %s: live." % (live, published["title"]) in result.stdout
    assert "Deploying bundle %s" % live in result.stderr  # the server's build log, followed
    assert local_server.api("GET", "v1/content/%s/bundles" % guid).json() == before  # nothing uploaded
    page = local_server.get(local_server.url + "content/%s/" % guid, key=published["key"], timeout=60)
    assert "Hello from the sample WSGI API" in page.text
    refused = one_sentence_failure(cli("content", "build", guid, "--bundle-id", "999999", *target))
    assert "has no version 999999" in refused

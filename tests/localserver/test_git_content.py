"""The local server's git-backed content (localconnect/git_content.py, git_repos.py,
handlers/repository.py) over HTTP, judged by the public clients: rsconnect-python 1.32's
`deploy git` and `content repository`, and posit-sdk 0.17's `content.repository` calls. Repositories
come from `git http-backend` (smart HTTP), plain files (dumb HTTP) and `file://` URLs."""

from __future__ import annotations

import json
import subprocess

import pytest

from tests.core import posit_sdk
from tests.core import rsconnect_python as pinned
from tests.git_served import GitHost, static_site
from tests.localserver.localserver_helpers import Client

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def host(tmp_path_factory):
    served = GitHost(tmp_path_factory.mktemp("git-hosted"))
    yield served
    served.stop()


def site(folder, words):
    return {"%s/%s" % (folder, name): text for name, text in static_site(words).items()}


def rsconnect_python(config, *args):
    return subprocess.run(
        [str(pinned.venv() / "bin" / "rsconnect"), *map(str, args)],
        capture_output=True,
        text=True,
        env=pinned.environ(config),
        timeout=300,
    )


def test_rsconnect_python_deploys_git_content_and_redeploys_a_new_commit(local_server, host, tmp_path):
    key = local_server.add_user("pygit", "publisher")
    owner = Client(local_server, key)
    repo = host.new_repo(tmp_path / "work", "public")
    repo.write(site("docs/site", "deployed by rsconnect-python"))
    first = repo.commit("first")
    server = ["--server", local_server.url, "--api-key", key]

    done = rsconnect_python(
        tmp_path / "config", "deploy", "git", "--repository", repo.url, "--branch", "main",
        "--subdirectory", "docs/site", "--no-polling", *server,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    (item,) = [c for c in owner("GET", "v1/content").json() if c["title"] == "public/docs/site"]
    assert "deployed by rsconnect-python" in owner.get(item["content_url"]).text
    shown = rsconnect_python(tmp_path / "config", "content", "repository", "show", "--guid", item["guid"], *server)
    assert shown.returncode == 0, shown.stderr
    info = json.loads(shown.stdout)
    assert info == {
        "repository": repo.url,
        "branch": "main",
        "directory": "docs/site",
        "polling": False,
        "last_known_commit": first,
        "last_error": "",
    }

    repo.write(site("docs/site", "a newer commit"))
    repo.commit("second")
    again = rsconnect_python(tmp_path / "config", "content", "repository", "redeploy", "-g", item["guid"], *server)
    assert again.returncode == 0, again.stdout + again.stderr
    assert "Deployment task started" in again.stdout
    task_id = again.stdout.split("Deployment task started:")[1].split()[0]
    assert owner.wait(task_id)[0]["code"] == 0
    assert "a newer commit" in owner.get(item["content_url"]).text

    removed = rsconnect_python(
        tmp_path / "config", "content", "repository", "delete", "-g", item["guid"], "--force", *server
    )
    assert removed.returncode == 0, removed.stderr
    gone = rsconnect_python(tmp_path / "config", "content", "repository", "show", "-g", item["guid"], *server)
    assert gone.returncode == 1 and "not git-managed" in gone.stderr


def test_rsconnect_python_hears_a_refusal_as_one_sentence(local_server, host, tmp_path):
    key = local_server.add_user("pygit-refused", "publisher")
    repo = host.new_repo(tmp_path / "work", "nomanifest")
    repo.write({"README.md": "no manifest here\n"})
    repo.commit("just a readme")
    done = rsconnect_python(
        tmp_path / "config", "deploy", "git", "-r", repo.url, "--server", local_server.url, "--api-key", key
    )
    assert done.returncode != 0
    assert "has no manifest.json in its top folder" in done.stderr, done.stderr
    listed = Client(local_server, key)("GET", "v1/content").json()
    assert all(not local_server.api("GET", "v1/content/%s/repository" % c["guid"], key).ok for c in listed)
    assert all(not c["bundle_id"] for c in listed)  # nothing was made but the item the client created


def test_posit_sdk_sets_reads_changes_and_removes_a_repository(local_server, host, tmp_path):
    key = local_server.add_user("sdkgit", "publisher")
    owner = Client(local_server, key)
    repo = host.new_repo(tmp_path / "work", "sdk")
    repo.write(site("one", "folder one"))
    repo.write(site("two", "folder two"))
    commit = repo.commit("two folders")
    item = owner.create("sdk-git", "SDK git")
    got = posit_sdk.run(
        local_server.url,
        key,
        "item = client.content.get(%r)\n"
        "made = item.create_repository(repository=%r, branch='main', directory='one', polling=False)\n"
        "first = dict(made)\n"
        "item.repository.update(directory='two', polling=True)\n"
        "second = dict(item.repository)\n"
        "item.repository.destroy()\n"
        "print(json.dumps({'first': first, 'second': second, 'after': item.repository}))\n" % (item["guid"], repo.url),
    )
    assert got["first"]["directory"] == "one" and got["first"]["last_known_commit"] == commit
    assert got["second"]["directory"] == "two" and got["second"]["polling"] is True
    assert got["after"] is None
    bundles = owner("GET", "v1/content/%s/bundles" % item["guid"]).json()
    assert [b["metadata"]["source_commit"] for b in bundles] == [commit, commit]  # one per folder


@pytest.mark.parametrize("served", ["dumb-http", "file"])
def test_dumb_http_and_file_repositories_deploy(local_server, tmp_path, served):
    key = local_server.add_user("plain-" + served, "publisher")
    owner = Client(local_server, key)
    dumb = GitHost(tmp_path / "hosted", dumb=True)
    try:
        repo = dumb.new_repo(tmp_path / "work", "plain")
        repo.write(site(".", "served as " + served))
        repo.commit("a page")
        url = repo.url if served == "dumb-http" else repo.bare.as_uri()
        item = owner.create("plain-" + served, "Plain " + served)
        r = owner("PUT", "v1/content/%s/repository" % item["guid"], json={"repository": url, "branch": "main"})
        assert r.status_code == 200, r.text
        r = owner("POST", "v1/content/%s/deploy" % item["guid"], json={"bundle_id": None})
        assert owner.wait(r.json()["task_id"])[0]["code"] == 0
        assert "served as " + served in owner.get(item["content_url"]).text
    finally:
        dumb.stop()


def test_refusals_store_nothing_and_patch_without_a_move_does_not_fetch(local_server, host, tmp_path):
    key = local_server.add_user("rules", "publisher")
    owner = Client(local_server, key)
    repo = host.new_repo(tmp_path / "work", "rules")
    repo.write(site(".", "rules"))
    repo.commit("a page")
    item = owner.create("git-rules", "Git rules")
    path = "v1/content/%s/repository" % item["guid"]
    refused = {
        "ssh://git@example.invalid/x.git": "must start with https://, http:// or file://",
        host.url + "missing.git": "Cannot fetch",
    }
    for url, words in refused.items():
        r = owner("PUT", path, json={"repository": url})
        assert r.status_code == 400 and words in r.json()["error"], r.text
    r = owner("PUT", path, json={"repository": repo.url, "directory": "../outside"})
    assert r.status_code == 400 and "must be a folder inside the repository" in r.json()["error"]
    r = owner("PUT", path, json={"repository": repo.url, "pollng": True})
    assert r.status_code == 400 and "Unknown field(s): pollng" in r.json()["error"]
    assert owner("GET", path).status_code == 404
    assert owner("GET", "v1/content/%s/bundles" % item["guid"]).json() == []

    assert owner("PUT", path, json={"repository": repo.url}).status_code == 200
    r = owner("PATCH", path, json={"polling": True})
    assert r.status_code == 200 and r.json()["polling"] is True
    assert len(owner("GET", "v1/content/%s/bundles" % item["guid"]).json()) == 1  # no new fetch, no new bundle
    r = owner("PATCH", path, json={"branch": "gone"})
    assert r.status_code == 400 and "has no branch 'gone'" in r.json()["error"]
    assert owner("GET", path).json()["branch"] == "main"  # the refused change left it as it was

"""Git-backed content through our CLI (`rsconnect deploy git`, `rsconnect content repository`), against
the local server, which clones a repository that `git http-backend` serves on 127.0.0.1
(tests/git_served.py): the content serves the committed page; a new commit is deployed on request
(`content repository redeploy`) and, on a server that polls every second, on its own; a repository,
branch or folder the server cannot use is refused in one sentence and leaves no content behind."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.cli.test_cli_publish import cli, ok, one_sentence_failure
from tests.git_served import GIT_ENV, GitHost, static_site
from tests.project_copies import copy_example


@pytest.fixture(scope="module")
def host(tmp_path_factory):
    served = GitHost(tmp_path_factory.mktemp("git-hosted"))
    yield served
    served.stop()


def site(folder, words):
    return {"%s/%s" % (folder, name): text for name, text in static_site(words).items()}


def target(server, key=None):
    return ["-s", server.url, "-k", key or server.api_key]


def wait_for(check, timeout, what):
    deadline = time.time() + timeout
    while time.time() < deadline:
        got = check()
        if got:
            return got
        time.sleep(0.5)
    raise AssertionError("%s did not happen within %d s" % (what, timeout))


def content_guid(stdout):
    url = [line for line in stdout.splitlines() if line.startswith("Content URL:")][0].split()[-1]
    return url.rstrip("/").rsplit("/", 1)[-1], url


def test_deploy_git_serves_the_commit_and_redeploy_picks_up_a_new_one(local_server, host, tmp_path):
    key = local_server.add_user("gita", "publisher")
    repo = host.new_repo(tmp_path / "work", "quarterly")
    repo.write(site("reports/q4", "first quarter words"))
    first = repo.commit("the first report")

    done = ok(
        cli(
            "deploy", "git", repo.url, "--branch", "main", "--directory", "reports/q4", "--no-polling",
            *target(local_server, key),
        )
    )  # fmt: skip
    assert "Published quarterly/reports/q4" in done.stdout  # rsconnect-python's title: repository/folder
    guid, url = content_guid(done.stdout)
    assert "first quarter words" in local_server.get(url, key).text

    shown = json.loads(ok(cli("content", "repository", "show", guid, *target(local_server, key))).stdout)
    assert shown["repository"] == repo.url and shown["branch"] == "main"
    assert shown["directory"] == "reports/q4" and shown["polling"] is False
    assert shown["last_known_commit"] == first

    repo.write(site("reports/q4", "second quarter words"))
    second = repo.commit("the next report")
    said = ok(cli("content", "repository", "redeploy", "--guid", guid, *target(local_server, key)))
    assert "Deployed bundle" in said.stdout
    assert "second quarter words" in local_server.get(url, key).text
    bundles = local_server.api("GET", "v1/content/%s/bundles" % guid, key).json()
    assert len(bundles) == 2
    newest = max(bundles, key=lambda b: int(b["id"]))
    assert newest["active"] and newest["metadata"]["source"] == "git"
    assert newest["metadata"]["source_commit"] == second and newest["metadata"]["source_repo"] == repo.url

    # redeploying the same content again (with --app-id) moves it to another folder of the repository
    repo.write(site("reports/q1", "a new folder"))
    repo.commit("another folder")
    ok(
        cli(
            "deploy", "git", "--repository", repo.url, "-d", "reports/q1", "--app-id", guid,
            "--no-polling", "--no-verify", *target(local_server, key),
        )
    )  # fmt: skip
    assert "a new folder" in local_server.get(url, key).text

    # a draft of the next commit: built and previewed, while the live page stays
    repo.write(site("reports/q1", "draft words"))
    repo.commit("a draft")
    drafted = ok(
        cli(
            "deploy",
            "git",
            repo.url,
            "-d",
            "reports/q1",
            "-a",
            guid,
            "--draft",
            "--no-polling",
            *target(local_server, key),
        )
    )
    draft_url = [line for line in drafted.stdout.splitlines() if line.startswith("Draft URL:")][0].split()[-1]
    assert "draft words" in local_server.get(draft_url, key).text
    assert "a new folder" in local_server.get(url, key).text

    # set, then remove: the content stays deployed, no longer git-backed
    changed = json.loads(ok(cli("content", "repository", "set", guid, "--polling", *target(local_server, key))).stdout)
    assert changed["polling"] is True and changed["directory"] == "reports/q1"
    said = ok(cli("content", "repository", "remove", guid, "--force", *target(local_server, key)))
    assert "no longer git-backed" in said.stdout
    assert local_server.api("GET", "v1/content/%s/repository" % guid, key).status_code == 404
    assert "a new folder" in local_server.get(url, key).text
    gone = cli("content", "repository", "show", guid, *target(local_server, key))
    assert "is not git-backed" in one_sentence_failure(gone)


def test_what_the_server_cannot_deploy_is_refused_in_one_sentence_and_leaves_nothing(local_server, host, tmp_path):
    key = local_server.add_user("gisela", "publisher")
    repo = host.new_repo(tmp_path / "work", "refusals")
    repo.write(site("app", "hello"))
    repo.commit("a page")

    def content_count():
        return len(local_server.api("GET", "v1/content", key).json())

    before = content_count()
    cases = [
        (["--branch", "nope", "-d", "app"], "has no branch 'nope'"),
        (["-d", "elsewhere"], "has no manifest.json in the folder elsewhere"),
    ]
    for options, words in cases:
        failed = cli("deploy", "git", repo.url, *options, *target(local_server, key))
        sentence = one_sentence_failure(failed)
        assert words in sentence, sentence
    unreachable = cli("deploy", "git", host.url + "no-such.git", *target(local_server, key))
    assert "Cannot fetch %sno-such.git" % host.url in one_sentence_failure(unreachable)
    not_a_url = cli("deploy", "git", "reports", *target(local_server, key))
    assert "is not a repository URL" in one_sentence_failure(not_a_url)
    assert content_count() == before  # each new, empty content item was removed again

    # rsconnect-python's name for remove works too, and stays out of the help
    assert "Stop following the repository" in ok(cli("content", "repository", "delete", "--help")).stdout
    assert "delete" not in ok(cli("content", "repository", "--help")).stdout


def test_a_new_commit_is_deployed_by_polling(local_servers, local_server, host, tmp_path):
    server = local_servers.start(
        tmp_path / "data",
        extra_args=["--repository-poll", "1", "--environments-dir", str(local_server.data_dir / "environments")],
    )
    repo = host.new_repo(tmp_path / "work", "polled")
    repo.write(site(".", "before the poll"))
    repo.commit("first")
    done = ok(cli("deploy", "git", repo.url, *target(server)))  # polling is on by default
    guid, url = content_guid(done.stdout)
    assert "before the poll" in server.get(url).text

    repo.write(site(".", "after the poll"))
    second = repo.commit("second")
    wait_for(lambda: "after the poll" in server.get(url).text, 60, "the new commit going live")
    bundles = server.api("GET", "v1/content/%s/bundles" % guid).json()
    assert [b["metadata"]["source_commit"] for b in bundles if b["active"]] == [second]
    assert len(bundles) == 2
    shown = server.api("GET", "v1/content/%s/repository" % guid).json()
    assert shown["last_known_commit"] == second and shown["last_error"] == ""

    # the repository and its polling are kept across a restart
    local_servers.stop(server)
    server = local_servers.start(tmp_path / "data", extra_args=["--repository-poll", "1"])
    url = server.api("GET", "v1/content/" + guid).json()["content_url"]  # the new port
    repo.write(site(".", "after a restart"))
    third = repo.commit("third")
    wait_for(lambda: "after a restart" in server.get(url).text, 60, "a commit going live after a restart")
    assert server.api("GET", "v1/content/%s/repository" % guid).json()["last_known_commit"] == third


@pytest.mark.slow  # the notebook's environment is built on the server
def test_the_docs_commands_run_as_written(local_server, tmp_path):
    """docs/cli.md's git-backed content block, run by bash in a copy of the sample notebook's folder,
    with `rsconnect` this package's CLI and the session's local server saved as `local`."""
    text = (Path(__file__).resolve().parents[2] / "docs" / "cli.md").read_text()
    start = text.index("## `rsconnect deploy git REPO_URL`")
    block = re.search(r"```bash\n(.*?)```", text[start:], re.S).group(1)
    reports = copy_example(tmp_path / "reports")
    (reports / "hello.ipynb").rename(reports / "report.ipynb")
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    shim = bin_dir / "rsconnect"
    shim.write_text('#!/bin/sh\nexec "%s" -m rsconnect_jupyter "$@"\n' % sys.executable)
    shim.chmod(0o755)
    config = tmp_path / "config"
    env = dict(os.environ, XDG_CONFIG_HOME=str(config), PATH="%s%s%s" % (bin_dir, os.pathsep, os.environ["PATH"]))
    env.update(GIT_ENV)
    for name in ("CONNECT_SERVER", "CONNECT_API_KEY"):
        env.pop(name, None)
    ok(
        cli(
            "add",
            "-n",
            "local",
            "-s",
            local_server.url,
            "-k",
            local_server.api_key,
            env={"XDG_CONFIG_HOME": str(config)},
        )
    )
    done = subprocess.run(
        ["bash", "-e", "-c", block], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=900
    )
    assert done.returncode == 0, done.stdout + done.stderr
    shown = json.loads(done.stdout[done.stdout.index("{") : done.stdout.index("}") + 1])
    assert shown["repository"] == "file://%s" % reports and shown["branch"] == "main" and shown["directory"] == "."
    assert "Deployed bundle" in done.stdout and "no longer git-backed" in done.stdout
    (item,) = [c for c in local_server.api("GET", "v1/content").json() if c["title"] == "reports"]
    bundles = local_server.api("GET", "v1/content/%s/bundles" % item["guid"]).json()
    assert len(bundles) == 2 and all(b["metadata"]["source"] == "git" for b in bundles)
    assert "Hello" in local_server.get(item["content_url"]).text

"""End to end: the `rsconnect` CLI, run as a subprocess, publishing to the local server over HTTP."""

import io
import json
import os
import shutil
import subprocess
import sys
import tarfile
import uuid

import pytest
import requests

from tests.project_copies import copy_example, example_notebook
from tests.pythons import installed_pythons, version_of

MEAN_LINE = "Mean reading: 14.02"  # printed by the sample notebook's saved output


def cli(*args, env=None, cwd=None):
    full_env = dict(os.environ)
    for k in ("CONNECT_SERVER", "CONNECT_API_KEY", "RETICULATE_PYTHON", "CONNECT_TASK_TIMEOUT"):
        full_env.pop(k, None)
    full_env.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "rsconnect_jupyter", *map(str, args)],
        capture_output=True,
        text=True,
        env=full_env,
        cwd=cwd,
        timeout=900,
    )


def ok(result):
    assert result.returncode == 0, result.stdout + result.stderr
    return result


def one_sentence_failure(result):
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith("Error: ") and last.endswith(".")
    return last


@pytest.fixture
def notebook(tmp_path):
    return example_notebook(tmp_path)


@pytest.fixture
def target(local_server):
    return ["-s", local_server.url, "-k", local_server.api_key]


def fetch(local_server, url):
    response = requests.get(url, headers={"Authorization": "Key " + local_server.api_key}, timeout=60)
    assert response.status_code == 200, (url, response.status_code, response.text[:500])
    return response.text


def record(notebook):
    return json.loads((notebook.parent / "rsconnect-python" / (notebook.stem + ".json")).read_text())


def content_guids(local_server):
    return {c["guid"] for c in local_server.api("GET", "v1/content").json()}


def test_static_publish_renders_and_redeploys_to_the_same_content(local_server, target, notebook):
    first = ok(cli("deploy", "notebook", "--static", "-q", *target, notebook)).stdout.strip()
    assert first.startswith(local_server.url + "content/")
    page = fetch(local_server, first)
    assert MEAN_LINE in page and ">readings<" in page  # output and (highlighted) input
    saved = record(notebook)[local_server.url]
    assert saved["app_mode"] == "static" and first.rstrip("/").endswith(saved["app_guid"])
    assert saved["title"] == "hello"
    # A second deploy of the same file updates the same content.
    second = ok(cli("deploy", "notebook", "--static", "-q", "--hide-all-input", *target, notebook)).stdout.strip()
    assert second == first
    page = fetch(local_server, second)
    assert MEAN_LINE in page and ">readings<" not in page
    bundles = local_server.api("GET", "v1/content/%s/bundles" % saved["app_guid"]).json()
    assert len(bundles) == 2
    assert list(record(notebook)) == [local_server.url]


def test_new_creates_another_and_app_id_targets_by_id_or_guid(local_server, target, notebook, tmp_path):
    first = ok(cli("deploy", "notebook", "--static", "-q", *target, notebook)).stdout.strip()
    other = ok(cli("deploy", "notebook", "--static", "-q", "--new", *target, notebook)).stdout.strip()
    assert other != first
    guid = other.rstrip("/").rsplit("/", 1)[-1]
    item = local_server.api("GET", "v1/content/" + guid).json()
    assert item["name"] != local_server.api("GET", "v1/content/" + first.rstrip("/").rsplit("/", 1)[-1]).json()["name"]
    # Another copy of the notebook, with no record, targets that content by numeric id, then by GUID.
    copy = tmp_path / "copy"
    copy_example(copy)
    by_id = ok(cli("deploy", "notebook", "--static", "-q", "-a", item["id"], *target, copy / "hello.ipynb"))
    assert by_id.stdout.strip() == other
    shutil.rmtree(copy / "rsconnect-python")
    by_guid = ok(cli("deploy", "notebook", "--static", "-q", "--app-id", guid, *target, copy / "hello.ipynb"))
    assert by_guid.stdout.strip() == other
    assert len(local_server.api("GET", "v1/content/%s/bundles" % guid).json()) == 3


def test_title_and_deploy_html(local_server, target, notebook):
    page = notebook.parent / "page.html"
    page.write_text("<html><body><h1>Plain page</h1><img src='logo.svg'></body></html>")
    (notebook.parent / "logo.svg").write_text("<svg xmlns='http://www.w3.org/2000/svg'/>")
    url = ok(
        cli("deploy", "html", "-q", "-t", "My plain page", *target, page, "logo.svg", cwd=notebook.parent)
    ).stdout.strip()
    assert "Plain page" in fetch(local_server, url)
    assert fetch(local_server, url + "logo.svg").startswith("<svg")
    guid = url.rstrip("/").rsplit("/", 1)[-1]
    assert local_server.api("GET", "v1/content/" + guid).json()["title"] == "My plain page"


def test_a_changed_content_type_is_refused(local_server, target, notebook):
    ok(cli("deploy", "notebook", "--static", "-q", *target, notebook))
    before = (notebook.parent / "rsconnect-python" / "hello.json").read_bytes()
    result = cli("deploy", "notebook", *target, notebook)
    assert "--new" in one_sentence_failure(result)
    assert (notebook.parent / "rsconnect-python" / "hello.json").read_bytes() == before


@pytest.mark.slow
def test_source_publish_renders_with_env_vars_and_requirements_as_is(local_server, target, notebook):
    secret = "greeting-" + uuid.uuid4().hex
    (notebook.parent / "requirements.txt").write_text("# exactly these bytes\n")
    result = ok(
        cli(
            "deploy",
            "notebook",
            "-E",
            "GREETING=" + secret,
            "-E",
            "COPIED",
            *target,
            notebook,
            env={"COPIED": "copied-" + secret},
        )
    )
    output = result.stdout + result.stderr
    assert secret not in output and local_server.api_key not in output
    url = [line for line in result.stdout.splitlines() if line.startswith("Content URL:")][0].split()[-1]
    page = fetch(local_server, url)
    assert "Greeting: " + secret in page  # the variable reached the rendered notebook
    saved = record(notebook)[local_server.url]
    assert saved["app_mode"] == "jupyter-static"
    guid = saved["app_guid"]
    assert set(local_server.api("GET", "v1/content/%s/environment" % guid).json()) >= {"GREETING", "COPIED"}
    bundle_id = local_server.api("GET", "v1/content/" + guid).json()["bundle_id"]
    archive = local_server.api("GET", "v1/content/%s/bundles/%s/download" % (guid, bundle_id)).content
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        assert tar.getnames()[-1] == "manifest.json"  # streamed: written last, with every checksum
        assert tar.extractfile("requirements.txt").read() == b"# exactly these bytes\n"
        manifest = json.load(tar.extractfile("manifest.json"))
    assert manifest["metadata"] == {"appmode": "jupyter-static", "entrypoint": "hello.ipynb"}
    assert manifest["python"]["version"] == "%d.%d.%d" % sys.version_info[:3]


def server_pythons(local_server):
    return [i["version"] for i in local_server.api("GET", "v1/server_settings/python").json()["installations"]]


@pytest.mark.slow
def test_python_option_records_that_version(local_server, target, notebook):
    available = {".".join(v.split(".")[:2]) for v in server_pythons(local_server)}
    here = "%d.%d" % sys.version_info[:2]
    others = [p for p in installed_pythons() if ".".join(version_of(p).split(".")[:2]) in available - {here}]
    assert others, "the local server must offer a Python other than %s (it has %s)" % (here, sorted(available))
    python = others[0]
    result = ok(cli("deploy", "notebook", "-p", python, "-q", *target, notebook))
    url = result.stdout.strip()
    page = fetch(local_server, url)
    assert "Rendered with Python " + ".".join(version_of(python).split(".")[:2]) in page
    guid = record(notebook)[local_server.url]["app_guid"]
    bundle_id = local_server.api("GET", "v1/content/" + guid).json()["bundle_id"]
    archive = local_server.api("GET", "v1/content/%s/bundles/%s/download" % (guid, bundle_id)).content
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        assert json.load(tar.extractfile("manifest.json"))["python"]["version"] == version_of(python)


@pytest.fixture(scope="module")
def server_with_one_python(local_servers, tmp_path_factory):
    """A local server that finds only this test's Python (no pyenv under its HOME, PATH = our venv)."""
    home = tmp_path_factory.mktemp("home-one-python")
    env = dict(os.environ, HOME=str(home), PATH=os.path.dirname(sys.executable))
    return local_servers.start(tmp_path_factory.mktemp("one-python"), env=env)


def test_python_mismatch_is_refused_before_upload(server_with_one_python, notebook):
    server = server_with_one_python
    available = {".".join(v.split(".")[:2]) for v in server_pythons(server)}
    assert available == {"%d.%d" % sys.version_info[:2]}
    missing = [
        p
        for p in installed_pythons()
        if ".".join(version_of(p).split(".")[:2]) not in available
        and tuple(map(int, version_of(p).split(".")[:2])) >= (3, 9)
    ]
    assert missing, "another Python 3.9+ is needed for this test"
    before = content_guids(server)
    last = one_sentence_failure(
        cli("deploy", "notebook", "-p", missing[0], "-s", server.url, "-k", server.api_key, notebook)
    )
    assert "has no Python %s" % ".".join(version_of(missing[0]).split(".")[:2]) in last
    assert "--ignore-python-version" in last
    for version in server_pythons(server):
        assert version in last
    assert content_guids(server) == before == set()
    assert "bundles" not in server.log()
    assert not (notebook.parent / "rsconnect-python").exists()


@pytest.fixture
def saved_server(local_server, isolated_config):
    ok(cli("add", "-n", "e2e", "-s", local_server.url, "-k", local_server.api_key))
    return isolated_config / "rsconnect-python" / "servers.json"


@pytest.mark.parametrize("case", ["bad-key", "viewer", "missing-file", "invalid-notebook"])
def test_failures_are_one_sentence_and_leave_state_intact(local_server, saved_server, notebook, case):
    ok(cli("deploy", "notebook", "--static", "-q", "-n", "e2e", notebook))  # a record to keep intact
    records = notebook.parent / "rsconnect-python" / "hello.json"
    before = (saved_server.read_bytes(), records.read_bytes(), content_guids(local_server))
    args = ["deploy", "notebook", "--static", "-n", "e2e"]
    if case == "bad-key":
        args += ["-k", "not-a-real-key-" + uuid.uuid4().hex, notebook]
    elif case == "viewer":
        args += ["-k", local_server.add_user("viewer-" + uuid.uuid4().hex[:6], "viewer"), notebook]
    elif case == "missing-file":
        args += [notebook.parent / "missing.ipynb"]
    else:
        notebook.write_text('{"cells": "not a list"}')
        args += [notebook]
    last = one_sentence_failure(cli(*args))
    expected = {
        "bad-key": "rejected the API key",
        "viewer": "cannot publish",
        "missing-file": "does not exist",
        "invalid-notebook": "is not a valid notebook",
    }[case]
    assert expected in last
    assert (saved_server.read_bytes(), records.read_bytes(), content_guids(local_server)) == before


def test_first_publish_works_out_of_the_box_with_the_saved_local_server(local_servers, tmp_path, notebook):
    """A fresh user: the local server saved itself as "local", the only server, so no option is needed."""
    config = tmp_path / "fresh-config"
    env = dict(os.environ, XDG_CONFIG_HOME=str(config))
    server = local_servers.start(tmp_path / "fresh-server", env=env)
    listed = ok(cli("list", env={"XDG_CONFIG_HOME": str(config)})).stdout
    assert listed.strip() == "local  %s  [API key in servers.json]" % server.url and server.api_key not in listed
    url = ok(cli("deploy", "notebook", "--static", "-q", notebook, env={"XDG_CONFIG_HOME": str(config)})).stdout
    assert url.startswith(server.url + "content/")
    assert MEAN_LINE in fetch(server, url.strip())
    # The record's server is used next time, even when another server becomes the default.
    servers = json.loads((config / "rsconnect-python" / "servers.json").read_text())
    servers["other"] = {
        "name": "other",
        "url": "http://127.0.0.1:9/",
        "api_key": "x",
        "insecure": False,
        "ca_cert": None,
        "default": True,
    }
    (config / "rsconnect-python" / "servers.json").write_text(json.dumps(servers))
    again = ok(cli("deploy", "notebook", "--static", "-q", notebook, env={"XDG_CONFIG_HOME": str(config)})).stdout
    assert again == url

"""`rsconnect deploy bundle FILE` and `rsconnect deploy pyproject DIRECTORY` (rsconnect-python
1.32's commands) against the local server over HTTP: a bundle downloaded from one content item is
published unchanged as another, and a [tool.rsconnect] project as its app mode; rsconnect-python
publishes the same inputs to the same server. Bad input: one sentence, nothing created."""

import io
import re
import shutil
import tarfile
import uuid

import nbformat
import pytest

from tests.cli.test_cli_apps import copy_app, get
from tests.cli.test_cli_publish import cli, content_guids, ok, one_sentence_failure
from tests.core import rsconnect_python as pinned

pytestmark = pytest.mark.slow
HELLO = "Hello from the sample WSGI API"
PYPROJECT = """[project]
name = "sample-api"
version = "0.0.1"
dependencies = ["waitress"]

[tool.rsconnect]
app_mode = "python-api"
entrypoint = "app:app"
title = "%s"
"""


def guid_of(url):
    return url.rstrip("/").rsplit("/", 1)[1]


def rp_url(out):
    found = re.search(r"Direct content URL: (http://\S+?/content/[0-9a-f-]{36}/)", out)
    assert found, out
    return found.group(1)


@pytest.fixture
def user(local_server):
    key = local_server.add_user("bun" + uuid.uuid4().hex[:6], "publisher")
    return key, ["-s", local_server.url, "-k", key]


def test_deploy_bundle_publishes_a_downloaded_bundle_unchanged(local_server, user, tmp_path):
    key, target = user
    first = ok(cli("deploy", "api", "-q", *target, copy_app(tmp_path, "wsgi"))).stdout.strip()
    saved = tmp_path / "copied.api.tar.gz"
    ok(cli("content", "download-bundle", guid_of(first), "-o", saved, *target))

    out = ok(cli("deploy", "bundle", saved, *target))
    url = out.stdout.split("Content URL:", 1)[1].split()[0]
    assert guid_of(url) != guid_of(first) and "Published copied.api" in out.stdout  # an API: the file's name
    assert HELLO in get(local_server, url)
    item = local_server.api("GET", "v1/content/" + guid_of(url), key=key).json()
    uploaded = local_server.api("GET", "v1/content/%s/bundles/%s/download" % (item["guid"], item["bundle_id"]), key=key)
    assert uploaded.content == saved.read_bytes()  # as it was: nothing rebuilt
    # Again: the record kept for the file updates the same content.
    assert ok(cli("deploy", "bundle", "-q", saved, *target)).stdout.strip() == url

    # rsconnect-python publishes the same file to the same server.
    out = pinned.run(tmp_path / "config", "deploy", "bundle", saved, "--server", local_server.url, "--api-key", key)
    assert HELLO in get(local_server, rp_url(out))


def test_deploy_bundle_refuses_what_is_not_a_bundle(local_server, user, tmp_path):
    key, target = user
    before = content_guids(local_server)
    junk = tmp_path / "notes.tar.gz"
    junk.write_text("not an archive")
    refused = one_sentence_failure(cli("deploy", "bundle", junk, *target))
    assert "is not a readable .tar.gz" in refused
    bare = tmp_path / "bare.tar.gz"
    with tarfile.open(bare, "w:gz") as tar:
        data = b"print('no manifest')\n"
        info = tarfile.TarInfo("app.py")
        info.size = len(data)
        tar.addfile(info, io.BytesIO(data))
    assert "has no manifest.json at its root" in one_sentence_failure(cli("deploy", "bundle", bare, *target))
    assert content_guids(local_server) == before


def test_deploy_pyproject_publishes_as_tool_rsconnect_says(local_server, user, tmp_path):
    key, target = user
    project = copy_app(tmp_path, "wsgi", "sample-api")
    (project / "requirements.txt").unlink()  # the packages come from pyproject.toml
    title = "Pyproject API %s" % uuid.uuid4().hex[:6]
    (project / "pyproject.toml").write_text(PYPROJECT % title)
    out = ok(cli("deploy", "pyproject", project, *target))
    assert "Published %s" % title in out.stdout
    url = out.stdout.split("Content URL:", 1)[1].split()[0]
    assert HELLO in get(local_server, url)
    item = local_server.api("GET", "v1/content/" + guid_of(url), key=key).json()
    assert item["app_mode"] == "python-api" and item["title"] == title
    archive = local_server.api("GET", "v1/content/%s/bundles/%s/download" % (item["guid"], item["bundle_id"]), key=key)
    with tarfile.open(fileobj=io.BytesIO(archive.content)) as tar:
        assert tar.extractfile("requirements.txt").read().decode().split() == ["waitress"]
    # -t wins over the table's title; the record makes it an update.
    again = ok(cli("deploy", "pyproject", "-t", "Renamed API", project, *target)).stdout
    assert guid_of(again.split("Content URL:", 1)[1].split()[0]) == item["guid"]
    assert local_server.api("GET", "v1/content/" + item["guid"], key=key).json()["title"] == "Renamed API"

    # rsconnect-python publishes the same project to the same server.
    judged = tmp_path / "judged"
    shutil.copytree(project, judged, ignore=shutil.ignore_patterns("rsconnect-python"))
    out = pinned.run(tmp_path / "config", "deploy", "pyproject", judged, "--server", local_server.url, "--api-key", key)
    assert HELLO in get(local_server, rp_url(out))


def test_deploy_pyproject_refuses_a_project_without_its_table(local_server, user, tmp_path):
    key, target = user
    before = content_guids(local_server)
    project = copy_app(tmp_path, "wsgi")
    assert "pyproject.toml does not exist" in one_sentence_failure(cli("deploy", "pyproject", project, *target))
    (project / "pyproject.toml").write_text('[project]\nname = "x"\nversion = "1"\n')
    assert "has no [tool.rsconnect] table" in one_sentence_failure(cli("deploy", "pyproject", project, *target))
    (project / "pyproject.toml").write_text('[tool.rsconnect]\napp_mode = "quarto-static"\nentrypoint = "a.qmd"\n')
    refused = one_sentence_failure(cli("deploy", "pyproject", project, *target))
    assert 'app_mode "quarto-static"' in refused and "rsconnect deploy html" in refused
    assert content_guids(local_server) == before


def test_deploy_pyproject_publishes_a_notebook_with_its_source(local_server, user, tmp_path):
    key, target = user
    project = tmp_path / "notebook-project"
    project.mkdir()
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.cells = [nbformat.v4.new_code_cell("print('rendered from a pyproject:', 6 * 7)")]
    nbformat.write(nb, str(project / "analysis.ipynb"))
    (project / "pyproject.toml").write_text(
        '[project]\nname = "analysis"\nversion = "0.1"\ndependencies = ["ipykernel"]\n\n'
        '[tool.rsconnect]\napp_mode = "jupyter-static"\nentrypoint = "analysis.ipynb"\n'
    )
    url = ok(cli("deploy", "pyproject", "-q", project, *target)).stdout.strip()
    item = local_server.api("GET", "v1/content/" + guid_of(url), key=key).json()
    assert item["app_mode"] == "jupyter-static" and item["title"] == "analysis"
    assert "rendered from a pyproject: 42" in local_server.get(url, key=key).text

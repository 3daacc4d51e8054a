"""rsconnect-python 1.32 (tests/core/rsconnect_python.py), the judge of the local server's answers,
runs its `content` group against it: search, describe, download-bundle, get-lockfile, venv and
`build add` + `build run` (POST v1/content/{guid}/build, then the task followed to the end)."""

import io
import json
import os
import subprocess
import tarfile
import uuid

import pytest

from rsconnect_jupyter.localconnect.environments import find_uv
from tests.cli.test_cli_apps import copy_app
from tests.cli.test_cli_publish import cli, ok
from tests.core import rsconnect_python as pinned

pytestmark = pytest.mark.slow


def packages(text):
    return sorted(line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#"))


@pytest.fixture(scope="module")
def deployed(local_server, tmp_path_factory):
    """An API deployed by a publisher, and the options rsconnect-python needs to reach it as them."""
    tmp = tmp_path_factory.mktemp("rp-content")
    key = local_server.add_user("rp-content-" + uuid.uuid4().hex[:6], "publisher")
    title = "Judged API %s" % uuid.uuid4().hex[:6]
    url = ok(cli("deploy", "api", "-q", "-t", title, "-s", local_server.url, "-k", key, copy_app(tmp, "wsgi")))
    guid = url.stdout.strip().rstrip("/").rsplit("/", 1)[1]
    return dict(guid=guid, key=key, title=title, login=["--server", local_server.url, "--api-key", key])


def json_of(out):
    """rsconnect-python's JSON answer (its log lines on stderr come before or after it)."""
    return json.JSONDecoder().raw_decode(out, out.index("["))[0]


def test_search_and_describe(deployed, tmp_path):
    config = tmp_path / "config"
    found = json_of(pinned.run(config, "content", "search", "--title-contains", deployed["title"], *deployed["login"]))
    assert [item["guid"] for item in found] == [deployed["guid"]]
    typed = json_of(pinned.run(config, "content", "search", "--content-type", "python-api", *deployed["login"]))
    assert deployed["guid"] in [item["guid"] for item in typed]
    described = json_of(pinned.run(config, "content", "describe", "-g", deployed["guid"], *deployed["login"]))
    assert described[0]["guid"] == deployed["guid"] and described[0]["title"] == deployed["title"]


def test_download_bundle_and_lockfile(local_server, deployed, tmp_path):
    config = tmp_path / "config"
    guid = deployed["guid"]
    bundle = tmp_path / "bundle.tar.gz"
    pinned.run(config, "content", "download-bundle", "-g", guid, "-o", bundle, *deployed["login"])
    with tarfile.open(fileobj=io.BytesIO(bundle.read_bytes())) as tar:
        assert {"app.py", "manifest.json"} <= set(tar.getnames())
    lock = tmp_path / "requirements.txt.lock"
    pinned.run(config, "content", "get-lockfile", "-g", guid, "-o", lock, *deployed["login"])
    served = local_server.api("GET", "v1/content/%s/lockfile" % guid, key=deployed["key"]).text
    assert lock.read_text() == served and any(p.startswith("waitress==") for p in packages(served))

    # `content venv` runs the uv it finds on PATH: the one this package depends on.
    env = dict(pinned.environ(config), PATH=os.path.dirname(find_uv()) + os.pathsep + os.environ["PATH"])
    folder = tmp_path / "env"
    made = subprocess.run(
        [str(pinned.venv() / "bin" / "rsconnect"), "content", "venv", "-g", guid, str(folder), *deployed["login"]],
        capture_output=True,
        text=True,
        env=env,
        timeout=600,
    )
    assert made.returncode == 0, made.stdout + made.stderr
    freeze = subprocess.run(
        [find_uv(), "pip", "freeze", "--python", str(folder / "bin" / "python")], capture_output=True, text=True
    ).stdout
    assert packages(freeze) == packages(served)


def test_build_add_and_run(local_server, deployed, tmp_path):
    config = tmp_path / "config"
    guid = deployed["guid"]
    # rsconnect-python keeps its build list in ./rsconnect-build: run it in a folder of this test's.
    here = tmp_path / "work"
    here.mkdir()
    pinned.run(config, "content", "build", "add", "-g", guid, *deployed["login"], cwd=here)
    out = pinned.run(config, "content", "build", "run", *deployed["login"], cwd=here)
    assert "Build succeeded: %s" % guid in out, out
    listed = json_of(pinned.run(config, "content", "build", "ls", "-g", guid, *deployed["login"], cwd=here))
    assert listed[0]["rsconnect_build_status"] == "COMPLETE"
    logs = pinned.run(config, "content", "build", "logs", "-g", guid, *deployed["login"], cwd=here)
    assert "Deploying bundle" in logs
    assert (here / "rsconnect-build").is_dir()
    page = local_server.get(local_server.url + "content/%s/" % guid, key=deployed["key"], timeout=60)
    assert "Hello from the sample WSGI API" in page.text

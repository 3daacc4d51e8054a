"""End to end: `rsconnect deploy api|flask|fastapi|dash|streamlit|bokeh|manifest` and `write-manifest`,
run as a subprocess against the local server over HTTP; each deployed app must answer with its own output.

The sample apps are tests/apps/ (see its README.md); each test copies the one it needs into
tmp_path, so records and manifests are never written into the repository.
"""

import io
import json
import shutil
import tarfile
import time
import uuid
from pathlib import Path

import pytest
import requests

from tests.cli.test_cli_publish import cli, content_guids, ok, one_sentence_failure
from tests.project_copies import copy_example, copy_source

APPS = Path(__file__).resolve().parents[1] / "apps"

# type -> (folder in tests/apps, path under the content URL to fetch, text the app answers with there),
# from tests/apps/README.md. Streamlit's page is a JavaScript shell (its text arrives over the
# WebSocket), so its page is checked for Streamlit's own title and its health check for "ok".
SAMPLES = {
    "flask": ("flask", "", "Hello from the sample Flask API"),
    "api": ("wsgi", "", "Hello from the sample WSGI API"),
    "fastapi": ("fastapi", "", "Hello from the sample FastAPI app"),
    "dash": ("dash", "_dash-layout", "Hello from the sample Dash app"),
    "streamlit": ("streamlit", "", "<title>Streamlit</title>"),
    "bokeh": ("bokeh", "", "Hello from the sample Bokeh app"),
}
ENTRYPOINTS = {
    "flask": "app:app",
    "api": "app:app",
    "fastapi": "main:app",
    "dash": "app:app",
    "streamlit": "app.py",
    "bokeh": "app.py",
}

# The broken sample: its folder, the type it is deployed as, its entrypoint, and its error.
BROKEN = "broken"
BROKEN_TYPE = "api"
BROKEN_ENTRYPOINT = "app:app"
BROKEN_ERROR = "RuntimeError: sample app broken on purpose"
# The plain WSGI sample's module and object.
WSGI_MODULE = "app"
WSGI_OBJECT = "app"


@pytest.fixture
def target(local_server):
    return ["-s", local_server.url, "-k", local_server.api_key]


def copy_app(tmp_path, folder, name=None):
    dest = tmp_path / (name or "%s-%s" % (folder, uuid.uuid4().hex[:6]))
    copy_source(APPS / folder, dest)
    return dest


def get(local_server, url, attempts=60):
    """The page at `url`; a just-started app may need a moment behind the proxy."""
    last = None
    for _ in range(attempts):
        response = requests.get(url, headers={"Authorization": "Key " + local_server.api_key}, timeout=60)
        if response.status_code == 200:
            return response.text
        last = response
        time.sleep(1)
    raise AssertionError("%s answered %s: %s" % (url, last.status_code, last.text[:500]))


def app_record(directory):
    return json.loads((directory / "rsconnect-python" / (directory.name + ".json")).read_text())


def bundle_names(local_server, guid):
    bundle_id = local_server.api("GET", "v1/content/" + guid).json()["bundle_id"]
    archive = local_server.api("GET", "v1/content/%s/bundles/%s/download" % (guid, bundle_id)).content
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        names = tar.getnames()
        manifest = json.load(tar.extractfile("manifest.json"))
    return names, manifest


# ---------------------------------------------------------------------------------------------
# Failing before any request


def test_an_unclear_entrypoint_is_one_sentence_before_any_request(local_server, target, tmp_path):
    folder = tmp_path / "two-modules"
    folder.mkdir()
    (folder / "one.py").write_text("app = None\n")
    (folder / "two.py").write_text("app = None\n")
    before = content_guids(local_server)
    last = one_sentence_failure(cli("deploy", "flask", *target, folder))
    assert "several .py files" in last and "-e/--entrypoint" in last
    last = one_sentence_failure(cli("deploy", "fastapi", "-e", "three:app", *target, folder))
    assert 'module "three" is not in' in last
    last = one_sentence_failure(cli("deploy", "dash", *target, tmp_path / "missing"))
    assert "does not exist" in last
    assert content_guids(local_server) == before
    assert not (folder / "rsconnect-python").exists()


def test_write_manifest_refuses_to_overwrite(tmp_path):
    folder = tmp_path / "api"
    folder.mkdir()
    (folder / "main.py").write_text("app = None\n")
    (folder / "requirements.txt").write_text("flask\n")
    written = ok(cli("write-manifest", "api", folder)).stdout
    assert written.strip() == "Wrote %s" % (folder / "manifest.json")  # requirements.txt is kept as it is
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["metadata"] == {"appmode": "python-api", "entrypoint": "main:app"}
    assert sorted(manifest["files"]) == ["main.py", "requirements.txt"]
    assert (folder / "requirements.txt").read_text() == "flask\n"
    last = one_sentence_failure(cli("write-manifest", "fastapi", folder))
    assert "already exists" in last and "--overwrite" in last
    ok(cli("write-manifest", "fastapi", "--overwrite", "-e", "main:api", folder))
    assert json.loads((folder / "manifest.json").read_text())["metadata"] == {
        "appmode": "python-fastapi",
        "entrypoint": "main:api",
    }


def test_deploy_manifest_refuses_a_missing_file_before_any_request(local_server, target, tmp_path):
    folder = tmp_path / "api"
    folder.mkdir()
    (folder / "app.py").write_text("app = None\n")
    (folder / "helpers.py").write_text("x = 1\n")
    (folder / "requirements.txt").write_text("flask\n")
    ok(cli("write-manifest", "flask", folder))
    (folder / "helpers.py").unlink()
    before = content_guids(local_server)
    last = one_sentence_failure(cli("deploy", "manifest", *target, folder / "manifest.json"))
    assert "lists helpers.py, which is not in" in last
    assert content_guids(local_server) == before


# ---------------------------------------------------------------------------------------------
# deploy manifest: a notebook's manifest (jupyter-static) needs no app runtime


@pytest.mark.slow
def test_deploy_manifest_of_a_written_notebook_manifest(local_server, target, tmp_path):
    folder = tmp_path / "hello-report"
    copy_example(folder)
    ok(cli("write-manifest", "notebook", folder / "hello.ipynb"))
    url = ok(cli("deploy", "manifest", "-q", *target, folder / "manifest.json")).stdout.strip()
    assert url.startswith(local_server.url + "content/")
    assert "Mean reading" in get(local_server, url)
    guid = url.rstrip("/").rsplit("/", 1)[-1]
    assert local_server.api("GET", "v1/content/" + guid).json()["title"] == "hello"  # the primary file's name
    names, manifest = bundle_names(local_server, guid)
    assert "manifest.json" in names  # where in the archive: see bundle/stream.py (last when streamed)
    assert manifest == json.loads((folder / "manifest.json").read_text())  # the manifest as it was written
    record = json.loads((folder / "rsconnect-python" / "manifest.json").read_text())
    assert record[local_server.url]["app_guid"] == guid
    # Redeploying the same manifest updates the same content.
    assert ok(cli("deploy", "manifest", "-q", *target, folder)).stdout.strip() == url


# ---------------------------------------------------------------------------------------------
# Each type of API and app


def sample(app_type):
    folder, path, text = SAMPLES[app_type]
    return folder, path, text


@pytest.mark.slow
@pytest.mark.parametrize("app_type", list(SAMPLES))
def test_each_type_deploys_and_answers(local_server, target, tmp_path, app_type):
    folder_name, path, text = sample(app_type)
    folder = copy_app(tmp_path, folder_name)
    result = ok(cli("deploy", app_type, *target, folder))
    url = [line for line in result.stdout.splitlines() if line.startswith("Content URL:")][0].split()[-1]
    assert url.startswith(local_server.url + "content/")
    assert text in get(local_server, url + path)
    saved = app_record(folder)[local_server.url]
    guid = saved["app_guid"]
    assert url.rstrip("/").endswith(guid)
    content = local_server.api("GET", "v1/content/" + guid).json()
    assert content["title"] == folder.name and content["app_mode"] == saved["app_mode"]
    names, manifest = bundle_names(local_server, guid)
    assert {"manifest.json", "requirements.txt"} <= set(names)
    assert manifest["metadata"] == {
        "appmode": {
            "api": "python-api",
            "flask": "python-api",
            "fastapi": "python-fastapi",
            "dash": "python-dash",
            "streamlit": "python-streamlit",
            "bokeh": "python-bokeh",
        }[app_type],
        "entrypoint": ENTRYPOINTS[app_type],
    }
    if app_type == "streamlit":
        assert get(local_server, url + "_stcore/health").strip() == "ok"
    # A redeploy of the changed app updates the same content.
    changed = "%s, redeployed %s" % (text, uuid.uuid4().hex[:8]) if app_type != "streamlit" else text
    for source in folder.rglob("*.py"):
        source.write_text(source.read_text().replace(text, changed))
    again = ok(cli("deploy", app_type, "-q", *target, folder)).stdout.strip()
    assert again == url
    assert changed in get(local_server, url + path)
    assert local_server.api("GET", "v1/content/" + guid).json()["bundle_id"] != content["bundle_id"]
    assert list(app_record(folder)) == [local_server.url]


def task_log_lines(result):
    return [line for line in result.stderr.splitlines() if line.startswith("    ")]


@pytest.mark.slow
def test_a_broken_app_fails_with_its_traceback_and_the_previous_version_keeps_answering(local_server, target, tmp_path):
    folder_name, path, text = sample("flask")
    folder = copy_app(tmp_path, folder_name)
    url = ok(cli("deploy", "flask", "-q", *target, folder)).stdout.strip()
    assert text in get(local_server, url + path)
    record_before = (folder / "rsconnect-python" / (folder.name + ".json")).read_bytes()
    guids_before = content_guids(local_server)
    # The broken sample's files replace the app's.
    for item in (APPS / BROKEN).iterdir():
        if item.is_file():
            shutil.copy(item, folder / item.name)
    result = cli("deploy", "flask", "-e", BROKEN_ENTRYPOINT, *target, folder)
    assert result.returncode == 1
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith("Error: The deployment failed on the server") and last.endswith(".")
    log = "\n".join(task_log_lines(result))
    assert "Traceback (most recent call last)" in log and BROKEN_ERROR in log
    assert "Traceback" not in "\n".join(line for line in result.stderr.splitlines() if not line.startswith("    "))
    assert (folder / "rsconnect-python" / (folder.name + ".json")).read_bytes() == record_before
    assert content_guids(local_server) == guids_before
    assert text in get(local_server, url + path)  # the previous version still runs


@pytest.mark.slow
def test_a_new_broken_app_fails_and_writes_no_record(local_server, target, tmp_path):
    folder = copy_app(tmp_path, BROKEN)
    result = cli("deploy", BROKEN_TYPE, *target, folder)
    assert result.returncode == 1
    assert "Traceback (most recent call last)" in "\n".join(task_log_lines(result))
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith("Error: ") and last.endswith(".")
    assert not (folder / "rsconnect-python").exists()


@pytest.mark.slow
def test_write_manifest_then_deploy_manifest_answers(local_server, target, tmp_path):
    folder_name, path, text = sample("fastapi")
    folder = copy_app(tmp_path, folder_name)
    (folder / "notes").mkdir()
    (folder / "notes" / "draft.md").write_text("not for the server")
    ok(cli("write-manifest", "fastapi", "-x", "notes", folder))
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["metadata"]["appmode"] == "python-fastapi"
    assert not any(name.startswith("notes/") for name in manifest["files"])
    url = ok(cli("deploy", "manifest", "-q", *target, folder / "manifest.json")).stdout.strip()
    assert text in get(local_server, url + path)
    guid = url.rstrip("/").rsplit("/", 1)[-1]
    assert local_server.api("GET", "v1/content/" + guid).json()["title"] == folder.name
    names, bundled = bundle_names(local_server, guid)
    assert names[0] == "manifest.json" and sorted(names[1:]) == sorted(manifest["files"])
    assert bundled == manifest


@pytest.mark.slow
def test_excludes_entrypoint_and_env_warning_end_to_end(local_server, target, tmp_path):
    folder_name, path, text = sample("api")
    folder = copy_app(tmp_path, folder_name)
    module = WSGI_MODULE
    # The app under another module name and object, so only -e finds it.
    source = (folder / (module + ".py")).read_text()
    (folder / (module + ".py")).unlink()
    (folder / "server.py").write_text(source + "\n\nwsgi_entry = %s\n" % WSGI_OBJECT)
    (folder / "helpers.py").write_text("x = 1\n")
    junk = [
        ".git/config",
        "__pycache__/server.cpython-311.pyc",
        "sub/__pycache__/x.pyc",
        ".ipynb_checkpoints/server-checkpoint.py",
        "myenv/lib/site.py",
        "data/a/big.csv",
        "data/top.csv",
        "rsconnect-python/old.json",
    ]
    for rel in junk:
        (folder / rel).parent.mkdir(parents=True, exist_ok=True)
        (folder / rel).write_text("junk")
    (folder / "myenv" / "pyvenv.cfg").write_text("home = /usr\n")
    (folder / "data" / "keep.txt").write_text("kept")
    (folder / ".env").write_text("TOKEN=not-for-the-server\n")
    result = ok(cli("deploy", "api", "-q", "-e", "server:wsgi_entry", "-x", "**/*.csv", *target, folder))
    url = result.stdout.strip()
    warnings = [line for line in result.stderr.splitlines() if line.startswith("Warning:")]
    assert len(warnings) == 1 and ".env" in warnings[0]
    assert text in get(local_server, url + path)
    guid = url.rstrip("/").rsplit("/", 1)[-1]
    names, manifest = bundle_names(local_server, guid)
    assert manifest["metadata"]["entrypoint"] == "server:wsgi_entry"
    assert ".env" in names and "data/keep.txt" in names and "helpers.py" in names
    for rel in junk:
        assert rel not in names
    # Redeploying with -x .env leaves it out, and warns no more.
    result = ok(cli("deploy", "api", "-q", "-e", "server:wsgi_entry", "-x", "**/*.csv", "-x", ".env", *target, folder))
    assert result.stdout.strip() == url and "Warning:" not in result.stderr
    names, _ = bundle_names(local_server, guid)
    assert ".env" not in names

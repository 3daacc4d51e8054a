"""The CLI and the publish flow against Connect's recorded responses (real HTTP, real subprocess).

The end-to-end tests that render content live in tests/cli/ against the local server; here the
order of requests, the checks before upload and the saved state are verified in detail.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.core.fixture_server import PUB_GUID
from tests.project_copies import copy_example
from tests.pythons import require_python


def run(args, env_home, extra_env=None, cwd=None):
    env = dict(os.environ, XDG_CONFIG_HOME=str(env_home))
    for k in ("CONNECT_SERVER", "CONNECT_API_KEY", "RETICULATE_PYTHON", "CONNECT_TASK_TIMEOUT"):
        env.pop(k, None)
    env.update(extra_env or {})
    return subprocess.run(
        [sys.executable, "-m", "rsconnect_jupyter", *args], capture_output=True, text=True, env=env, cwd=cwd
    )


@pytest.fixture
def home(tmp_path):
    return tmp_path / "config"


@pytest.fixture
def notebook(tmp_path):
    folder = tmp_path / "work"
    copy_example(folder)
    return folder / "hello.ipynb"


def paths(server):
    return [(r["method"], r["path"].split("?")[0].replace("/rsc/__api__/", "")) for r in server.requests]


def saved_state(home, notebook):
    """Every saved byte: servers.json and the notebook's deployment records."""
    files = list(Path(home).rglob("*")) + list(notebook.parent.joinpath("rsconnect-python").rglob("*"))
    return {str(p): p.read_bytes() for p in files if p.is_file()}


def test_add_list_details_remove(fixture_server, home):
    added = run(["add", "-n", "fx", "-s", fixture_server.url, "-k", "good"], home)
    assert added.returncode == 0, added.stderr
    assert "good" not in added.stdout + added.stderr  # the key is never printed
    servers = json.loads((home / "rsconnect-python" / "servers.json").read_text())
    assert servers["fx"]["api_key"] == "good" and servers["fx"]["url"] == fixture_server.url
    assert oct(os.stat(home / "rsconnect-python" / "servers.json").st_mode & 0o777) == "0o600"
    listed = run(["list"], home)
    # the first saved server is the default, as in the dialog; where its key lives (no keyring here)
    assert listed.stdout.strip() == "fx  %s  [API key in servers.json]  (default)" % fixture_server.url
    details = run(["details", "-n", "fx"], home)
    assert "3.11.6, 3.10.12" in details.stdout and "bob (publisher)" in details.stdout
    assert "good" not in details.stdout
    removed = run(["remove", "-n", "fx"], home)
    assert removed.returncode == 0 and run(["list"], home).stdout.startswith("No saved servers")


def test_add_with_a_bad_key_saves_nothing(fixture_server, home):
    result = run(["add", "-n", "fx", "-s", fixture_server.url, "-k", "wrong"], home)
    assert result.returncode == 1
    assert result.stderr.strip().startswith("Error: ") and "rejected the API key" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1 and "wrong" not in result.stderr
    assert not (home / "rsconnect-python" / "servers.json").exists()


def test_publish_flow_order_and_record(fixture_server, home, notebook):
    result = run(
        [
            "deploy",
            "notebook",
            "-s",
            fixture_server.url,
            "-k",
            "good",
            "-E",
            "GREETING=top secret value",
            "-E",
            "FROM_ENV",
            "-q",
            str(notebook),
        ],
        home,
        {"FROM_ENV": "copied-secret"},
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout == "https://connect.example.com/content/%s/\n" % PUB_GUID
    for secret in ("top secret value", "copied-secret", "good"):
        assert secret not in result.stdout + result.stderr
    steps = paths(fixture_server)
    assert (
        steps.index(("PATCH", "v1/content/%s/environment" % PUB_GUID))
        < steps.index(("POST", "v1/content/%s/bundles" % PUB_GUID))
        < steps.index(("POST", "v1/content/%s/deploy" % PUB_GUID))
    )
    env_patch = next(r for r in fixture_server.requests if r["method"] == "PATCH")
    assert json.loads(env_patch["body"]) == [
        {"name": "GREETING", "value": "top secret value"},
        {"name": "FROM_ENV", "value": "copied-secret"},
    ]
    create = next(r for r in fixture_server.requests if r["method"] == "POST" and r["path"].endswith("v1/content"))
    assert json.loads(create["body"]) == {"name": "hello", "title": "hello"}
    record = json.loads((notebook.parent / "rsconnect-python" / "hello.json").read_text())
    assert record == {
        fixture_server.url: {
            "server_url": fixture_server.url,
            "filename": str(notebook),
            "app_url": "https://connect.example.com/content/%s/" % PUB_GUID,
            "app_id": "42",
            "app_guid": PUB_GUID,
            "title": "My FastAPI App",
            "app_mode": "jupyter-static",
            "app_store_version": 1,
        }
    }


def test_a_changed_app_mode_is_refused_with_a_hint(fixture_server, home, notebook):
    # The fixture content is a python-fastapi app.
    result = run(["deploy", "notebook", "-s", fixture_server.url, "-k", "good", "-a", PUB_GUID, str(notebook)], home)
    assert result.returncode == 1
    last = result.stderr.strip().splitlines()[-1]
    assert "cannot change" in last and "--new" in last
    assert ("POST", "v1/content/%s/bundles" % PUB_GUID) not in paths(fixture_server)


@pytest.mark.parametrize(
    "key, words",
    [
        ("viewer", "cannot publish"),
        ("locked", "is locked"),
        ("unconfirmed", "not confirmed"),
        ("wrong", "rejected the API key"),
    ],
)
def test_refused_users_change_nothing(fixture_server, home, notebook, key, words):
    run(["add", "-n", "fx", "-s", fixture_server.url, "-k", "good"], home)
    before = saved_state(home, notebook)
    result = run(["deploy", "notebook", "-n", "fx", "-k", key, str(notebook)], home)
    assert result.returncode == 1
    assert result.stderr.strip().splitlines()[-1].startswith("Error: ") and words in result.stderr
    assert not [p for p in paths(fixture_server) if p[0] != "GET"]
    assert saved_state(home, notebook) == before


def test_python_mismatch_is_refused_before_upload(fixture_server, home, notebook):
    python = require_python("3.12")
    result = run(["deploy", "notebook", "-s", fixture_server.url, "-k", "good", "-p", python, str(notebook)], home)
    assert result.returncode == 1
    assert "has no Python 3.12 (it has 3.11.6, 3.10.12)" in result.stderr and "--ignore-python-version" in result.stderr
    assert not [p for p in paths(fixture_server) if p[0] != "GET"]
    forced = run(
        [
            "deploy",
            "notebook",
            "-s",
            fixture_server.url,
            "-k",
            "good",
            "-p",
            python,
            "--ignore-python-version",
            str(notebook),
        ],
        home,
    )
    assert forced.returncode == 0, forced.stderr
    upload = next(r for r in fixture_server.requests if r["path"].endswith("/bundles"))
    import io
    import tarfile

    with tarfile.open(fileobj=io.BytesIO(upload["body"])) as tar:
        manifest = json.load(tar.extractfile("manifest.json"))
        assert tar.getnames()[-1] == "manifest.json"  # streamed: written last, with every checksum
        assert tar.extractfile("requirements.txt").read() == (notebook.parent / "requirements.txt").read_bytes()
    assert manifest["python"]["version"].startswith("3.12.")


@pytest.mark.parametrize("case", ["missing", "invalid", "outside", "bad-env", "execute-without-static"])
def test_input_errors_are_one_sentence_and_send_nothing(fixture_server, home, notebook, tmp_path, case):
    args = ["deploy", "notebook", "-s", fixture_server.url, "-k", "good"]
    if case == "missing":
        args.append(str(notebook.parent / "nope.ipynb"))
    elif case == "invalid":
        notebook.write_text('{"cells": 3}')
        args.append(str(notebook))
    elif case == "outside":
        (tmp_path / "elsewhere.txt").write_text("x")
        args += [str(notebook), str(tmp_path / "elsewhere.txt")]
    elif case == "bad-env":
        args += ["-E", "NOT_SET_ANYWHERE_XYZ", str(notebook)]
    else:
        args += ["--execute", str(notebook)]
    result = run(args, home)
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert lines[-1].startswith("Error: ") and lines[-1].endswith(".")
    assert "Traceback" not in result.stderr
    assert not [p for p in paths(fixture_server) if p[0] != "GET"]
    assert not (notebook.parent / "rsconnect-python").exists()


def test_failed_task_keeps_the_record_as_it_was(fixture_server, home, notebook, monkeypatch):
    # Point the deploy at the failing task by rewriting the fixture route for this server only.
    from tests.core import fixture_server as fs

    monkeypatch.setattr(
        fs,
        "ROUTES",
        [(m, p, "publisher/task-failed.json" if p == "v1/tasks/task-abc123-def456" else f) for m, p, f in fs.ROUTES],
    )
    result = run(["deploy", "notebook", "-s", fixture_server.url, "-k", "good", str(notebook)], home)
    assert result.returncode == 1
    assert "Error code: python-package-install-failed" in result.stderr  # the task log was streamed
    assert result.stderr.strip().splitlines()[-1].startswith("Error: The deployment failed on the server")
    assert not (notebook.parent / "rsconnect-python").exists()


def test_write_manifest_notebook(home, notebook):
    result = run(["write-manifest", "notebook", str(notebook)], home)
    assert result.returncode == 0, result.stderr
    manifest = json.loads((notebook.parent / "manifest.json").read_text())
    assert manifest["metadata"] == {"appmode": "jupyter-static", "entrypoint": "hello.ipynb"}
    assert set(manifest["files"]) == {"hello.ipynb", "requirements.txt"}
    again = run(["write-manifest", "notebook", str(notebook)], home)
    assert again.returncode == 1 and "--overwrite" in again.stderr


def test_tls_options_on_the_command_line(tls_cert, home):
    from tests.core.fixture_server import FixtureServer

    server = FixtureServer(prefix="/", certfile=str(tls_cert["pem"]))
    try:
        refused = run(["add", "-n", "tls", "-s", server.url, "-k", "good"], home)
        assert refused.returncode == 1 and "--cacert" in refused.stderr and "--insecure" in refused.stderr
        ok = run(["add", "-n", "tls", "-s", server.url, "-k", "good", "-c", str(tls_cert["cert"])], home)
        assert ok.returncode == 0, ok.stderr
        saved = json.loads((home / "rsconnect-python" / "servers.json").read_text())["tls"]
        assert saved["ca_cert"] == tls_cert["cert"].read_text()  # the text, as rsconnect-python saves it
        assert "custom CA" in run(["list"], home).stdout
        assert "bob (publisher)" in run(["details", "-n", "tls"], home).stdout
        insecure = run(["details", "-s", server.url, "-k", "good", "-i"], home.parent / "other-config")
        assert insecure.returncode == 0 and "bob (publisher)" in insecure.stdout
    finally:
        server.close()

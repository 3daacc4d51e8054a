"""Secrets never leak: publish with a known API key and environment variable value, then look for
them (plain, base64, URL-encoded, JSON-escaped, HTML-escaped, inside archives) in everything a user or another
user of the server can read.

The key may be only in servers.json (mode 0600). The variable's value may be only in the running
content's process environment; the test notebook proves it got there by printing its SHA-256,
never the value. The local server keeps the value in its own database (it must, to hand it to
the content on every start), which is the one other place allowed, like Connect's own database.
"""

import hashlib
import json
import os
import sqlite3
import stat
import subprocess
import sys
import time
import uuid

import pytest
import requests

from rsconnect_jupyter import environment
from tests.extension.extension_notebooks import write_notebook
from tests.extension.jupyter_servers import KINDS, start_jupyter, stop_jupyter
from tests.reliability.secrets_helpers import Secrets, archive_members, scan_folder

VAR = "SECRET_TOKEN"
# The notebook shows a digest of the value: proof that the content's process had it.
DIGEST_CODE = (
    "import hashlib, os\nprint('token digest:', hashlib.sha256(os.environ.get('%s', '').encode()).hexdigest())" % VAR
)
FAILING_CODE = "import os\nassert os.environ.get('%s'), 'no token'\nraise RuntimeError('this notebook fails')" % VAR
REQUIREMENTS = "# nothing beyond what the server adds\n"
# The local server's database holds environment variable values (Connect's does too, encrypted).
DATABASE_FILES = {"connect.db", "connect.db-wal", "connect.db-shm"}


@pytest.fixture(scope="module")
def publisher(local_server):
    """A fresh publisher on the local server, its key and a distinctive value, and the finder."""
    name = "secrets-%s" % uuid.uuid4().hex[:8]
    key = local_server.add_user(name)
    value = "s3cr3t-VALUE-%s +&/=%%" % uuid.uuid4().hex  # characters that URL-encoding changes
    wrong_key = "wr0ng-KEY-%s" % uuid.uuid4().hex
    return dict(
        name=name,
        key=key,
        value=value,
        wrong_key=wrong_key,
        secrets=Secrets(api_key=key, env_value=value, wrong_key=wrong_key),
    )


def cli(config, *args, env=None):
    """`rsconnect` in a subprocess with its own config folder; its stdout and stderr."""
    environ = {k: v for k, v in os.environ.items() if not k.startswith("CONNECT_")}
    environ.update(XDG_CONFIG_HOME=str(config), **(env or {}))
    proc = subprocess.run(
        [sys.executable, "-m", "rsconnect_jupyter", *map(str, args)],
        capture_output=True,
        text=True,
        env=environ,
        timeout=900,
    )
    return proc


def assert_mode_0600(path):
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600, oct(os.stat(path).st_mode)


def content_url(deployed_path):
    """The content URL in the deployment record beside a deployed file (rsconnect-python's layout)."""
    record = json.loads((deployed_path.parent / "rsconnect-python" / (deployed_path.stem + ".json")).read_text())
    return record["app_url"] if "app_url" in record else next(iter(record.values()))["app_url"]


def rendered_digest(url, key):
    """The content page, read as the publisher's programs do: with its API key."""
    page = requests.get(url, headers={"Authorization": "Key " + key}, timeout=60)
    assert page.status_code == 200, page.text[:500]
    return page.text


def local_server_places(local_server, secrets):
    """{place: [secret names found]} for the local server's log, tasks (over HTTP) and files."""
    found = {}
    hits = secrets.find(local_server.log())
    if hits:
        found["local server log"] = hits
    db = sqlite3.connect("file:%s?mode=ro" % (local_server.data_dir / "connect.db"), uri=True)
    try:
        rows = db.execute("SELECT id, content_guid FROM tasks").fetchall()
        bundles = db.execute("SELECT id, content_guid FROM bundles").fetchall()
    finally:
        db.close()
    assert rows and bundles
    for task_id, _ in rows:
        r = local_server.api("GET", "v1/tasks/%s?first=0" % task_id)
        hits = secrets.find(r.content) + secrets.find(json.dumps(dict(r.headers)))
        if hits:
            found["GET v1/tasks/%s" % task_id] = hits
    for guid in sorted({guid for _, guid in bundles}):  # what anyone with access reads about content
        for path in ("v1/content/%s" % guid, "v1/content/%s/environment" % guid, "v1/content/%s/bundles" % guid):
            r = local_server.api("GET", path)
            assert r.status_code == 200, r.text
            hits = secrets.find(r.content) + secrets.find(json.dumps(dict(r.headers)))
            if hits:
                found["GET " + path] = hits
    for bundle_id, guid in bundles:  # the archives as Connect hands them back
        r = local_server.api("GET", "v1/content/%s/bundles/%s/download" % (guid, bundle_id))
        assert r.status_code == 200, (bundle_id, r.status_code, r.text[:300])
        members = archive_members("bundle.tar.gz", r.content)
        assert members, "bundle %s downloaded as no readable archive" % bundle_id
        for member, data in members:
            if secrets.find(data):
                found["bundle %s download!%s" % (bundle_id, member)] = secrets.find(data)
    files, count = scan_folder(local_server.data_dir, secrets)
    assert count > 10  # the database, the bundles, the content folders, the environments
    print("local server: %d tasks, %d bundles, %d files searched; found: %s" % (len(rows), len(bundles), count, files))
    for rel, hits in files.items():
        found["data dir: " + rel] = hits
    return found


def allowed_in_local_server(found):
    """What remains once the database's copy of the environment variable value is set aside."""
    # A positive control: the search does find the value where it is known to be.
    assert any("env_value" in hits for place, hits in found.items() if place[len("data dir: ") :] in DATABASE_FILES), (
        found
    )
    left = {}
    for place, hits in found.items():
        if place.startswith("data dir: ") and place[len("data dir: ") :] in DATABASE_FILES:
            hits = [h for h in hits if h != "env_value"]
        if hits:
            left[place] = hits
    return left


# ---------------------------------------------------------------------------------------------
# The command line


def test_cli_never_shows_the_key_or_the_value(local_server, publisher, tmp_path):
    secrets, key, value = publisher["secrets"], publisher["key"], publisher["value"]
    config = tmp_path / "config"
    folder = tmp_path / "work"
    write_notebook(folder, "report.ipynb", code=DIGEST_CODE, requirements=REQUIREMENTS)
    write_notebook(folder, "failing.ipynb", code=FAILING_CODE)
    outputs = {}

    def run(label, *args, env=None, ok=True):
        proc = cli(config, *args, env=env)
        outputs[label] = proc.stdout + proc.stderr
        assert (proc.returncode == 0) == ok, outputs[label]
        return proc

    run("add", "add", "-n", "sec", "-s", local_server.url, "-k", key)
    run("list", "list")
    run("details", "details", "-n", "sec")
    run(
        "deploy -E NAME=VALUE --verbose",
        "deploy",
        "notebook",
        "-n",
        "sec",
        "--verbose",
        "-t",
        "Secrets CLI",
        "-E",
        "%s=%s" % (VAR, value),
        folder / "report.ipynb",
    )
    # The value reached the content's process: the page rendered on the server shows its digest.
    page = rendered_digest(content_url(folder / "report.ipynb"), key)
    assert hashlib.sha256(value.encode()).hexdigest() in page
    assert secrets.find(page) == []
    # -E NAME copies the local value; this deploy fails on the server (the notebook raises).
    run(
        "failing deploy -E NAME --verbose",
        "deploy",
        "notebook",
        "-n",
        "sec",
        "--verbose",
        "-E",
        VAR,
        folder / "failing.ipynb",
        env={VAR: value},
        ok=False,
    )
    run(
        "deploy with a wrong key",
        "deploy",
        "notebook",
        "-s",
        local_server.url,
        "-k",
        publisher["wrong_key"],
        "--static",
        "-E",
        "%s=%s" % (VAR, value),
        folder / "report.ipynb",
        ok=False,
    )
    run(
        "deploy with the key in CONNECT_API_KEY",
        "deploy",
        "notebook",
        "-s",
        local_server.url,
        "--static",
        "--new",
        "-t",
        "Secrets CLI static",
        "-E",
        "%s=%s" % (VAR, value),
        folder / "report.ipynb",
        env={"CONNECT_API_KEY": key},
    )

    assert "this notebook fails" in outputs["failing deploy -E NAME --verbose"]  # the log did come through
    leaks = {label: secrets.find(text) for label, text in outputs.items() if secrets.find(text)}
    assert leaks == {}

    # The key is in servers.json (0600) and nowhere else in the config folder.
    servers_json = config / "rsconnect-python" / "servers.json"
    assert_mode_0600(servers_json)
    files, count = scan_folder(config, secrets)
    assert count >= 1
    assert files == {"rsconnect-python/servers.json": ["api_key"]}

    # The notebooks, their deployment records and everything else beside them: nothing.
    records = list((folder / "rsconnect-python").glob("*.json"))
    assert records
    files, count = scan_folder(folder, secrets)
    assert count >= 4 and files == {}

    assert allowed_in_local_server(local_server_places(local_server, secrets)) == {}


# ---------------------------------------------------------------------------------------------
# The notebook extension's handlers in a real Jupyter server


@pytest.fixture(scope="module", params=KINDS)
def jupyter_server(request, tmp_path_factory, isolated_config):
    server = start_jupyter(request.param, tmp_path_factory.mktemp("secrets-" + request.param))
    yield server
    stop_jupyter(server)


def wait_job(call, job_id):
    cursor, deadline = 0, time.time() + 600
    while time.time() < deadline:
        state = call("GET", "jobs/%s?cursor=%d" % (job_id, cursor)).json()
        cursor = state["cursor"]
        if state["finished"]:
            return state
        time.sleep(0.3)
    raise AssertionError("the publish job did not finish")


def test_extension_never_shows_the_key_or_the_value(jupyter_server, local_server, publisher, isolated_config):
    secrets, key, value = publisher["secrets"], publisher["key"], publisher["value"]
    jupyter = jupyter_server
    folder = "secrets-%s" % jupyter.kind
    write_notebook(jupyter.root, folder + "/report.ipynb", code=DIGEST_CODE, requirements=REQUIREMENTS)
    write_notebook(jupyter.root, folder + "/failing.ipynb", code=FAILING_CODE)
    responses = []

    def call(method, route, **kwargs):
        r = jupyter.api(method, route, **kwargs)
        responses.append(("%s %s" % (method, route), r))
        return r

    nickname = "secrets-" + jupyter.kind
    r = call("POST", "servers/add", json={"url": local_server.url, "name": nickname, "api_key": key})
    assert r.status_code == 200, r.text
    # A wrong key is refused when the server is added (the key is checked first).
    r = call(
        "POST",
        "servers/add",
        json={"url": local_server.url, "name": nickname + "-wrong", "api_key": publisher["wrong_key"]},
    )
    assert r.status_code == 400, r.text
    assert call("GET", "servers").status_code == 200
    assert call("POST", "servers/verify", json={"server": nickname}).status_code == 200
    call("POST", "content/search", json={"server": nickname, "title": "Secrets extension"})
    call("GET", "environment?path=%s/report.ipynb" % folder)
    # The kernel's snapshot, taken here with the same program the browser runs in the kernel.
    snapshot = environment.snapshot(directory=jupyter.root / folder)
    results = {}
    for name, mode, server in [("report", "jupyter-static", nickname), ("failing", "jupyter-static", nickname)]:
        r = call(
            "POST",
            "publish",
            json={
                "server": server,
                "notebook_path": "%s/%s.ipynb" % (folder, name),
                "mode": mode,
                "title": "Secrets extension %s %s %s" % (jupyter.kind, name, mode),
                "snapshot": snapshot,
                "environment": {VAR: value},
            },
        )
        assert r.status_code == 202, r.text
        results[(name, server)] = wait_job(call, r.json()["job_id"])
        responses.append(("job " + name, json.dumps(results[(name, server)])))
    assert results[("report", nickname)]["error"] is None, results[("report", nickname)]
    assert results[("failing", nickname)]["error"]

    leaks = {}
    for label, r in responses:
        text = r if isinstance(r, str) else r.text + json.dumps(dict(r.headers))
        if secrets.find(text):
            leaks[label] = secrets.find(text)
    assert leaks == {}
    assert secrets.find(jupyter.log()) == []

    # The saved servers of the Jupyter server's user: the key only there, mode 0600.
    servers_json = isolated_config / "rsconnect-python" / "servers.json"
    assert_mode_0600(servers_json)
    assert secrets.find(servers_json.read_bytes()) == ["api_key"]
    # The notebooks (and their metadata), deployment records, checkpoints: nothing.
    files, count = scan_folder(jupyter.root / folder, secrets)
    assert count >= 4 and files == {}

    page = rendered_digest(results[("report", nickname)]["result"]["content_url"], key)
    assert hashlib.sha256(value.encode()).hexdigest() in page

    assert allowed_in_local_server(local_server_places(local_server, secrets)) == {}


def test_a_publish_job_scrubs_secrets_from_its_log_and_its_error(publisher):
    # A second line of defence: even an error message that quoted a secret reaches the dialog scrubbed.
    from rsconnect_jupyter.jupyter.jobs import JOBS

    key, value = publisher["key"], publisher["value"]

    def work(log):
        log("contacting with %s and %s" % (key, value))
        raise RuntimeError("the server said: %s / %s" % (key, value))

    job = JOBS.start(work, str, secrets=[key, value])
    deadline = time.time() + 30
    while not job.state()["finished"] and time.time() < deadline:
        time.sleep(0.05)
    state = job.state()
    assert state["finished"] and state["error"] == "the server said: *** / ***"
    assert state["lines"] == ["contacting with *** and ***", "the server said: *** / ***"]
    assert publisher["secrets"].find(json.dumps(state)) == []

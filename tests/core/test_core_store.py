"""Saved servers and deployment records: rsconnect-python's files and keys, atomic, 0600."""

import json
import multiprocessing
import os
import stat

import pytest

from rsconnect_jupyter.exceptions import InvalidInput
from rsconnect_jupyter.store import DeploymentStore, Server, ServerStore, config_dir
from tests.core import rsconnect_python


def test_config_dir_follows_xdg_and_falls_back_to_home(monkeypatch, tmp_path):
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    assert config_dir() == tmp_path / "xdg" / "rsconnect-python"
    monkeypatch.delenv("XDG_CONFIG_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert config_dir() == tmp_path / "home" / ".rsconnect-python"


def test_servers_round_trip_in_rsconnect_python_layout(tmp_path):
    store = ServerStore(tmp_path / "servers.json")
    store.add(Server("prod", "https://connect.example.com/", "secret-key", ca_cert="-----BEGIN CERTIFICATE-----x"))
    store.add(Server("dev", "http://127.0.0.1:3939/rsc/", "dev-key", insecure=True))
    data = json.loads((tmp_path / "servers.json").read_text())
    assert data["prod"] == {
        "name": "prod",
        "url": "https://connect.example.com/",
        "api_key": "secret-key",
        "insecure": False,
        "ca_cert": "-----BEGIN CERTIFICATE-----x",
    }
    assert [s.name for s in store.list()] == ["dev", "prod"]
    assert store.get("http://127.0.0.1:3939/rsc").name == "dev"  # by URL, trailing slash or not
    assert "secret-key" not in repr(store.get("prod"))
    assert stat.S_IMODE(os.stat(tmp_path / "servers.json").st_mode) == 0o600
    assert store.remove("dev") and not store.remove("dev")
    assert [s.name for s in store.list()] == ["prod"]
    assert sorted(os.listdir(tmp_path)) == ["servers.json"]  # no temporary or lock files left


def test_reads_servers_saved_by_rsconnect_python(local_server, tmp_path):
    # rsconnect-python's own `rsconnect add` checks the key against the server and saves it; its
    # ServerStore saves one with a CA certificate and one with verification off (no server needed).
    config = tmp_path / "config"
    rsconnect_python.run(config, "add", "-n", "work", "-s", local_server.url, "-k", local_server.api_key)
    rsconnect_python.python(
        config,
        (
            "from rsconnect.metadata import ServerStore\n"
            "store = ServerStore()\n"
            "store.set('tls', 'https://connect.example.com/rsc/', 'tls-key', ca_data='-----BEGIN CERTIFICATE-----x')\n"
            "store.set('lab', 'https://lab.example.com/', 'lab-key', insecure=True)\n"
            "store.save()\n"
        ),
    )
    path = config / "rsconnect-python" / "servers.json"
    store = ServerStore(path)
    assert [s.name for s in store.list()] == ["lab", "tls", "work"]
    work = store.resolve(name="work")
    assert (work.url.rstrip("/"), work.api_key) == (local_server.url.rstrip("/"), local_server.api_key)
    assert store.get(local_server.url).name == "work"  # by URL too
    tls = store.get("tls")
    assert (tls.url, tls.api_key, tls.ca_cert, tls.insecure) == (
        "https://connect.example.com/rsc/",
        "tls-key",
        "-----BEGIN CERTIFICATE-----x",
        False,
    )
    lab = store.get("https://lab.example.com")
    assert (lab.name, lab.api_key, lab.insecure) == ("lab", "lab-key", True)

    # And the other way: what we save, rsconnect-python lists (it never prints the key).
    store.add(Server("ours", "https://ours.example.com/", "our-key"))
    listed = rsconnect_python.run(config, "list")
    assert all(name in listed for name in ("ours", "work", "tls", "lab")), listed
    assert "https://ours.example.com" in listed and "our-key" not in listed


def test_resolve_rules(tmp_path):
    store = ServerStore(tmp_path / "servers.json")
    with pytest.raises(InvalidInput, match="none saved"):
        store.resolve()
    with pytest.raises(InvalidInput, match="No API key"):
        store.resolve(url="https://other.example/")
    given = store.resolve(url="https://other.example/", api_key="k")
    assert (given.url, given.api_key) == ("https://other.example/", "k")
    store.add(Server("local", "http://127.0.0.1:1/", "local-key"))
    assert store.resolve().name == "local"  # the only one
    store.add(Server("prod", "https://prod.example/", "prod-key"))
    with pytest.raises(InvalidInput, match="2 are saved"):
        store.resolve()
    store.add(Server("prod", "https://prod.example/", "prod-key"), default=True)
    assert store.resolve().name == "prod"
    assert store.resolve(name="local").api_key == "local-key"
    assert store.resolve(url="http://127.0.0.1:1").name == "local"  # a saved URL lends its key
    assert store.resolve(name="local", api_key="override").api_key == "override"
    with pytest.raises(InvalidInput, match='No saved server is called "nope"'):
        store.resolve(name="nope")


def _add_many(path, worker):
    store = ServerStore(path)
    for i in range(20):
        store.add(Server("w%d-%d" % (worker, i), "http://h%d-%d/" % (worker, i), "k"))


def test_concurrent_writers_lose_nothing(tmp_path):
    path = tmp_path / "servers.json"
    procs = [multiprocessing.Process(target=_add_many, args=(path, w)) for w in range(4)]
    for p in procs:
        p.start()
    for p in procs:
        p.join()
    assert len(json.loads(path.read_text())) == 80
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600


def test_deployment_records_beside_the_file(tmp_path):
    notebook = tmp_path / "report.ipynb"
    notebook.write_text("{}")
    records = DeploymentStore(notebook)
    assert records.path == tmp_path / "rsconnect-python" / "report.json"
    assert records.get("http://h/") is None
    records.save(
        "http://h/",
        {
            "app_url": "http://h/content/g/",
            "app_id": "7",
            "app_guid": "g",
            "title": "Report",
            "app_mode": "jupyter-static",
        },
    )
    records.save("https://other/", {"app_url": "u", "app_id": "1", "app_guid": "o", "title": "R", "app_mode": "static"})
    data = json.loads(records.path.read_text())
    assert data["http://h/"] == {
        "app_url": "http://h/content/g/",
        "app_id": "7",
        "app_guid": "g",
        "title": "Report",
        "app_mode": "jupyter-static",
        "server_url": "http://h/",
        "filename": str(notebook),
        "app_store_version": 1,
    }
    assert records.get("http://h")["app_guid"] == "g"
    assert {r["app_guid"] for r in records.all()} == {"g", "o"}
    assert sorted(os.listdir(records.path.parent)) == ["report.json"]


def test_reads_records_written_by_rsconnect_python(tmp_path, monkeypatch):
    # rsconnect-python's AppStore writes a notebook's record beside it, and, where it cannot write
    # there (here `rsconnect-python` beside the second notebook is a file), in its config folder.
    config = tmp_path / "config"
    monkeypatch.setenv("XDG_CONFIG_HOME", str(config))
    beside, elsewhere = tmp_path / "a" / "report.ipynb", tmp_path / "b" / "sales.ipynb"
    for notebook in (beside, elsewhere):
        notebook.parent.mkdir()
        notebook.write_text("{}")
    (elsewhere.parent / "rsconnect-python").write_text("not a folder")
    rsconnect_python.python(
        config,
        (
            "from rsconnect.metadata import AppStore\n"
            "for path, guid in ((%r, 'g-a'), (%r, 'g-b')):\n"
            "    store = AppStore(path)\n"
            "    store.set('http://h:3939/', path, 'http://h:3939/content/%%s/' %% guid, '7', guid, 'Report',"
            " 'jupyter-static')\n"
            "    store.save()\n"
        )
        % (str(beside), str(elsewhere)),
    )
    assert (beside.parent / "rsconnect-python" / "report.json").is_file()
    assert len(list((config / "rsconnect-python" / "applications").glob("*.json"))) == 1
    for notebook, guid in ((beside, "g-a"), (elsewhere, "g-b")):
        record = DeploymentStore(notebook).get("http://h:3939")
        assert record is not None, notebook
        assert (record["app_guid"], record["app_url"], record["app_mode"], record["filename"]) == (
            guid,
            "http://h:3939/content/%s/" % guid,
            "jupyter-static",
            str(notebook),
        )


def test_records_fall_back_to_the_config_dir_when_the_folder_is_read_only(tmp_path):
    folder = tmp_path / "ro"
    folder.mkdir()
    notebook = folder / "n.ipynb"
    notebook.write_text("{}")
    folder.chmod(0o555)
    try:
        if os.access(folder, os.W_OK):  # root ignores permissions: make the primary path a file instead
            folder.chmod(0o755)
            (folder / "rsconnect-python").write_text("not a folder")
        records = DeploymentStore(notebook)
        written = records.save(
            "http://h/", {"app_guid": "g", "app_id": "1", "app_url": "u", "title": "t", "app_mode": "static"}
        )
        assert written == records.secondary_path
        assert str(written).startswith(str(config_dir() / "applications"))
        assert records.get("http://h/")["app_guid"] == "g"
    finally:
        folder.chmod(0o755)


UMASK_RACE = r"""
import os, sys, threading
from pathlib import Path
from rsconnect_jupyter.store import DeploymentStore, ServerStore, Server

os.umask(0o022)
sys.setswitchinterval(1e-6)  # switch threads as often as possible, to hit any window
work = Path(sys.argv[1])
notebook = work / "report.ipynb"
notebook.write_text("{}")
stop = threading.Event()

def other_thread():  # what the Jupyter server does meanwhile: create files with default modes
    i = 0
    while not stop.is_set():
        with open(work / "other" / ("f%d" % i), "w"):
            pass
        i += 1

(work / "other").mkdir()
thread = threading.Thread(target=other_thread)
thread.start()
records, servers = DeploymentStore(notebook), ServerStore(work / "config" / "servers.json")
for i in range(600):
    records.save("http://h%d/" % (i % 3), {"app_guid": "g", "app_id": str(i), "app_url": "u", "title": "t",
                                          "app_mode": "static"})
    servers.add(Server("s%d" % (i % 3), "http://h%d/" % (i % 3), "key-%d" % i))
stop.set()
thread.join()
print(len(os.listdir(work / "other")))
"""


def test_writing_records_never_changes_the_umask_of_other_threads(tmp_path):
    import subprocess
    import sys

    created = subprocess.run(
        [sys.executable, "-c", UMASK_RACE, str(tmp_path)], check=True, capture_output=True, text=True
    ).stdout
    others = list((tmp_path / "other").iterdir())
    assert len(others) == int(created) > 0
    modes = {oct(stat.S_IMODE(p.stat().st_mode)) for p in others}
    assert modes == {"0o644"}, "files another thread created got other modes: %s" % modes
    assert stat.S_IMODE((tmp_path / "rsconnect-python" / "report.json").stat().st_mode) == 0o644
    assert stat.S_IMODE((tmp_path / "config" / "servers.json").stat().st_mode) == 0o600

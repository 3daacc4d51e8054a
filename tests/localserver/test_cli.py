"""`rsconnect local-server`: first start, the admin key file, saved servers, add-user."""

import json
import os
import stat
import subprocess
import sys

import requests

from rsconnect_jupyter.localconnect import interpreters
from rsconnect_jupyter.localconnect.state import default_data_dir
from tests.localserver.localserver_helpers import Client


def run_cli(*args, env=None):
    return subprocess.run(
        [sys.executable, "-m", "rsconnect_jupyter", "local-server", *args], capture_output=True, text=True, env=env
    )


def test_first_start_writes_the_admin_key_and_saves_the_server(tmp_path, local_servers):
    env = dict(os.environ, XDG_CONFIG_HOME=str(tmp_path / "config"))
    server = local_servers.start(tmp_path / "data", env=env)
    key_file = tmp_path / "data" / "admin-api-key"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert Client(server)("GET", "v1/user").json()["user_role"] == "administrator"
    log = server.log()
    assert server.url in log and str(key_file) in log
    servers_file = tmp_path / "config" / "rsconnect-python" / "servers.json"
    assert stat.S_IMODE(servers_file.stat().st_mode) == 0o600
    saved = json.loads(servers_file.read_text())["local"]
    assert saved["url"] == server.url and saved["api_key"] == server.api_key
    assert saved["name"] == "local" and saved["insecure"] is False and saved["ca_cert"] is None

    # A second server does not take the nickname over.
    other = local_servers.start(tmp_path / "data2", env=env)
    assert json.loads(servers_file.read_text())["local"]["url"] == server.url
    local_servers.stop(other)
    # A restart does not make a new administrator.
    local_servers.stop(server)
    assert "Stopped." in server.log()  # SIGTERM stops it cleanly
    again = local_servers.start(tmp_path / "data", env=env)
    assert again.api_key == server.api_key
    assert len(Client(again)("GET", "v1/users").json()["results"]) == 1


def test_add_user_prints_a_working_key(local_server):
    out = run_cli("add-user", "cli-user", "--role", "viewer", "--data-dir", str(local_server.data_dir))
    assert out.returncode == 0, out.stderr
    key = out.stdout.strip().splitlines()[-1].split()[-1]
    me = requests.get(local_server.url + "__api__/v1/user", headers={"Authorization": "Key " + key}).json()
    assert me["username"] == "cli-user" and me["user_role"] == "viewer"
    # Keys are stored only as hashes.
    assert key.encode() not in (local_server.data_dir / "connect.db").read_bytes()


def test_add_user_refuses_duplicates_and_bad_roles(local_server):
    run_cli("add-user", "twice", "--data-dir", str(local_server.data_dir))
    again = run_cli("add-user", "twice", "--data-dir", str(local_server.data_dir))
    assert again.returncode != 0 and "already exists" in again.stderr
    bad = run_cli("add-user", "someone", "--role", "wizard", "--data-dir", str(local_server.data_dir))
    assert bad.returncode != 0 and "wizard" in bad.stderr


def test_default_data_dir_follows_xdg(monkeypatch, tmp_path):
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    assert default_data_dir() == str(tmp_path / "rsconnect-jupyter" / "local-server")
    monkeypatch.delenv("XDG_DATA_HOME")
    assert default_data_dir() == os.path.expanduser("~/.local/share/rsconnect-jupyter/local-server")


def test_interpreters_are_deduplicated_by_real_path(tmp_path):
    link = tmp_path / "my-python"
    link.symlink_to(os.path.realpath(sys.executable))
    found = interpreters.discover([str(link), sys.executable])
    paths = [i.path for i in found]
    assert len(paths) == len(set(paths))
    assert os.path.realpath(sys.executable) in paths
    assert all(i.version.count(".") == 2 for i in found)
    assert interpreters.choose(found, "%d.%d.99" % sys.version_info[:2]).minor == "%d.%d" % sys.version_info[:2]
    assert interpreters.choose(found, "2.7.18") is None


def test_python_option_that_is_not_python_stops_the_server(tmp_path):
    fake = tmp_path / "python9"
    fake.write_text("#!/bin/sh\necho nope\n")
    fake.chmod(0o755)
    out = run_cli("--port", "1", "--data-dir", str(tmp_path / "d"), "--python", str(fake))
    assert out.returncode != 0 and "does not run as Python 3" in out.stderr


def test_help_names_the_commands():
    out = run_cli("--help")
    assert out.returncode == 0 and "add-user" in out.stdout and "--data-dir" in out.stdout

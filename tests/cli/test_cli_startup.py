"""Start-up stays light: commands that need no server, no HTML and no local server import none of
requests, tornado, nbformat/nbconvert (jsonschema's format checkers alone can take over a second)."""

import json
import subprocess
import sys

import click
import pytest

from rsconnect_jupyter import cli as rsconnect_cli
from tests.project_copies import copy_example

HEAVY = ("requests", "tornado", "nbformat", "nbconvert", "jsonschema")
# What a notebook's deploy or write-manifest does not need: the app commands and publishers.
APPS_ONLY = (
    "rsconnect_jupyter.commands.apps",
    "rsconnect_jupyter.commands.servers",
    "rsconnect_jupyter.publish_apps",
    "rsconnect_jupyter.bundle.app",
    "rsconnect_jupyter.bundle.manifest_file",
    "rsconnect_jupyter.bundle.static",
)
LOCAL_SERVER = ("rsconnect_jupyter.localconnect.cli",)  # loaded only when `local-server` runs

PROBE = """
import sys
from rsconnect_jupyter.cli import main
try:
    main(sys.argv[1:], prog_name="rsconnect")
except SystemExit as e:
    assert not e.code, e.code
print("IMPORTED", " ".join(m for m in %r if m in sys.modules))
""" % (HEAVY + APPS_ONLY + LOCAL_SERVER,)


def imported_by(args, tmp_path):
    env = {
        "XDG_CONFIG_HOME": str(tmp_path / "config"),
        "XDG_DATA_HOME": str(tmp_path / "data"),
        "PATH": "/usr/bin:/bin",
        "HOME": str(tmp_path),
    }
    result = subprocess.run(
        [sys.executable, "-c", PROBE, *map(str, args)], capture_output=True, text=True, env=env, timeout=300
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout.strip().splitlines()[-1].split()[1:]


@pytest.mark.parametrize("with_requirements", [True, False])
def test_write_manifest_notebook_imports_nothing_heavy(tmp_path, with_requirements):
    folder = tmp_path / "nb"
    copy_example(folder)
    if not with_requirements:
        (folder / "requirements.txt").unlink()
    assert imported_by(["write-manifest", "notebook", folder / "hello.ipynb"], tmp_path) == []  # nor app modules
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["metadata"] == {"appmode": "jupyter-static", "entrypoint": "hello.ipynb"}
    assert set(manifest["files"]) == {"hello.ipynb", "requirements.txt"}


@pytest.mark.parametrize(
    "args",
    [
        ["--help"],
        ["list"],
        ["deploy", "--help"],
        ["deploy", "notebook", "--help"],
        ["write-manifest", "--help"],
        ["remove", "--help"],
    ],
)
def test_help_and_local_commands_import_nothing_heavy(tmp_path, args):
    assert set(imported_by(args, tmp_path)) <= set(APPS_ONLY)


@pytest.mark.parametrize("args", [["deploy", "notebook", "--help"], ["write-manifest", "notebook", "--help"]])
def test_notebook_commands_import_no_app_command_or_publisher(tmp_path, args):
    assert imported_by(args, tmp_path) == []


def test_app_commands_are_loaded_when_run_or_listed(tmp_path):
    from rsconnect_jupyter.commands import apps as app_commands
    from rsconnect_jupyter.commands.deploy import deploy_group, write_manifest_group

    ctx = click.Context(deploy_group)
    assert deploy_group.get_command(ctx, "flask") is app_commands.DEPLOY_COMMANDS["flask"]
    assert deploy_group.get_command(ctx, "manifest") is app_commands.deploy_manifest
    assert write_manifest_group.get_command(ctx, "dash") is app_commands.WRITE_MANIFEST_COMMANDS["dash"]
    assert "rsconnect_jupyter.commands.apps" in imported_by(["deploy", "api", "--help"], tmp_path)


def test_the_local_server_is_listed_with_its_own_help_line_and_loads_when_run(tmp_path):
    from rsconnect_jupyter.localconnect.cli import local_server

    short_help = rsconnect_cli.LAZY_COMMANDS["local-server"].short_help
    assert short_help == local_server.help.split("\n\n")[0].strip()
    ctx = click.Context(rsconnect_cli.main)
    assert rsconnect_cli.main.get_command(ctx, "local-server") is local_server
    assert "local-server" in rsconnect_cli.main.list_commands(ctx)
    # Its options come from localconnect/state.py: its help needs no tornado, only the server does.
    assert imported_by(["local-server", "--help"], tmp_path) == list(LOCAL_SERVER)

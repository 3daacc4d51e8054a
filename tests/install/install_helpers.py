"""A fresh checkout, fresh virtual environments and the README's install blocks, for the tests that
install the package the way a user does (tests/install)."""

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
LAB_EXTENSION = "rsconnect-jupyter"  # labextension/package.json "name"
LAB_BUILD = "rsconnect_jupyter/labextension"  # where setup.py's jlpm build puts the lab extension
CORE_AMD_BUILD = "labextension/amd"  # the same build's AMD core for the classic Notebook (setup.py)
WIDGETS_BUILD = "rsconnect_jupyter/localconnect/vendor/widgets"  # the same build's copy of ipywidgets' embed-amd.js
BUILDS = (LAB_BUILD, CORE_AMD_BUILD, WIDGETS_BUILD)  # without any, setup.py finds the build stale and runs jlpm again
NOTEBOOK = '{"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}'


def clean_copy(dest):
    """What a clean clone of this checkout holds: committed files plus new ones git does not ignore.

    Nothing built (no lab extension, no node_modules, no .venv) comes along; file times are kept.
    """
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=REPO,
        capture_output=True,
        check=True,
    ).stdout
    dest = Path(dest)
    for name in filter(None, listed.decode().split("\0")):
        source = REPO / name
        if not source.is_file():  # deleted in the working tree, not yet committed
            continue
        (dest / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source, dest / name)
    return dest


def copy_with_build(dest, built_checkout):
    """A clean copy that already holds the lab extension built in `built_checkout`, as a clone
    where `pip install .` ran once: setup.py finds the build newer than its sources (file times are
    kept) and builds nothing."""
    dest = clean_copy(dest)
    for build in BUILDS:  # into folders a clean copy may hold already (vendor/widgets/LICENSE is committed)
        shutil.copytree(Path(built_checkout) / build, dest / build, dirs_exist_ok=True)
    return dest


def fresh_venv(path, with_pip=True):
    """A new virtual environment with its own pip, as `python -m venv` makes it for a user; without
    pip for uv_install (putting pip in costs about 5 CPU-seconds)."""
    subprocess.run([sys.executable, "-m", "venv", *([] if with_pip else ["--without-pip"]), str(path)], check=True)
    return Path(path)


def uv_install(venv, *requirements, env, cwd):
    """`uv pip install REQUIREMENTS` into `venv`, where the installer is not what a test checks (the
    README's own `pip install` lines run verbatim, with pip): about 1 CPU-second from uv's cache
    where pip takes 30 for JupyterLab and Notebook. pip's index settings are passed on, as the local
    server passes them (uv does not read pip's configuration)."""
    from uv import find_uv_bin

    from rsconnect_jupyter.localconnect.environments import uv_index_options

    index_args, index_env = uv_index_options()
    return run(
        [find_uv_bin(), "pip", "install", "--quiet", "--python", str(Path(venv) / "bin" / "python"), *index_args]
        + list(requirements),
        env={**env, **index_env},
        cwd=cwd,
    )


def user_env(venv, home, path=None):
    """The environment of a user whose shell has `venv` activated; Jupyter's user folders in home."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("JUPYTER", "PYTHON", "VIRTUAL_ENV"))}
    home = Path(home)
    env.update(
        {
            "VIRTUAL_ENV": str(venv),
            "PATH": os.pathsep.join(
                filter(None, [str(Path(venv) / "bin"), os.environ["PATH"] if path is None else path])
            ),
            "JUPYTER_CONFIG_DIR": str(home / "jupyter-config"),
            "JUPYTER_DATA_DIR": str(home / "jupyter-data"),
            "JUPYTER_RUNTIME_DIR": str(home / "jupyter-runtime"),
            "JUPYTER_PLATFORM_DIRS": "1",
            # pip compiles every module of every package it installs, over half of an install's
            # time here; the UIs the tests start compile what they import.
            "PIP_NO_COMPILE": "1",
        }
    )
    return env


def run(argv, **kwargs):
    """Run and return stdout + stderr; a failure shows both."""
    done = subprocess.run(argv, capture_output=True, text=True, **kwargs)
    output = done.stdout + done.stderr
    assert done.returncode == 0, "%s failed (exit %d):\n%s" % (argv, done.returncode, output[-8000:])
    return output


def plain(text):
    """Jupyter's list commands colour "enabled" and "OK"."""
    return re.sub(r"\x1b\[[0-9;]*m", "", text)


def readme_install_blocks(readme=REPO / "README.md"):
    """The bash blocks of the README's "Install" section, by the UI their first comment line names."""
    text = readme.read_text()
    section = re.search(r"^## Install\n(.*?)(?=^## )", text, re.M | re.S)
    assert section, "README.md has no '## Install' section"
    blocks = {}
    for block in re.findall(r"```bash\n(.*?)```", section.group(1), re.S):
        first, _, rest = block.partition("\n")
        assert first.startswith("# "), "an install block must start with a comment naming its UI: %r" % block
        blocks[first[2:].split(":")[0].strip()] = block
    return blocks


def start_ui(kind, venv, base, path=None):
    """Start the notebook UI `kind` (tests/lab's jupyterlab4 or notebook7, tests/extension's notebook
    for the classic 6.5) from `venv`, as a user whose shell has it activated starts it, with user
    folders in `base` (only what the install put into the environment enables anything). `path`
    replaces the PATH after the venv's scripts ("" for none: no Node.js)."""
    from tests.extension import jupyter_servers
    from tests.lab import lab_servers

    python = str(Path(venv) / "bin" / "python")
    lab = kind in lab_servers.KINDS
    own_command = lab_servers.command if lab else jupyter_servers.command

    def command(kind, port, token, root):
        return [python, *own_command(kind, port, token, root)[1:]]

    def home(folder):
        env = lab_servers.jupyter_home(folder)  # user folders only; no copy of the working tree
        env.pop("PYTHONDONTWRITEBYTECODE", None)  # what it imports is compiled once (user_env's PIP_NO_COMPILE)
        env["PATH"] = os.pathsep.join(
            filter(None, [str(Path(venv) / "bin"), os.environ["PATH"] if path is None else path])
        )
        env["VIRTUAL_ENV"] = str(venv)
        return env

    server_class = lab_servers.LabServer if lab else jupyter_servers.JupyterServer
    return jupyter_servers.start_jupyter(
        kind, base, "rsc-install-token", command=command, home=home, server_class=server_class
    )


def open_with_publish_button(page, server, name="installed.ipynb"):
    """Open a new notebook in `server`'s UI; returns the Publish button once it shows."""
    from tests.extension import extension_ui
    from tests.lab import lab_servers, lab_ui

    (server.root / name).write_text(NOTEBOOK)
    if server.kind in lab_servers.KINDS:
        lab_ui.open_notebook(page, server, name)
        button = page.locator(".rsc-publish-button")
    else:
        extension_ui.open_notebook(page, server, name)
        button = page.locator("#rsc-publish-button")
    assert button.is_visible(), "the Publish button is not visible in %s" % server.kind
    return button

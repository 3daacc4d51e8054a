"""rsconnect-python, the public client whose files we share, installed in a virtualenv of its own.

Every test that runs it takes it from here (tests/core, tests/localserver/test_public_client*.py),
at one pinned version, so a new release that changes its files or its requests shows up as a
deliberate version bump. uv's cache keeps re-creating the virtualenv cheap. Its console script is
also called `rsconnect`: it runs with its own HOME and config folder.
"""

import functools
import os
import subprocess
import sys
import tempfile
from pathlib import Path

VERSION = "1.32.0"


def uv():
    from uv import find_uv_bin

    return find_uv_bin()


@functools.cache
def venv():
    """The folder of a virtualenv holding rsconnect-python VERSION (one per test session)."""
    folder = Path(tempfile.mkdtemp(prefix="rsconnect-python-")) / "venv"
    subprocess.run([uv(), "venv", "--quiet", "--python", sys.executable, str(folder)], check=True)
    subprocess.run(
        [
            uv(),
            "pip",
            "install",
            "--quiet",
            "--python",
            str(folder / "bin" / "python"),
            "rsconnect-python==%s" % VERSION,
        ],
        check=True,
    )
    return folder


def environ(config):
    """rsconnect-python's environment: its config folder is `config`/rsconnect-python."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CONNECT_", "RSCONNECT_", "PYTHON"))}
    env.update(HOME=str(Path(config) / "home"), XDG_CONFIG_HOME=str(config), RSCONNECT_DISABLE_VERSION_CHECK="1")
    return env


def run(config, *args, cwd=None):
    """`rsconnect ARGS` of rsconnect-python; fails the test if it fails."""
    proc = subprocess.run(
        [str(venv() / "bin" / "rsconnect"), *map(str, args)],
        capture_output=True,
        text=True,
        env=environ(config),
        cwd=cwd,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return proc.stdout + proc.stderr


def run_failing(config, *args, cwd=None):
    """`rsconnect ARGS` of rsconnect-python, expected to fail: its output."""
    proc = subprocess.run(
        [str(venv() / "bin" / "rsconnect"), *map(str, args)],
        capture_output=True,
        text=True,
        env=environ(config),
        cwd=cwd,
        timeout=300,
    )
    assert proc.returncode != 0, proc.stdout + proc.stderr
    return proc.stdout + proc.stderr


def python(config, code, *args):
    """Run `code` (with `args` in sys.argv[1:]) with rsconnect-python's own Python (its modules,
    e.g. rsconnect.metadata)."""
    proc = subprocess.run(
        [str(venv() / "bin" / "python"), "-c", code, *args],
        capture_output=True,
        text=True,
        env=environ(config),
        timeout=300,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return proc.stdout

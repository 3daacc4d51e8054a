"""posit-sdk-py (Posit's Python SDK for Connect), a public client, installed in a virtualenv of its own.

Tests that let it judge the local server take it from here, at one pinned version (as
tests/core/rsconnect_python.py does for rsconnect-python), so a release that changes its requests
shows up as a deliberate version bump. It runs in its own Python: a test hands it a script that
prints JSON, and reads that.
"""

from __future__ import annotations

import functools
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

VERSION = "0.17.0"


def uv() -> str:
    from uv import find_uv_bin

    return str(find_uv_bin())


@functools.cache
def venv() -> Path:
    """The folder of a virtualenv holding posit-sdk VERSION (one per test session)."""
    folder = Path(tempfile.mkdtemp(prefix="posit-sdk-")) / "venv"
    subprocess.run([uv(), "venv", "--quiet", "--python", sys.executable, str(folder)], check=True)
    subprocess.run(
        [uv(), "pip", "install", "--quiet", "--python", str(folder / "bin" / "python"), "posit-sdk==%s" % VERSION],
        check=True,
    )
    return folder


def run(url: str, api_key: str, code: str) -> Any:
    """Run `code` with the SDK's Python, `client` a connect.Client of the server at `url` with
    `api_key`; the script's last stdout line is JSON, returned decoded. Fails the test if it fails."""
    prologue = "import json\nfrom posit import connect\nclient = connect.Client(url=%r, api_key=%r)\n" % (
        url,
        api_key,
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CONNECT_", "PYTHON"))}
    proc = subprocess.run(
        [str(venv() / "bin" / "python"), "-c", prologue + code],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return json.loads(proc.stdout.strip().splitlines()[-1])

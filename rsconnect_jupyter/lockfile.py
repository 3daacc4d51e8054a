"""The environment published content runs with: its lockfile from Connect (`GET
v1/content/{guid}/lockfile`, what `rsconnect content get-lockfile` writes), and the same environment
made again on this machine with uv (`rsconnect content venv`)."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from typing import TYPE_CHECKING

from .exceptions import InvalidInput, RSConnectError
from .target import Log

if TYPE_CHECKING:
    from .connect import Lockfile
    from .versions import Content


class VenvFailed(RSConnectError):
    """uv could not make the environment (its own output, above, says why)."""


def lockfile(content: Content) -> Lockfile:
    return content.client.content_lockfile(content.guid)


def write_lockfile(content: Content, output: str, overwrite: bool = False) -> Lockfile:
    """Save the content's lockfile as `output` (refused if it exists, unless `overwrite`)."""
    if os.path.exists(output) and not overwrite:
        raise InvalidInput("%s already exists: choose another file, or add --overwrite." % output)
    lock = lockfile(content)
    with open(output, "w", encoding="utf-8") as f:
        f.write(lock.text)
    return lock


def _uv() -> str:
    from uv import find_uv_bin  # the package depends on uv

    return find_uv_bin()


def _is_venv(directory: str) -> bool:
    return os.path.isfile(os.path.join(directory, "pyvenv.cfg"))


def make_venv(content: Content, directory: str, log: Log) -> Lockfile:
    """Make (or bring in line) a virtual environment in `directory` holding exactly the lockfile's
    packages, with the Python MAJOR.MINOR the content runs on. uv's output goes to stderr as it comes."""
    if os.path.exists(directory) and (not os.path.isdir(directory) or os.listdir(directory)):
        if not _is_venv(directory):
            raise InvalidInput(
                "%s exists and is not a virtual environment: name a new folder, or an environment to bring in line."
                % directory
            )
    lock = lockfile(content)
    python = ".".join((lock.python or "").split(".")[:2])
    uv = _uv()
    if not _is_venv(directory):
        log("Making a virtual environment in %s%s ..." % (directory, " with Python %s" % python if python else ""))
        argv = [uv, "venv", "--quiet", *(["--python", python] if python else []), directory]
        _run(argv, "uv venv")
    with tempfile.TemporaryDirectory(prefix="rsconnect-lock-") as tmp:
        path = os.path.join(tmp, "requirements.txt.lock")
        with open(path, "w", encoding="utf-8") as f:
            f.write(lock.text)
        log("Installing the lockfile's packages (and nothing else) with uv ...")
        python_path = os.path.join(directory, "Scripts" if os.name == "nt" else "bin", "python")
        _run([uv, "pip", "sync", "--python", python_path, path], "uv pip sync")
    return lock


def _run(argv: list[str], what: str) -> None:
    # uv's progress and errors reach the terminal as they come, on stderr: stdout stays for answers
    done = subprocess.run(argv, check=False, stdout=sys.stderr)
    if done.returncode != 0:
        raise VenvFailed("%s failed (exit status %d): its output above says why." % (what, done.returncode))

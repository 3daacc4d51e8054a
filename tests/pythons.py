"""Other Python interpreters the tests run (3.9, the oldest the package supports, 2.7 to be refused,
and a few 3.x beside this one), found in one place.

Looked for in the checkout's .pythons/bin (where `scripts/test` puts the ones it installs with
uv), then pyenv's versions, then `pythonX.Y` on PATH. A test that needs one it cannot find fails
with one line saying what to install: never a skip, never this Python instead.
"""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
from pathlib import Path

CHECKOUT = Path(__file__).resolve().parent.parent
EXTRA = CHECKOUT / ".pythons" / "bin"  # scripts/test's extra_pythons links them here
PYENV = Path(os.environ.get("PYENV_ROOT") or Path.home() / ".pyenv") / "versions"


def find_python(version: str) -> str | None:
    """An interpreter of MAJOR.MINOR `version` (e.g. "3.9"), or None."""
    linked = EXTRA / ("python" + version)
    if linked.exists():
        return str(linked)
    found = sorted(glob.glob(str(PYENV / (version + ".*") / "bin" / "python")))
    if found:
        return found[0]
    return shutil.which("python" + version)


def require_python(version: str) -> str:
    """An interpreter of MAJOR.MINOR `version`; fails the test in one line when there is none."""
    python = find_python(version)
    if python is None:
        if version.startswith("2."):
            how = "install it with pyenv (`pyenv install 2.7.18`) or your system's packages (uv cannot install 2.7)"
        else:
            how = "run `bash scripts/test` (it installs it into .pythons with uv) or `pyenv install %s`" % version
        raise AssertionError("This test needs Python %s and none is installed: %s." % (version, how))
    return python


def version_of(python: str) -> str:
    """The interpreter's full version, e.g. "3.9.18"."""
    return subprocess.run(
        [python, "-c", "import platform; print(platform.python_version())"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()


def installed_pythons() -> list[str]:
    """One interpreter for each Python 3 MAJOR.MINOR found (.pythons, pyenv's, PATH)."""
    minors = {Path(p).name[len("python") :] for p in glob.glob(str(EXTRA / "python3.*"))}
    minors |= {Path(p).name.rsplit(".", 1)[0] for p in glob.glob(str(PYENV / "3.*"))}
    for folder in os.environ.get("PATH", "").split(os.pathsep):
        minors |= {Path(p).name[len("python") :] for p in glob.glob(os.path.join(folder, "python3.*"))}
    found = [find_python(m) for m in minors if m.count(".") == 1 and m.replace(".", "").isdigit()]
    return sorted(p for p in found if p)

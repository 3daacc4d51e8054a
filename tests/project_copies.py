"""Test inputs are copies of what the repository holds, never of what a run left beside it.

`bash scripts/demo` deploys examples/hello/ and writes its record there (rsconnect-python/), a user
may write a manifest.json or open the notebook (.ipynb_checkpoints/): none of that may reach a test.
"""

import shutil
import subprocess
import uuid
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
EXAMPLES = REPO / "examples"
APPS = REPO / "tests" / "apps"

# What a run can leave in a source folder, for checkouts without git (an unpacked sdist).
GENERATED = ("rsconnect-python", "manifest.json", ".ipynb_checkpoints", "__pycache__", "*.pyc")


def tracked_files(folder):
    """The files git tracks under folder, relative to it; None outside a git checkout."""
    try:
        listed = subprocess.run(
            ["git", "ls-files", "-z", "--", "."], cwd=folder, capture_output=True, check=True
        ).stdout
    except (OSError, subprocess.CalledProcessError):
        return None
    return [Path(name) for name in listed.decode().split("\0") if name]


def copy_source(folder, dest, leave_out=()):
    """Copy folder's committed files to dest (a new folder) and return dest."""
    folder, dest = Path(folder), Path(dest)
    names = tracked_files(folder)
    if names is None:
        shutil.copytree(folder, dest, ignore=shutil.ignore_patterns(*GENERATED, *leave_out))
        return dest
    dest.mkdir(parents=True)
    for name in names:
        if any(part in leave_out for part in name.parts) or not (folder / name).is_file():
            continue
        (dest / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(folder / name, dest / name)
    return dest


def copy_example(dest, name="hello", leave_out=()):
    """A fresh copy of examples/NAME (the sample notebook by default)."""
    return copy_source(EXAMPLES / name, dest, leave_out)


def example_notebook(parent):
    """hello.ipynb in a fresh copy of examples/hello, in a folder of its own (a new name each time:
    a deploy's title and record come from it) under parent."""
    folder = Path(parent) / ("nb-" + uuid.uuid4().hex[:6])
    copy_example(folder)
    return folder / "hello.ipynb"

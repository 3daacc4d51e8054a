"""The environment snapshot: Python version, package manager, locale and requirements.

The snapshot must describe the Python that runs the code (the notebook's kernel, or
`--python PATH`), which may be a virtual environment with no pip and without this package.
So it is taken by `SNAPSHOT_PROGRAM`, a stdlib-only program (Python 3.9 to 3.13) that runs
there unchanged, with `python -c` or inside a kernel, and prints one line of JSON.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from typing import cast

from .exceptions import SnapshotError
from .snapshot import Snapshot

# The program that runs in the target interpreter. Stdlib only; keep it fast (it runs inside
# the user's kernel): read distribution metadata headers directly instead of importing pip or
# parsing whole METADATA files with the email package.
SNAPSHOT_PROGRAM = r'''
import json, os, sys  # the rest is imported where needed: this runs before every deploy

OWN_NAMES = {"rsconnect-jupyter"}  # this package is never a requirement of the content
# pip freeze leaves these out (setuptools, wheel and distribute only before Python 3.12).
FREEZE_SKIP = {"pip"} if sys.version_info >= (3, 12) else {"pip", "setuptools", "wheel", "distribute"}


def normalize(name):
    import re

    return re.sub(r"[-_.]+", "-", name).lower()


def headers(text):
    """Name and Version from the header block of a METADATA / PKG-INFO file."""
    found = {}
    for line in text.splitlines():
        if not line.strip():
            break
        key, sep, value = line.partition(":")
        if sep and key in ("Name", "Version") and key not in found:
            found[key] = value.strip()
    return found.get("Name"), found.get("Version")


def local_origin(dist):
    """'editable' or 'local' when the distribution came from a folder or file, not an index."""
    try:
        text = dist.read_text("direct_url.json")
    except Exception:
        text = None
    if not text:
        return None
    try:
        info = json.loads(text)
    except ValueError:
        return None
    if (info.get("dir_info") or {}).get("editable"):
        return "an editable install"
    if info.get("url", "").startswith("file:"):
        return "a local file or folder"
    return None


def installed_requirements():
    from importlib import metadata

    seen, lines, notes = set(), [], []
    for dist in metadata.distributions():
        text = dist.read_text("METADATA") or dist.read_text("PKG-INFO") or ""
        name, version = headers(text)
        if not name or not version:
            continue
        key = normalize(name)
        if key in seen:  # the first one on sys.path wins, as for imports
            continue
        seen.add(key)
        if key in OWN_NAMES or key in FREEZE_SKIP:
            continue
        origin = local_origin(dist)
        if origin:
            notes.append((key, "# %s==%s: left out, installed from %s" % (name, version, origin)))
            continue
        lines.append((key, "%s==%s" % (name, version)))
    return "".join(line + "\n" for _, line in sorted(lines) + sorted(notes))


def pip_version():
    """pip's version from its dist-info folder's name, the one on sys.path that imports would use.

    Importing importlib.metadata and scanning every distribution costs about 55 ms in an
    environment of 80 packages; listing the folders on sys.path costs about 1 ms."""
    for entry in sys.path:
        try:
            names = os.listdir(entry or ".")
        except OSError:
            continue
        if "pip" not in names:
            continue
        for name in names:
            if name.startswith("pip-") and name.endswith(".dist-info"):
                return name[len("pip-"):-len(".dist-info")]
        return None
    return None


def package_manager():
    import importlib.util

    if importlib.util.find_spec("pip") is not None:
        return {"name": "pip", "version": pip_version()}
    import shutil
    import subprocess

    uv = shutil.which("uv")
    if uv:
        try:
            out = subprocess.run([uv, "--version"], capture_output=True, text=True, timeout=10).stdout
            return {"name": "uv", "version": (out.split() + ["", ""])[1] or None}
        except Exception:
            return {"name": "uv", "version": None}
    return {"name": "none", "version": None}


def current_locale():
    for var in ("LC_ALL", "LC_CTYPE", "LANG"):
        value = os.environ.get(var)
        if value and value not in ("C", "POSIX"):
            return value
    try:
        import locale

        lang, enc = locale.getlocale()
        if lang and enc:
            return "%s.%s" % (lang, enc)
    except Exception:
        pass
    return "en_US.UTF-8"


def snapshot(directory, force_generate):
    result = {
        "python": "%d.%d.%d" % sys.version_info[:3],
        "executable": sys.executable,
        "package_manager": package_manager(),
        "locale": current_locale(),
    }
    path = os.path.join(directory, "requirements.txt") if directory else None
    if force_generate == "skip":  # the packages come from a project file, read by the caller
        result["requirements"] = ""
        result["source"] = "project"
    elif path and not force_generate and os.path.isfile(path):
        with open(path, encoding="utf-8", newline="") as f:
            result["requirements"] = f.read()
        result["source"] = "file"
    else:
        result["requirements"] = installed_requirements()
        result["source"] = "generated"
        if force_generate is True:
            result["forced"] = True  # asked for: the project's files must not replace the list
    return result


def main(args):
    directory = args[0] if args else ""
    mode = args[1] if len(args) > 1 else "0"
    force_generate = "skip" if mode == "2" else mode == "1"
    try:
        if sys.version_info < (3, 8):
            raise RuntimeError("Python %d.%d is too old: use Python 3.9 or newer" % sys.version_info[:2])
        out = snapshot(directory, force_generate)
    except Exception as e:
        out = {"error": str(e) if isinstance(e, RuntimeError) else "%s: %s" % (type(e).__name__, e)}
    sys.stdout.write("\n" + json.dumps(out) + "\n")
    sys.stdout.flush()


if __name__ == "__main__":
    main(globals().get("RSCONNECT_SNAPSHOT_ARGS") or sys.argv[1:])
'''


def _args(directory: str | os.PathLike[str] | None, force_generate: bool, list_packages: bool = True) -> list[str]:
    mode = "1" if force_generate else "0" if list_packages else "2"
    return [os.path.abspath(str(directory)) if directory else "", mode]


def kernel_code(directory: str | os.PathLike[str] | None, force_generate: bool = False) -> str:
    """Code to execute in a notebook's kernel: prints the snapshot's JSON on its last line.

    It runs the program in a namespace of its own, so the user's variables stay untouched.
    """
    return "exec(%r, {'__name__': '__main__', 'RSCONNECT_SNAPSHOT_ARGS': %r})" % (
        SNAPSHOT_PROGRAM,
        _args(directory, force_generate),
    )


def parse_snapshot(text: str | None) -> Snapshot:
    """The snapshot from the program's output (its last JSON line; other output is ignored)."""
    for line in reversed((text or "").splitlines()):
        line = line.strip()
        if line.startswith("{"):
            try:
                data = json.loads(line)
            except ValueError:
                continue
            if data.get("error"):
                raise SnapshotError("Reading the Python environment failed: %s." % data["error"])
            if "python" in data and "requirements" in data:
                return cast(Snapshot, data)
    raise SnapshotError(
        "Reading the Python environment printed no result: check that the interpreter is Python 3.9 or newer."
    )


def snapshot(
    python: str | None = None,
    directory: str | os.PathLike[str] | None = None,
    force_generate: bool = False,
    timeout: float = 120,
    requirements_file: str | os.PathLike[str] | None = None,
    package_installer: str | None = None,
) -> Snapshot:
    """Snapshot the environment of `python` (default: this interpreter) for content in `directory`.

    The packages come from the project's files when it has one (project_files.py: requirements.txt,
    pylock.toml, uv.lock, pyproject.toml, or `requirements_file`), else from the installed ones;
    `force_generate` lists the installed ones regardless."""
    from . import project_files

    project_files.check_options(force_generate, requirements_file, package_installer)
    project = None if force_generate else project_files.find(directory, requirements_file)  # errors first
    python = python or sys.executable
    if not (os.path.isfile(python) and os.access(python, os.X_OK)):
        found = None
        if os.sep not in python:
            import shutil

            found = shutil.which(python)
        if not found:
            raise SnapshotError(
                "The Python interpreter %s does not exist or is not executable: pass the full path "
                "of a Python 3.9+ to --python." % python
            )
        python = found
    try:
        # The content folder is the working directory, as when the code runs.
        proc = subprocess.run(
            [python, "-c", SNAPSHOT_PROGRAM] + _args(directory, force_generate, list_packages=project is None),
            capture_output=True,
            text=True,
            timeout=timeout,
            cwd=os.path.abspath(str(directory)) if directory else None,
        )
    except subprocess.TimeoutExpired:
        raise SnapshotError("%s took more than %d seconds to describe its environment." % (python, timeout)) from None
    except OSError as e:
        raise SnapshotError(
            "Could not run %s (%s): pass a working Python 3.9+ to --python." % (python, e.strerror)
        ) from e
    if proc.returncode != 0:
        last = (proc.stderr.strip().splitlines() or ["exit code %d" % proc.returncode])[-1]
        raise SnapshotError(
            "%s could not describe its environment (%s): it must be Python 3.9 or newer." % (python, last.rstrip("."))
        )
    return project_files.complete(
        parse_snapshot(proc.stdout), directory, force_generate, requirements_file, package_installer, project
    )


def python_major_minor(version: str) -> str:
    """'3.11' from '3.11.7' (or from '3.11')."""
    parts = str(version).split(".")
    return ".".join(parts[:2])

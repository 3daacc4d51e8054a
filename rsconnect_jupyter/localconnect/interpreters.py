"""The Python interpreters the local server can run content with.

Found on PATH, under ~/.pyenv/versions, and given with `--python`; de-duplicated by real path
(a virtualenv's python is its base interpreter, which is what new environments are built from).
"""

from __future__ import annotations

import glob
import os
import re
import subprocess
import sys
from collections.abc import Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

PROBE = "import sys; print('%d.%d.%d' % sys.version_info[:3])"
NAMES = re.compile(r"^python3(\.\d+)?$")


@dataclass(frozen=True)
class Interpreter:
    version: str  # MAJOR.MINOR.PATCH
    path: str  # real path of the executable

    @property
    def minor(self) -> str:
        return ".".join(self.version.split(".")[:2])


def candidates(extra: Iterable[str] = ()) -> list[str]:
    paths = list(extra)
    for d in os.environ.get("PATH", "").split(os.pathsep):
        try:
            names = os.listdir(d)
        except OSError:
            continue
        paths.extend(os.path.join(d, n) for n in sorted(names) if NAMES.match(n))
    home = os.path.expanduser("~/.pyenv/versions")
    paths.extend(sorted(glob.glob(os.path.join(home, "*", "bin", "python3"))))
    paths.append(sys.executable)
    return paths


def probe(path: str) -> str | None:
    try:
        out = subprocess.run([path, "-c", PROBE], capture_output=True, text=True, timeout=20)
    except (OSError, subprocess.SubprocessError):
        return None
    version = out.stdout.strip()
    if out.returncode != 0 or not re.match(r"^3\.\d+\.\d+$", version):
        return None
    return version


def discover(extra: Sequence[str] = ()) -> list[Interpreter]:
    """Interpreters sorted newest first; paths given in `extra` that don't run are an error."""
    seen: set[str] = set()
    unique: list[tuple[str, str]] = []
    for path in candidates(extra):
        real = os.path.realpath(path)
        if os.sep + "shims" + os.sep in real and path not in extra:
            continue  # pyenv's shims are scripts that pick a version by directory: not one interpreter
        if real in seen or not (os.path.isfile(real) and os.access(real, os.X_OK)):
            if path in extra and real not in seen:
                raise ValueError("--python %s: not an executable file" % path)
            continue
        seen.add(real)
        unique.append((path, real))
    with ThreadPoolExecutor(4) as pool:
        versions = list(pool.map(lambda pr: probe(pr[1]), unique))
    found: list[Interpreter] = []
    for (path, real), version in zip(unique, versions):
        if version is None:
            if path in extra:
                raise ValueError("--python %s: does not run as Python 3" % path)
            continue
        found.append(Interpreter(version, real))
    found.sort(key=lambda i: tuple(int(x) for x in i.version.split(".")), reverse=True)
    return found


def choose(interpreters: Iterable[Interpreter], requested: object) -> Interpreter | None:
    """The interpreter whose MAJOR.MINOR equals the requested version, or None.

    An exact MAJOR.MINOR.PATCH match wins; else the newest of that MAJOR.MINOR."""
    for interp in interpreters:
        if interp.version == str(requested):
            return interp
    wanted = ".".join(str(requested).split(".")[:2])
    for interp in interpreters:
        if interp.minor == wanted:
            return interp
    return None

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
from collections.abc import Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

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


class BadConstraint(ValueError):
    """The manifest's environment.python.requires is not a PEP 440 version constraint."""


def requires_of(manifest: Mapping[str, Any]) -> str | None:
    """The bundle's Python version constraint: manifest.json's environment.python.requires."""
    environment = manifest.get("environment")
    python = environment.get("python") if isinstance(environment, Mapping) else None
    requires = python.get("requires") if isinstance(python, Mapping) else None
    return requires.strip() if isinstance(requires, str) and requires.strip() else None


def meets(version: str, requires: str) -> bool:
    """Whether Python `version` meets the PEP 440 constraint `requires` (BadConstraint if unreadable)."""
    from packaging.specifiers import InvalidSpecifier, SpecifierSet

    try:
        return SpecifierSet(requires).contains(version, prereleases=True)
    except InvalidSpecifier:
        raise BadConstraint(requires) from None


def choose(interpreters: Iterable[Interpreter], requested: object, requires: str | None = None) -> Interpreter | None:
    """The interpreter whose MAJOR.MINOR equals the requested version, or None.

    An exact MAJOR.MINOR.PATCH match wins; else the newest of that MAJOR.MINOR. With `requires`
    (the bundle's environment.python.requires), only interpreters that meet it count, and when
    none has the requested MAJOR.MINOR the newest that meets it is taken (as Connect does).
    None too when `requires` cannot be read (`no_match` says so)."""
    pool = list(interpreters)
    if requires:
        try:
            pool = [interp for interp in pool if meets(interp.version, requires)]
        except BadConstraint:
            return None
    for interp in pool:
        if interp.version == str(requested):
            return interp
    wanted = ".".join(str(requested).split(".")[:2])
    for interp in pool:
        if interp.minor == wanted:
            return interp
    if requires and pool:
        return pool[0]  # newest first
    return None


def no_match(interpreters: Sequence[Interpreter], requested: object, requires: str | None = None) -> str:
    """The sentence a deploy fails with when `choose` found nothing."""
    available = ", ".join(i.version for i in interpreters) or "none"
    if not requires:
        return "No Python on this server matches the requested version %s; available versions: %s." % (
            requested,
            available,
        )
    try:
        meets("3", requires)
    except BadConstraint:
        return (
            "The bundle's Python version constraint %r (environment.python.requires in manifest.json) is not a "
            "version constraint: write one such as >=3.10 in requires-python or .python-version." % requires
        )
    return (
        "No Python on this server meets the bundle's constraint %s (from requires-python or .python-version); "
        "available versions: %s: relax the constraint, or start the server with --python PATH of a Python "
        "that meets it." % (requires, available)
    )

"""Where a content's packages and Python version constraint come from: the project's files.

The one home of that decision, for notebooks and apps, the CLI and the dialogs alike. In this
order, the first file of the content's folder that exists wins:

    requirements.txt   as-is
    pylock.toml        (PEP 751) its [[packages]], each pinned to its locked version
    uv.lock            `uv export` of it: every locked version, no development dependencies
    pyproject.toml     [project] dependencies, as given (not pinned: the server resolves them)

then the environment snapshot of the target Python (environment.py); `--force-generate` takes
the snapshot even beside those files, `-r/--requirements-file PATH` names the file (any of those
kinds, told apart by name). The Python version constraint comes from `.python-version`, else
`[project] requires-python`. `--package-installer uv|pip` says which installer the server uses.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, cast

from .exceptions import InvalidInput, SnapshotError

if TYPE_CHECKING:
    from .snapshot import Snapshot

Kind = Literal["requirements.txt", "pylock.toml", "uv.lock", "pyproject.toml"]
ORDER: tuple[Kind, ...] = ("requirements.txt", "pylock.toml", "uv.lock", "pyproject.toml")
INSTALLERS = ("uv", "pip")
PYLOCK_NAME = re.compile(r"^pylock\.([^.]+\.)?toml$")  # PEP 751: pylock.toml or pylock.<name>.toml
OWN_NAMES = {"rsconnect-jupyter"}  # this package is never a requirement of the content


@dataclass(frozen=True)
class ProjectRequirements:
    """The packages a project file lists: `requirements` is the text of the bundle's requirements.txt."""

    kind: Kind
    path: Path
    requirements: str
    count: int  # requirement lines
    locked: bool  # every line pins the exact version (pylock.toml, uv.lock)


@dataclass(frozen=True)
class PythonConstraint:
    """The Python versions the content accepts (PEP 440, "~=3.11.0", ">=3.10") and where it was written."""

    requires: str
    path: Path


# ---------------------------------------------------------------------------------------------
# Which file


def kind_of(path: str | os.PathLike[str]) -> Kind:
    """The kind of a file named with -r, by its name: anything else is in requirements.txt format."""
    name = os.path.basename(str(path))
    if name == "uv.lock":
        return "uv.lock"
    if PYLOCK_NAME.match(name):
        return "pylock.toml"
    if name == "pyproject.toml":
        return "pyproject.toml"
    return "requirements.txt"


def find(
    directory: str | os.PathLike[str] | None,
    requirements_file: str | os.PathLike[str] | None = None,
    kinds: tuple[Kind, ...] = ORDER,
) -> ProjectRequirements | None:
    """The packages of the first project file of `kinds` found in `directory` (or of
    `requirements_file`), else None."""
    if requirements_file:
        path = Path(requirements_file)
        if not path.is_absolute() and directory and (Path(directory) / path).is_file():
            path = Path(directory) / path  # the content's folder first, as rsconnect-python reads it
        if not path.is_file():
            raise InvalidInput(
                "The requirements file %s does not exist: give an existing requirements.txt, pylock.toml, "
                "uv.lock or pyproject.toml to -r/--requirements-file." % requirements_file
            )
        return read(path, kind_of(path), explicit=True)
    if not directory:
        return None
    for kind in kinds:
        path = Path(directory) / kind
        if path.is_file():
            found = read(path, kind)
            if found is not None:
                return found
    return None


def source_file(directory: str | os.PathLike[str]) -> str | None:
    """The name of the project file the packages would come from, without reading a lock (for a
    dialog that shows it); a pyproject.toml counts with [project] dependencies, or when unreadable
    (the publish then says what is wrong with it)."""
    for kind in ORDER:
        path = Path(directory) / kind
        if not path.is_file():
            continue
        if kind != "pyproject.toml":
            return kind
        try:
            if "dependencies" in _table(load_toml(path), "project"):
                return kind
        except InvalidInput:
            return kind
    return None


def read(path: Path, kind: Kind, explicit: bool = False) -> ProjectRequirements | None:
    """The packages `path` lists. A pyproject.toml without [project] dependencies lists none: None,
    or an error when it was named with -r."""
    if kind == "requirements.txt":
        with open(path, encoding="utf-8", newline="") as f:
            text = f.read()  # as given, line endings too
        return ProjectRequirements(kind, path, text, _count(text), locked=False)
    if kind == "pylock.toml":
        text = _pylock_requirements(path)
        return ProjectRequirements(kind, path, text, _count(text), locked=True)
    if kind == "uv.lock":
        text = _uv_export(path)
        return ProjectRequirements(kind, path, text, _count(text), locked=True)
    project = _table(load_toml(path), "project")
    dependencies = project.get("dependencies")
    if dependencies is None:
        if explicit:
            raise InvalidInput(
                "%s has no [project] dependencies: list the packages there, or name another file with "
                "-r/--requirements-file." % path
            )
        return None
    if not isinstance(dependencies, list) or not all(isinstance(d, str) for d in dependencies):
        raise InvalidInput('%s: [project] dependencies must be a list of strings, such as ["pandas>=2"].' % path)
    text = "".join(d.strip() + "\n" for d in dependencies)
    return ProjectRequirements(kind, path, text, _count(text), locked=False)


def _count(text: str) -> int:
    return sum(1 for line in text.splitlines() if line.strip() and not line.lstrip().startswith(("#", "-")))


def _normalize(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _pylock_requirements(path: Path) -> str:
    """`name==version` (with its marker) for each of pylock.toml's [[packages]]; one from a VCS or
    an archive URL as `name @ URL`; one from a local folder is left out with a comment."""
    packages = load_toml(path).get("packages")
    if not isinstance(packages, list):
        raise InvalidInput(
            "%s has no [[packages]]: write it with a PEP 751 locker (such as `uv export --format pylock.toml`)." % path
        )
    lines = []
    for package in packages:
        if not isinstance(package, dict) or not isinstance(package.get("name"), str):
            raise InvalidInput(
                "%s: every [[packages]] entry needs a name: write the file again with your locker." % path
            )
        name = package["name"]
        if _normalize(name) in OWN_NAMES:
            continue
        version, vcs, archive = package.get("version"), package.get("vcs"), package.get("archive")
        if isinstance(version, str):
            line = "%s==%s" % (name, version)
        elif isinstance(vcs, dict) and vcs.get("url") and vcs.get("commit-id"):
            line = "%s @ %s+%s@%s" % (name, vcs.get("type", "git"), vcs["url"], vcs["commit-id"])
        elif isinstance(archive, dict) and archive.get("url"):
            line = "%s @ %s" % (name, archive["url"])
        else:
            lines.append("# %s: left out, installed from a local folder or file\n" % name)
            continue
        marker = package.get("marker")
        lines.append(line + ("; %s" % marker if isinstance(marker, str) and marker else "") + "\n")
    return "".join(lines)


def find_uv() -> str | None:
    """The uv executable: the `uv` package's (a dependency), else one on PATH."""
    try:
        from uv import find_uv_bin

        return str(find_uv_bin())
    except Exception:
        return shutil.which("uv")


def _uv_export(path: Path) -> str:
    """Every version uv.lock pins (no development dependencies, not the project itself)."""
    uv = find_uv()
    if not uv:
        raise SnapshotError("Reading uv.lock needs uv: install it (pip install uv), or export a requirements.txt.")
    argv = [uv, "export", "--format", "requirements-txt", "--no-hashes", "--no-dev", "--frozen"]
    argv += ["--no-header", "--no-annotate", "--no-emit-project", "--offline", "--quiet"]
    try:
        proc = subprocess.run(argv, cwd=str(path.parent), capture_output=True, text=True, timeout=120)
    except (OSError, subprocess.SubprocessError) as e:
        raise SnapshotError("Could not run uv to read %s (%s): check your uv installation." % (path, e)) from e
    if proc.returncode != 0:
        last = (proc.stderr.strip().splitlines() or ["exit status %d" % proc.returncode])[-1].strip()
        raise SnapshotError(
            "uv could not read %s (%s): run `uv lock` in %s and try again." % (path, last.rstrip("."), path.parent)
        )
    lines = []
    for line in proc.stdout.splitlines():
        text = line.strip()
        if not text or _normalize(re.split(r"[ =<>!~;@\[]", text, maxsplit=1)[0]) in OWN_NAMES:
            continue
        if text.startswith(("-e ", "./", "../", "/", "file:")) or " @ file:" in text:  # a path dependency
            lines.append("# %s: left out, installed from a local folder or file\n" % text)
            continue
        lines.append(text + "\n")
    return "".join(lines)


# ---------------------------------------------------------------------------------------------
# The Python version constraint

PYTHON_VERSION = re.compile(r"^(?:cpython[-@])?(\d+(?:\.\d+){0,2})$")


def python_constraint(directory: str | os.PathLike[str] | None) -> PythonConstraint | None:
    """`.python-version` (a version: "3.11" means ~=3.11.0), else `[project] requires-python`."""
    if not directory:
        return None
    version_file = Path(directory) / ".python-version"
    if version_file.is_file():
        requires = adapt_python_version(version_file.read_text(encoding="utf-8"))
        if requires:
            return PythonConstraint(requires, version_file)
    pyproject = Path(directory) / "pyproject.toml"
    if pyproject.is_file():
        requires = _table(load_toml(pyproject), "project").get("requires-python")
        if isinstance(requires, str) and requires.strip():
            return PythonConstraint(requires.strip(), pyproject)
    return None


def adapt_python_version(text: str) -> str | None:
    """A .python-version's first version as a PEP 440 constraint, as rsconnect-python writes it:
    "3.11" or "3.11.7" -> "~=3.11.0", "3" -> "~=3.0"; None for a name (a pyenv virtualenv)."""
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        match = PYTHON_VERSION.match(line)
        if not match:
            return None
        parts = match.group(1).split(".")
        return "~=%s" % ".".join(parts[:2] + ["0"])
    return None


def python_satisfies(version: str, requires: str) -> bool | None:
    """Whether Python `version` meets `requires`; None when the constraint cannot be read."""
    try:
        from packaging.specifiers import InvalidSpecifier, SpecifierSet
    except ImportError:  # pragma: no cover - packaging comes with jupyter_server
        return None
    try:
        return SpecifierSet(requires).contains(version, prereleases=True)
    except InvalidSpecifier:
        return None


# ---------------------------------------------------------------------------------------------
# The snapshot, completed


def check_options(force_generate: bool, requirements_file: object, package_installer: str | None) -> None:
    if force_generate and requirements_file:
        raise InvalidInput(
            "--force-generate and --requirements-file contradict each other: pass one of them "
            "(-g lists the installed packages, -r names the file that lists them)."
        )
    if package_installer is not None and package_installer not in INSTALLERS:
        raise InvalidInput("--package-installer must be uv or pip, not %r." % package_installer)


def complete(
    snapshot: Snapshot,
    directory: str | os.PathLike[str] | None,
    force_generate: bool = False,
    requirements_file: str | os.PathLike[str] | None = None,
    package_installer: str | None = None,
    project: ProjectRequirements | None = None,
) -> Snapshot:
    """The snapshot with the packages of the project's files (unless `force_generate`), the
    Python version constraint and the chosen installer. `project` is the file already read."""
    check_options(force_generate, requirements_file, package_installer)
    force_generate = force_generate or bool(snapshot.get("forced"))  # a kernel told to list them
    result = cast("Snapshot", dict(snapshot))
    if project is None and not force_generate:
        # A kernel's snapshot has looked for requirements.txt itself: "generated" means there was none.
        kinds = ORDER[1:] if snapshot.get("source") == "generated" else ORDER
        project = find(directory, requirements_file, kinds)
    if project is not None:
        result["requirements"] = project.requirements
        beside = bool(directory) and project.path.resolve() == (Path(str(directory)) / "requirements.txt").resolve()
        result["source"] = "file" if beside else "project"  # "file": the folder's requirements.txt as-is
        result["requirements_file"] = project.path.name
        result["requirements_kind"] = project.kind
        result["requirements_count"] = project.count
        result["locked"] = project.locked
    else:
        result["requirements_kind"] = "forced" if force_generate else "installed"
    constraint = python_constraint(directory)
    if constraint is not None:
        result["python_requires"] = constraint.requires
        result["python_requires_file"] = constraint.path.name
    if package_installer:
        result["package_installer"] = cast(Literal["uv", "pip"], package_installer)
    return result


def describe(snapshot: Mapping[str, Any], force_generate: bool = False) -> str:
    """One line: where the packages came from, e.g. "Packages: from uv.lock (12 locked)."."""
    count = snapshot.get("requirements_count")
    kind, name = snapshot.get("requirements_kind"), snapshot.get("requirements_file")
    if kind == "pyproject.toml":
        return "Packages: from %s [project] dependencies (%d, not pinned: the server picks their versions)." % (
            name,
            count or 0,
        )
    if kind in ("uv.lock", "pylock.toml"):
        return "Packages: from %s (%d locked)." % (name, count or 0)
    if kind == "requirements.txt":
        return "Packages: from %s (%d listed)." % (name, count or 0)
    listed = _count(str(snapshot.get("requirements") or ""))
    why = (
        "--force-generate"
        if force_generate or kind == "forced"
        else "no requirements.txt, pylock.toml, uv.lock or pyproject.toml dependencies beside the content"
    )
    return "Packages: the %d installed in %s (%s)." % (listed, snapshot.get("executable") or "the kernel", why)


def describe_python(snapshot: Mapping[str, Any]) -> str:
    """The Python the snapshot describes and, with a constraint, the constraint and its file."""
    version = str(snapshot.get("python"))
    requires = snapshot.get("python_requires")
    if not requires:
        return "Python %s." % version
    return "Python %s; the content needs Python %s (%s)." % (version, requires, snapshot.get("python_requires_file"))


def python_warning(snapshot: Mapping[str, Any]) -> str | None:
    """A warning when the Python the snapshot describes does not meet the content's constraint."""
    version, requires = str(snapshot.get("python")), snapshot.get("python_requires")
    if not requires or python_satisfies(version, requires) is not False:
        return None
    return (
        "Warning: Python %s does not meet the content's constraint %s (%s): the server runs it with a Python "
        "that does, if it has one; to test with the same Python here, pass one that meets it with -p/--python."
        % (version, requires, snapshot.get("python_requires_file"))
    )


def describe_lines(snapshot: Mapping[str, Any]) -> list[str]:
    """What a publish logs about the environment: the Python, where the packages come from, a warning."""
    warning = python_warning(snapshot)
    return [describe_python(snapshot), describe(snapshot)] + ([warning] if warning else [])


# ---------------------------------------------------------------------------------------------
# TOML: tomllib from Python 3.11, the same parser as the tomli package before that (a dependency there)


def load_toml(path: Path) -> dict[str, Any]:
    text = path.read_text(encoding="utf-8")
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # Python 3.9 and 3.10
        import tomli as tomllib
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        raise InvalidInput("%s is not valid TOML (%s): fix the file." % (path, e)) from None


def _table(data: Mapping[str, Any], name: str) -> Mapping[str, Any]:
    table = data.get(name)
    return table if isinstance(table, dict) else {}

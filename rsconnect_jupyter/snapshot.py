"""The environment snapshot's type: what the snapshot program (environment.py) prints and the
project's files (project_files.py) complete. Its own module, so that neither of those two, nor the
bundle builders, imports the other for a type."""

from __future__ import annotations

from typing import Literal, TypedDict


class PackageManager(TypedDict, total=False):
    name: str  # "pip", "uv", or "none" (neither in the environment)
    version: str | None


class _SnapshotKeys(TypedDict):
    python: str  # the exact version, "3.11.7"
    requirements: str  # the text of requirements.txt


class Snapshot(_SnapshotKeys, total=False):
    """What SNAPSHOT_PROGRAM prints: the environment that runs the content."""

    executable: str
    package_manager: PackageManager
    locale: str
    # requirements.txt beside the content, another project file (project_files.py), or the installed packages
    source: Literal["file", "project", "generated"]
    # Filled in by project_files.complete(): which file the packages come from, of which kind
    # ("uv.lock", ...), how many lines, whether pinned; the Python version constraint and its file;
    # the installer the user chose (--package-installer).
    requirements_file: str
    requirements_kind: str
    requirements_count: int
    locked: bool
    python_requires: str
    python_requires_file: str
    package_installer: Literal["uv", "pip"]
    forced: bool  # the program listed the installed packages because it was told to (-g, the dialog's choice)

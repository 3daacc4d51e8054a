"""Choosing a bundle's files: a folder's files, the user's extra files, no name twice."""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path
from typing import Union

from .. import apps
from ..exceptions import InvalidInput
from .archive import BundleFile

PathLike = Union[str, "os.PathLike[str]"]

# Never part of a bundle when a folder is included (apps.py has the rules, virtual environments too).
EXCLUDED_DIRS = apps.EXCLUDED_DIR_NAMES
EXCLUDED_FILES = apps.EXCLUDED_FILE_NAMES


def walk_directory(directory: PathLike, base: PathLike) -> list[BundleFile]:
    """Files under `directory` as BundleFiles named relative to `base`, minus what never belongs
    (apps.py's rules: version control, caches, virtual environments, records, the config folder)."""
    directory = Path(directory)
    return [
        BundleFile((directory / rel).relative_to(base).as_posix(), path=directory / rel)
        for rel in apps.list_files(directory)
    ]


def collect_files(base: PathLike, extra_files: Iterable[PathLike]) -> list[BundleFile]:
    """The user's extra files (and folders) as BundleFiles; each must lie under `base`."""
    base = Path(base).resolve()
    files: list[BundleFile] = []
    for extra in extra_files:
        given = Path(extra)
        path = given
        if not given.is_absolute():
            # Relative to the working directory as a shell would complete it, else to the folder
            # (rsconnect-python's reading).
            path = Path.cwd() / given
            if not path.exists() and (base / given).exists():
                path = base / given
        path = path.resolve()
        try:
            path.relative_to(base)
        except ValueError:
            raise InvalidInput(
                "%s is outside %s: extra files must be in the notebook's folder or below it." % (extra, base)
            ) from None
        if path.is_dir():
            files.extend(walk_directory(path, base))
        elif path.is_file():
            files.append(BundleFile(path.relative_to(base).as_posix(), path=path))
        else:
            raise InvalidInput("The extra file %s does not exist." % extra)
    return files


def unique(files: Iterable[BundleFile]) -> list[BundleFile]:
    """Drop later files with a name already taken (the first wins: the notebook, requirements.txt)."""
    seen: set[str] = set()
    out: list[BundleFile] = []
    for f in files:
        if f.arcname not in seen:
            seen.add(f.arcname)
            out.append(f)
    return out

"""Resolve paths that arrive from the browser, relative to the Jupyter server's root folder.

Why: the browser is only trusted to name files the Jupyter server would show it anyway. A path
that escapes the root (``..``, an absolute path, a symlink pointing out) is refused, and extra
files must live in the notebook's own folder (Connect bundles are flat relative to it).
"""

from __future__ import annotations

import os

from ..exceptions import PathRefused

__all__ = ["MAX_LISTED_FILES", "SKIPPED_DIRS", "PathRefused", "RootFolder", "list_folder_files"]

# Folders never offered as extra files: Jupyter's own, version control, environments, records.
SKIPPED_DIRS = {
    ".ipynb_checkpoints",
    "__pycache__",
    ".git",
    ".venv",
    "venv",
    "env",
    "rsconnect-python",
    "node_modules",
    ".virtual_documents",
}
MAX_LISTED_FILES = 500


def _inside(parent: str, child: str) -> bool:
    return child == parent or child.startswith(parent.rstrip(os.sep) + os.sep)


class RootFolder:
    def __init__(self, root_dir: str) -> None:
        self.root = os.path.realpath(os.path.expanduser(root_dir))

    def _resolve(self, relative: object, what: str) -> str:
        if not isinstance(relative, str) or not relative.strip():
            raise PathRefused("The %s path is missing." % what)
        if os.path.isabs(relative) or relative.startswith(("/", "\\")) or "\x00" in relative:
            raise PathRefused("The %s path must be relative to the Jupyter root folder." % what)
        full = os.path.realpath(os.path.join(self.root, *relative.split("/")))
        if not _inside(self.root, full):
            raise PathRefused("The %s %s is outside the Jupyter root folder." % (what, relative))
        return full

    def notebook(self, relative: object) -> str:
        """The absolute path of an existing .ipynb file under the root."""
        full = self._resolve(relative, "notebook")
        if not full.endswith(".ipynb"):
            raise PathRefused("Only notebooks (.ipynb files) can be published from here.")
        if not os.path.isfile(full):
            raise PathRefused("The notebook %s does not exist; save it first." % relative)
        return full

    def extra_file(self, notebook_path: str, relative: object) -> str:
        """The absolute path of an existing file in the notebook's folder (or below it).

        Absolute, because the core resolves relative extra files against its working directory.
        """
        folder = os.path.dirname(notebook_path)
        if not isinstance(relative, str) or not relative.strip():
            raise PathRefused("An extra file name is empty.")
        if os.path.isabs(relative) or "\x00" in relative:
            raise PathRefused("Extra file %s must be relative to the notebook's folder." % relative)
        full = os.path.realpath(os.path.join(folder, *relative.split("/")))
        if not _inside(folder, full) or full == folder or not _inside(self.root, full):
            raise PathRefused(
                "Extra file %s is outside the notebook's folder; move it next to the notebook." % relative
            )
        if not os.path.isfile(full):
            raise PathRefused("Extra file %s does not exist; pick the extra files again." % relative)
        if full == notebook_path:
            raise PathRefused("The notebook itself is always published; do not list it as an extra file.")
        return full

    def relative(self, full: str) -> str:
        return os.path.relpath(full, self.root).replace(os.sep, "/")


def list_folder_files(notebook_path: str) -> list[str]:
    """Files the user may add beside the notebook: relative paths, sorted, hidden ones left out."""
    folder = os.path.dirname(notebook_path)
    found = []
    for dirpath, dirnames, filenames in os.walk(folder):
        dirnames[:] = sorted(d for d in dirnames if d not in SKIPPED_DIRS and not d.startswith("."))
        for name in sorted(filenames):
            full = os.path.join(dirpath, name)
            if name.startswith(".") or full == notebook_path:
                continue
            found.append(os.path.relpath(full, folder).replace(os.sep, "/"))
            if len(found) >= MAX_LISTED_FILES:
                return found
    return found

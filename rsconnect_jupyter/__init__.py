"""Publish Jupyter notebooks, Python APIs and apps to Posit Connect.

This module also holds the Jupyter entry points: notebook 6 (NotebookApp) reads
``_jupyter_server_extension_paths`` / ``load_jupyter_server_extension``; jupyter_server 2
(nbclassic, Notebook 7, JupyterLab) reads ``_jupyter_server_extension_points`` /
``_load_jupyter_server_extension``. The handlers themselves live in ``jupyter/``.
"""

from __future__ import annotations

from typing import Any

from ._version import __version__ as __version__


def _jupyter_nbextension_paths() -> list[dict[str, str]]:
    # Read by `jupyter nbextension install|enable --py rsconnect_jupyter` only.
    return [
        {
            "section": "notebook",
            "src": "nbextension",
            "dest": "rsconnect_jupyter",
            "require": "rsconnect_jupyter/main",
        }
    ]


def _jupyter_server_extension_paths() -> list[dict[str, str]]:
    return [{"module": "rsconnect_jupyter"}]


def _jupyter_server_extension_points() -> list[dict[str, str]]:
    return [{"module": "rsconnect_jupyter"}]


def load_jupyter_server_extension(nbapp: Any) -> None:
    """notebook 6 (NotebookApp) entry point."""
    from .jupyter import load_handlers

    load_handlers(nbapp)


def _load_jupyter_server_extension(serverapp: Any) -> None:
    """jupyter_server 2 entry point."""
    from .jupyter import load_handlers

    load_handlers(serverapp)

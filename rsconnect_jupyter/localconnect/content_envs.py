"""Which Python environment a deployed bundle runs in, and the packages installed there.

A deploy builds (or reuses) the environment keyed by the bundle's Python and requirements
(environments.env_key); the same key, computed again from the bundle's folder, says which one a
live bundle uses. The content's packages (`GET v1/content/{guid}/packages`, `GET v1/packages`) and
the runtime caches (runtime_caches.py) both ask here, so they agree with what the runner built.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from . import apps, bundles, environments

if TYPE_CHECKING:
    from .db import Database
    from .layout import Layout
    from .rows import BundleRow, ContentRow


def requirements_in(manifest: Mapping[str, Any], folder: str) -> tuple[str, bytes | None]:
    """(the package file the manifest names, its bytes or None when the bundle has none)."""
    python = manifest.get("python") or {}
    package_file = (python.get("package_manager") or {}).get("package_file") or "requirements.txt"
    path = bundles.safe_join(folder, package_file)
    if path and os.path.isfile(path):
        with open(path, "rb") as f:
            return package_file, f.read()
    return package_file, None


def server_packages(mode: str) -> tuple[str, ...]:
    """What the server adds to the environment of an app mode (a notebook's kernel, an app's server)."""
    return apps.SERVER_PACKAGES[mode] if mode in apps.APP_MODES else environments.NOTEBOOK_EXTRAS


def environment_key(layout: Layout, bundle: BundleRow) -> str | None:
    """The key of the environment a built bundle runs in; None for one without Python (static
    content) or whose folder is gone (never deployed, or deleted)."""
    if not bundle["py_version"]:
        return None
    folder = layout.bundle_dir(bundle["content_guid"], bundle["id"])
    try:
        manifest = bundles.manifest_in(folder)
    except (OSError, bundles.BundleRefused):
        return None
    _, requirements = requirements_in(manifest, folder)
    mode = str(manifest["metadata"].get("appmode") or "")
    installer = environments.installer_of(manifest)
    return environments.env_key(bundle["py_version"], requirements or b"", server_packages(mode), installer)


def live_bundle(db: Database, content: ContentRow) -> BundleRow | None:
    return db.bundle(content["guid"], content["bundle_id"]) if content["bundle_id"] else None


def in_use(db: Database, layout: Layout) -> dict[str, list[str]]:
    """{environment key: the GUIDs of the content whose live bundle runs in it}."""
    users: dict[str, list[str]] = {}
    for content in db.content_list():
        bundle = live_bundle(db, content)
        key = environment_key(layout, bundle) if bundle else None
        if key:
            users.setdefault(key, []).append(content["guid"])
    return users


def packages(layout: Layout, bundle: BundleRow) -> list[tuple[str, str]]:
    """(name, version) of what is installed in the bundle's environment; none when it has none."""
    key = environment_key(layout, bundle)
    if key is None:
        return []
    return environments.installed(os.path.join(layout.environments, key))

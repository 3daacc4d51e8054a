"""`rsconnect deploy bundle FILE`: publish a .tar.gz as it is (one downloaded from a Connect server
with `rsconnect content download-bundle`, say), as rsconnect-python 1.32 does: its manifest.json
says what it is, and the file is uploaded unchanged. The deployment record is kept for FILE."""

from __future__ import annotations

import json
import os
import re
import tarfile
from pathlib import Path
from typing import Any

from .bundle import Bundle
from .exceptions import InvalidInput
from .options import ContentOptions, EnvironmentOptions, Feedback, Target
from .publish_flow import Deployment, Publication, publish
from .target import StrPath, default_title, with_server

MANIFEST_LIMIT = 16 * 1024 * 1024  # a manifest.json larger than this is not one
MODULE_RE = re.compile(r"^[A-Za-z0-9_]+:[A-Za-z0-9_]+$")  # an API's entrypoint, `module:object`


class GivenBundle(Bundle):
    """The user's own .tar.gz: uploaded from where it is, never removed afterwards."""

    def close(self) -> None:
        pass


def read_bundle_manifest(path: StrPath) -> dict[str, Any]:
    """The manifest.json at the root of a .tar.gz, checked, or one sentence saying what is wrong."""
    advice = "give a .tar.gz with manifest.json at its root (one from `rsconnect content download-bundle`)"
    try:
        with tarfile.open(path, "r:gz") as tar:
            member = next((m for m in tar if m.name in ("manifest.json", "./manifest.json")), None)
            if member is None or not member.isfile():
                raise InvalidInput("%s has no manifest.json at its root: %s." % (path, advice))
            if member.size > MANIFEST_LIMIT:
                raise InvalidInput(
                    "%s has a manifest.json of %d bytes, too large to be one: %s." % (path, member.size, advice)
                )
            data = tar.extractfile(member)
            raw = data.read() if data is not None else b""
    except (tarfile.TarError, OSError, EOFError) as e:
        raise InvalidInput(
            "%s is not a readable .tar.gz (%s): %s." % (path, str(e).rstrip(".") or type(e).__name__, advice)
        ) from None
    try:
        manifest = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise InvalidInput("The manifest.json in %s is not valid JSON: %s." % (path, advice)) from None
    meta = manifest.get("metadata") if isinstance(manifest, dict) else None
    if not isinstance(meta, dict) or not isinstance(meta.get("appmode"), str) or not meta["appmode"]:
        raise InvalidInput("The manifest.json in %s has no metadata.appmode: %s." % (path, advice))
    if not isinstance(manifest.get("files"), dict):
        manifest["files"] = {}
    return manifest


def bundle_title(path: StrPath, manifest: dict[str, Any]) -> str:
    """rsconnect-python's default: the primary file's name without extension, else (an API's
    `module:object`) the bundle's file name without .tar.gz."""
    meta = manifest.get("metadata") or {}
    name = meta.get("entrypoint") or meta.get("primary_rmd") or meta.get("primary_html")
    if isinstance(name, str) and name.strip() and not MODULE_RE.match(name):
        return default_title(Path(name.rsplit("/", 1)[-1]))
    base = os.path.basename(str(path))
    base = base[: -len(".tar.gz")] if base.lower().endswith(".tar.gz") else base
    return base[:1024] if len(base) >= 3 else (base + "___")[:3]  # dots kept: "my.cool.api"


def publish_bundle(
    target: Target,
    path: StrPath,
    content: ContentOptions | None = None,
    env: EnvironmentOptions | None = None,
    feedback: Feedback | None = None,
) -> Deployment:
    """Upload the .tar.gz unchanged and deploy it as its manifest says (only
    `env.ignore_python_version` of `env` applies: the manifest names its Python)."""
    env = env or EnvironmentOptions()
    if not os.path.isfile(path):
        raise InvalidInput("The file %s does not exist: give the .tar.gz to publish." % path)
    manifest = read_bundle_manifest(path)
    python = manifest.get("python") if isinstance(manifest.get("python"), dict) else {}
    target = with_server(target, path)
    publication = Publication(
        Path(path),
        manifest["metadata"]["appmode"],
        lambda: GivenBundle(Path(path), manifest),
        python_version=(python or {}).get("version") or None,
        fallback_title=bundle_title(path, manifest),
    )
    return publish(target, publication, content, feedback, ignore_python_version=env.ignore_python_version)

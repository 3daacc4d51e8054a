"""Source versions of published content: list its bundles, make an older one live again (rollback),
remove one that is not live. What the command-line guide sends users to Connect's dashboard for.

TARGET names the content: its GUID, its numeric id, or a file deployed before (its record for the
chosen server gives the GUID, as a redeploy would).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import TYPE_CHECKING

from .exceptions import InvalidInput, NotFound
from .options import ServerChoice
from .publish_flow import follow_task
from .store import DeploymentStore, Server, normalize_url
from .target import GUID_RE, Log, check_unlocked, choose_server, client_for

if TYPE_CHECKING:
    from .connect import BundleItem, ConnectClient, ContentItem


@dataclass(frozen=True)
class Version:
    """One bundle of the content, as `rsconnect content versions` lists it."""

    bundle_id: str
    created: str
    size: int | None
    python: str | None
    live: bool


@dataclass(frozen=True)
class Content:
    """The content TARGET named, on the server chosen for it."""

    client: ConnectClient
    item: ContentItem

    @property
    def guid(self) -> str:
        return self.item["guid"]


def content_of(server: Server, guid: str) -> Content:
    """The content with this GUID on a saved server (the dialogs name content by the notebook's record)."""
    client = client_for(server)
    return Content(client, client.content_get(guid))


def as_json(rows: list[Version]) -> list[dict[str, object]]:
    return [
        {"bundle_id": v.bundle_id, "created": v.created, "size": v.size, "python": v.python, "live": v.live}
        for v in rows
    ]


def find_content(target: str, server: ServerChoice) -> Content:
    """The content for TARGET (GUID, numeric id, or a deployed file) on the chosen server."""
    deployed: str | None = target if os.path.exists(target) else None
    if deployed is not None and os.path.isdir(deployed):  # an app's folder: its record is kept for DIR/DIR.py
        from .publish_apps import app_deployed_path

        deployed = str(app_deployed_path(deployed))
    client = client_for(choose_server(server, deployed))
    if deployed is not None:
        record = DeploymentStore(deployed).get(normalize_url(client.url))
        if not record or not record.get("app_guid"):
            raise InvalidInput(
                "%s was never deployed to %s: name the content by its GUID or numeric id instead."
                % (target, client.url)
            )
        return Content(client, client.content_get(str(record["app_guid"])))
    if GUID_RE.match(target):
        return Content(client, client.content_get(target))
    if target.isdigit():
        return Content(client, client.content_get_by_id(target))
    raise InvalidInput(
        "%s is neither a file deployed before, a content GUID nor a numeric content id: check the name." % target
    )


def versions(content: Content) -> list[Version]:
    """The content's bundles, newest first, with the live one marked."""
    live = str(content.item.get("bundle_id") or "")
    bundles = content.client.bundle_list(content.guid)
    listed = [
        Version(
            bundle_id=str(b.get("id")),
            created=str(b.get("created_time") or ""),
            size=b.get("size"),
            python=b.get("py_version"),
            live=str(b.get("id")) == live or bool(b.get("active")) and not live,
        )
        for b in bundles
    ]
    return sorted(listed, key=lambda v: int(v.bundle_id) if v.bundle_id.isdigit() else 0, reverse=True)


def _bundle(content: Content, bundle_id: str) -> BundleItem:
    known = [b for b in content.client.bundle_list(content.guid) if str(b.get("id")) == str(bundle_id)]
    if not known:
        raise NotFound(
            "The content %s has no version %s: list them with `rsconnect content versions`." % (content.guid, bundle_id)
        )
    return known[0]


def activate(content: Content, bundle_id: str, log: Log) -> Content:
    """Deploy an existing bundle again, so it is live; follows the task. Returns the content after."""
    check_unlocked(content.item, content.client.url)
    _bundle(content, bundle_id)
    log("Activating version %s of %s ..." % (bundle_id, content.item.get("title") or content.guid))
    task_id = content.client.deploy(content.guid, bundle_id)
    follow_task(content.client, task_id, log, dashboard_url=content.item.get("dashboard_url"))
    return Content(content.client, content.client.content_get(content.guid))


def remove(content: Content, bundle_id: str) -> None:
    """Delete a bundle that is not live (the live one must be replaced first)."""
    _bundle(content, bundle_id)
    if str(content.item.get("bundle_id") or "") == str(bundle_id):
        raise InvalidInput("Version %s is the live one: activate another version first, then remove it." % bundle_id)
    content.client.bundle_delete(content.guid, bundle_id)


def download(content: Content, output: str, bundle_id: str | None = None, overwrite: bool = False) -> str:
    """Write a version's source bundle (.tar.gz) to `output`; no bundle_id: the live one. Returns
    the bundle id. The file appears only once complete (written beside it, then renamed)."""
    if bundle_id is None:
        bundle_id = str(content.item.get("bundle_id") or "")
        if not bundle_id:
            raise InvalidInput(
                "%s was never deployed, so it has no live version: name one with --bundle-id." % content.guid
            )
    else:
        _bundle(content, bundle_id)
    if os.path.exists(output) and not overwrite:
        raise InvalidInput("%s already exists: choose another file, or add --overwrite." % output)
    partial = "%s.part-%s" % (output, os.getpid())
    try:
        with open(partial, "wb") as f:
            content.client.bundle_download(content.guid, bundle_id, f)
        os.replace(partial, output)
    finally:
        if os.path.exists(partial):
            os.unlink(partial)
    return bundle_id


def build(content: Content, bundle_id: str | None, activate: bool, log: Log) -> Content:
    """Build a version again on the server, without a new upload (no bundle_id: the live one), and
    follow its task. Returns the content after."""
    check_unlocked(content.item, content.client.url)
    if bundle_id is None and not content.item.get("bundle_id"):
        raise InvalidInput("%s was never deployed: name the version to build with --bundle-id." % content.guid)
    if bundle_id is not None:
        _bundle(content, bundle_id)
    shown = bundle_id or str(content.item.get("bundle_id"))
    log("Building version %s of %s ..." % (shown, content.item.get("title") or content.guid))
    task_id = content.client.build(content.guid, bundle_id, activate=activate)
    follow_task(content.client, task_id, log, dashboard_url=content.item.get("dashboard_url"))
    return Content(content.client, content.client.content_get(content.guid))

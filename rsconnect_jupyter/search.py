"""`rsconnect content search`: the content a key can see, filtered as rsconnect-python 1.32 filters
it (title, app mode, published or not, order), plus by owner and tag.

Connect's `GET v1/content` filters by name and owner GUID itself; the rest is filtered here, from the
list with `include=owner,tags`, as rsconnect-python does.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from .exceptions import InvalidInput
from .target import GUID_RE

if TYPE_CHECKING:
    from .connect import ConnectClient, ContentItem

ORDERS = ("created", "last_deployed")


@dataclass(frozen=True)
class SearchFilters:
    """What to keep: every filter given must match (several app modes or tags: any of them)."""

    title_contains: str | None = None
    owner: str | None = None  # a user name, or a user's GUID
    app_modes: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    published: bool = False  # only content with a live version
    unpublished: bool = False  # only content never deployed
    order_by: str | None = None  # "created" (newest first) or "last_deployed" (newest first)


def search(client: ConnectClient, filters: SearchFilters) -> list[ContentItem]:
    """The content items that match, in Connect's order unless `order_by` says otherwise."""
    if filters.published and filters.unpublished:
        raise InvalidInput("--published and --unpublished exclude each other: give one of them, or neither.")
    if filters.order_by is not None and filters.order_by not in ORDERS:
        raise InvalidInput("--order-by takes %s." % " or ".join(ORDERS))
    owner_guid = filters.owner if filters.owner and GUID_RE.match(filters.owner) else None
    items = client.content_list(owner_guid=owner_guid, include="owner,tags")
    found = [item for item in items if matches(item, filters, by_name=owner_guid is None)]
    if filters.order_by is not None:
        key = "created_time" if filters.order_by == "created" else "last_deployed_time"
        found.sort(key=lambda item: str(item.get(key) or ""), reverse=True)
    return found


def matches(item: ContentItem, filters: SearchFilters, by_name: bool = True) -> bool:
    """Whether one item passes every filter (titles and names compared without case)."""
    title = (item.get("title") or "").casefold()
    if filters.title_contains and filters.title_contains.casefold() not in title:
        return False
    if filters.app_modes and item.get("app_mode") not in filters.app_modes:
        return False
    if filters.published and not item.get("bundle_id"):
        return False
    if filters.unpublished and item.get("bundle_id"):
        return False
    if filters.owner and by_name:
        owner = item.get("owner") or {}
        if (owner.get("username") or "").casefold() != filters.owner.casefold():
            return False
    if filters.tags:
        names = {(t.get("name") or "").casefold() for t in item.get("tags") or []}
        if not names & {t.casefold() for t in filters.tags}:
            return False
    return True

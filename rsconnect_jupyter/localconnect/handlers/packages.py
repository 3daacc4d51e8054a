"""The Python packages content runs with, as Connect lists them: `v1/content/{guid}/packages` (the
live bundle's) and `v1/packages` (every content item's the caller may see, in pages). They are what
is installed in the environment the deploy built for the bundle (content_envs.py)."""

from __future__ import annotations

from typing import Any

from .. import auth, content_envs, errors, models
from .base import BaseHandler

# Filters as posit-sdk sends them (`find_by` passes its conditions as query arguments).
CONTENT_FILTERS = ("language", "name", "version", "hash")
SERVER_FILTERS = CONTENT_FILTERS + ("bundle_id", "app_id", "app_guid", "content_id", "content_guid")


def matches(package: dict[str, Any], wanted: dict[str, str]) -> bool:
    return all(str(package.get(k) if package.get(k) is not None else "") == v for k, v in wanted.items())


class PackagesHandler(BaseHandler):
    def filters(self, names: tuple[str, ...]) -> dict[str, str]:
        return {n: self.get_argument(n) for n in names if self.get_argument(n, None) is not None}


class ContentPackagesHandler(PackagesHandler):
    def get(self, guid: str) -> None:
        content = self.content_for(self.user(), guid)
        bundle = content_envs.live_bundle(self.db, content)
        found = []
        if bundle is not None:
            found = [
                models.package_json(name, version, bundle["py_version"] or "")
                for name, version in content_envs.packages(self.state.layout, bundle)
            ]
        wanted = self.filters(CONTENT_FILTERS)
        self.send_json([p for p in found if matches(p, wanted)])


class ServerPackagesHandler(PackagesHandler):
    """Offset paging as Connect's: `page_number` (from 1) and `page_size` (20 unless asked); sorted
    by language, then name (`asc_order=false` reverses)."""

    def get(self) -> None:
        user = self.user()
        try:
            page_number = max(1, int(self.get_argument("page_number", "1")))
            page_size = max(1, int(self.get_argument("page_size", "20")))
        except ValueError:
            raise errors.invalid_value("page_number and page_size must be whole numbers.") from None
        wanted = self.filters(SERVER_FILTERS)
        found: list[dict[str, Any]] = []
        for content in self.db.content_list():
            bundle = content_envs.live_bundle(self.db, content)
            if bundle is None or not auth.can_see(self.db, user, content):
                continue
            for name, version in content_envs.packages(self.state.layout, bundle):
                package = models.server_package_json(name, version, bundle, content)
                if matches(package, wanted):
                    found.append(package)
        found.sort(key=lambda p: (p["language"], p["name"].lower(), int(p["content_id"])))
        if self.get_argument("asc_order", "true").lower() == "false":
            found.reverse()
        start = (page_number - 1) * page_size
        self.send_json({"current_page": page_number, "total": len(found), "results": found[start : start + page_size]})

"""A content item's environment variables (Connect gives their names, never their values)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import cast

from .session import Session
from .types import EnvironmentVariable


class EnvironmentAPI(Session):
    """`v1/content/{guid}/environment`."""

    def environment_get(self, guid: str) -> list[str]:
        """The names of the content's environment variables (Connect never returns values)."""
        return cast("list[str]", self.get("v1/content/%s/environment" % guid) or [])

    def environment_patch(self, guid: str, values: Mapping[str, str | None]) -> list[str]:
        """Set the given variables (`{name: value}`; None deletes), leave the others. Returns the names."""
        body: list[EnvironmentVariable] = [{"name": k, "value": v} for k, v in values.items()]
        return cast("list[str]", self.request("PATCH", "v1/content/%s/environment" % guid, json=body))

    def environment_put(self, guid: str, values: Mapping[str, str | None]) -> list[str]:
        """Replace all variables with the given ones. Returns the names."""
        body: list[EnvironmentVariable] = [{"name": k, "value": v} for k, v in values.items()]
        return cast("list[str]", self.request("PUT", "v1/content/%s/environment" % guid, json=body))

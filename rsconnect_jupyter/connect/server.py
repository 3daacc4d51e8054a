"""Server settings, the server's Python versions, and the user that owns the API key."""

from __future__ import annotations

from typing import Any, cast

from ..exceptions import NotAConnectServer
from .session import Session
from .types import PythonSettings, User


class ServerAPI(Session):
    """`server_settings`, `v1/server_settings/python` and `v1/user`."""

    def server_settings(self) -> dict[str, Any]:
        """`server_settings`: `version`, `hostname`, ... (an open set that grows with each release)."""
        settings = self.get("server_settings")
        if not isinstance(settings, dict):
            raise NotAConnectServer(
                "%s did not return Connect's server settings: this URL does not look like a Connect server." % self.url
            )
        return settings

    def python_settings(self) -> PythonSettings:
        """`{"installations": [{"version": ...}], "api_enabled": ...}`."""
        return cast(PythonSettings, self.get("v1/server_settings/python") or {})

    def python_versions(self) -> list[str]:
        installations = self.python_settings().get("installations") or []
        return [version for i in installations if (version := i.get("version"))]

    def me(self) -> User:
        """The user that owns the API key."""
        return cast(User, self.get("v1/user"))

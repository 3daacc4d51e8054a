"""Server settings, the server's Python versions, and the user that owns the API key."""

from __future__ import annotations

from typing import Any, cast

from ..exceptions import NotAConnectServer, NotFound
from .session import Session
from .types import PythonSettings, User


class ServerAPI(Session):
    """`server_settings`, `v1/server_settings/python` and `/quarto`, and `v1/user`."""

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

    def quarto_versions(self) -> list[str] | None:
        """The Quarto versions the server renders with (`v1/server_settings/quarto`), [] for none;
        None when it does not say (a Connect older than that endpoint)."""
        try:
            settings = self.get("v1/server_settings/quarto") or {}
        except NotFound:
            return None
        installations = settings.get("installations") if isinstance(settings, dict) else None
        return [str(i.get("version")) for i in installations or [] if isinstance(i, dict) and i.get("version")]

    def me(self) -> User:
        """The user that owns the API key."""
        return cast(User, self.get("v1/user"))

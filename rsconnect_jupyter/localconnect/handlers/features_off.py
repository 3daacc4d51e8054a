"""What Connect has and this server does not: OAuth integrations (and their sessions and content
associations) and execution environments (off-host images). Reading answers as a Connect with none
configured does (empty lists); creating is refused with one sentence (docs/local-server.md)."""

from __future__ import annotations

from .. import errors
from .base import BaseHandler

NO_INTEGRATIONS = (
    "The local server has no OAuth integrations: content here reaches other services with its own "
    "credentials, set as environment variables."
)
NO_ENVIRONMENTS = (
    "The local server has no execution environments: it runs content on this machine, with the Pythons "
    "it found (v1/server_settings/python)."
)


def administrator(handler: BaseHandler, what: str) -> None:
    if handler.user()["user_role"] != "administrator":
        raise errors.forbidden("Only administrators may create %s." % what)


class OAuthIntegrationsHandler(BaseHandler):
    def get(self) -> None:
        self.user()
        self.send_json([])

    def post(self) -> None:
        administrator(self, "OAuth integrations")
        raise errors.feature_off(NO_INTEGRATIONS)


class OAuthSessionsHandler(BaseHandler):
    def get(self) -> None:
        self.user()
        self.send_json([])


class ContentAssociationsHandler(BaseHandler):
    def get(self, guid: str) -> None:
        self.content_for(self.user(), guid)
        self.send_json([])

    def put(self, guid: str) -> None:
        """Associations are replaced as a whole: none (posit-sdk's `delete()`) is what there is already."""
        self.content_for(self.user(), guid, change=True)
        body = self.json_body()
        if body not in (None, []):
            raise errors.feature_off(NO_INTEGRATIONS)
        self.send_no_content()


class EnvironmentsHandler(BaseHandler):
    def get(self) -> None:
        self.user()
        self.send_json([])

    def post(self) -> None:
        administrator(self, "execution environments")
        raise errors.feature_off(NO_ENVIRONMENTS)

"""What the server is: its settings, its Pythons, and the answer to an API path it does not have."""

from __future__ import annotations

from .. import errors
from .base import BaseHandler


class ServerSettingsHandler(BaseHandler):
    def get(self) -> None:
        self.send_json(self.state.server_settings())


class PythonSettingsHandler(BaseHandler):
    def get(self) -> None:
        self.user()  # like Connect: only users see which Pythons the server has
        self.send_json(
            {
                "installations": [
                    {"version": i.version, "cluster_name": "", "image_name": ""} for i in self.state.interpreters
                ],
                "api_enabled": True,
            }
        )


class QuartoSettingsHandler(BaseHandler):
    def get(self) -> None:
        self.user()
        # This server cannot render Quarto (no Quarto runs here): no installations, as Connect answers
        # without one, so clients refuse Quarto source before they upload it.
        self.send_json({"installations": []})


class ApiNotFoundHandler(BaseHandler):
    def prepare(self) -> None:
        raise errors.no_endpoint(self.request.method, self.request.path)

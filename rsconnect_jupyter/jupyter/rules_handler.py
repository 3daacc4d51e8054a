"""GET {base_url}/rsconnect_jupyter/rules: the input rules both dialogs check (rsconnect_jupyter/rules.py).

Served rather than copied into the JavaScript, so the dialogs and the CLI cannot drift apart.
"""

from __future__ import annotations

from tornado import web

from .. import rules
from .handlers import JSONHandlerMixin


class RulesHandler(JSONHandlerMixin):
    @web.authenticated
    def get(self) -> None:
        self.answer(rules.dialog_rules())


RULES_ROUTES: list[tuple[str, type[JSONHandlerMixin]]] = [("rules", RulesHandler)]

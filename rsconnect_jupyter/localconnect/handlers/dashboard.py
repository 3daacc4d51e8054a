"""The pages a browser sees at the server's root: a redirect, and the page that frames content."""

from __future__ import annotations

import os

from .base import BaseHandler

# The page's script shows /content/GUID/ (from the URL's #/apps/GUID) in a frame.
with open(os.path.join(os.path.dirname(os.path.dirname(__file__)), "dashboard.html"), encoding="utf-8") as _f:
    DASHBOARD_PAGE = _f.read()


class DashboardHandler(BaseHandler):
    def get(self) -> None:
        self.set_header("Content-Type", "text/html; charset=utf-8")
        self.finish(DASHBOARD_PAGE)


class RootHandler(BaseHandler):
    def get(self) -> None:
        self.redirect("/connect/")

"""The dashboard at /connect/: the content a signed-in person may see, newest deploy first.

Server-rendered pages (templates/dashboard*.html, autoescaped), no inline script or style: the
pages' CSP is `default-src 'self'`. One small script (static/dashboard.js) turns a content item's
`dashboard_url` (/connect/#/apps/GUID, or #/apps/GUID/draft/ID) into its page; the list works
without it. The item page and its actions are in dashboard_item.py.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .. import access
from .base import BaseHandler
from .pages import PageHandler

if TYPE_CHECKING:
    from ..db import Database
    from ..rows import ContentRow

# app_mode in the user's words.
APP_MODE_NAMES = {
    "static": "Static page",
    "jupyter-static": "Jupyter notebook",
    "python-api": "API (Flask)",
    "python-fastapi": "API (FastAPI)",
    "python-dash": "Dash app",
    "python-streamlit": "Streamlit app",
    "python-bokeh": "Bokeh app",
    "python-shiny": "Shiny app",
    "jupyter-voila": "Voila dashboard",
    "python-gradio": "Gradio app",
    "unknown": "Not deployed yet",
}

ACCESS_NAMES = {
    "all": "Anyone, no sign-in needed",
    "logged_in": "Any signed-in user",
    "acl": "Specific users",
}


def mode_name(app_mode: str | None) -> str:
    return APP_MODE_NAMES.get(app_mode or "unknown", app_mode or "Not deployed yet")


def access_name(access_type: str) -> str:
    return ACCESS_NAMES.get(access_type, access_type)


def when(stamp: str | None) -> str:
    """2026-12-01T19:21:30Z as 2026-12-01 19:21 UTC."""
    if not stamp:
        return ""
    return stamp.replace("T", " ")[:16] + " UTC" if stamp.endswith("Z") else stamp


def username(db: Database, guid: str | None) -> str:
    row = db.user(guid) if guid else None
    return row["username"] if row else "(unknown)"


def list_row(db: Database, content: ContentRow) -> dict[str, Any]:
    guid = content["guid"]
    return {
        "guid": guid,
        "title": content["title"] or content["name"],
        "type": mode_name(content["app_mode"]),
        "owner": username(db, content["owner_guid"]),
        "deployed": when(content["last_deployed_time"]) if content["bundle_id"] else "never",
        "access": access_name(content["access_type"]),
        "live_url": "/content/%s/" % guid,
        "item_url": "/connect/apps/%s" % guid,
        "has_live": bool(content["bundle_id"]),
    }


class DashboardHandler(PageHandler):
    """/connect/: the list (signed in; a visitor is sent to the sign-in page)."""

    def get(self) -> None:
        user = self.require_signed_in()
        visible = [c for c in self.db.content_list() if access.can_view(self.db, user, c)]
        visible.sort(key=lambda c: (c["last_deployed_time"] or "", c["id"]), reverse=True)
        self.page("dashboard.html", user=user, items=[list_row(self.db, c) for c in visible])


class RootHandler(BaseHandler):
    def get(self) -> None:
        self.redirect("/connect/")

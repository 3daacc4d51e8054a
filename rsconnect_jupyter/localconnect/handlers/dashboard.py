"""The dashboard at /connect/: the content a signed-in person may see, newest deploy first.

Server-rendered pages (templates/dashboard*.html, autoescaped), no inline script or style: the
pages' CSP is `default-src 'self'`. One small script (static/dashboard.js) turns a content item's
`dashboard_url` (/connect/#/apps/GUID, or #/apps/GUID/draft/ID) into its page; the list works
without it. The item page and its actions are in dashboard_item.py.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ... import schedule_rules
from .. import access
from .base import BaseHandler
from .pages import PageHandler

if TYPE_CHECKING:
    from ..db import Database
    from ..rows import ContentRow

# app_mode in the extension's words (the publish dialog's and its conflict question's).
APP_MODE_NAMES = {
    "static": "Finished document",
    "jupyter-static": "Document with source code",
    "python-api": "API (Flask)",
    "python-fastapi": "API (FastAPI)",
    "python-dash": "Dash app",
    "python-streamlit": "Streamlit app",
    "python-bokeh": "Bokeh app",
    "python-shiny": "Shiny app",
    "jupyter-voila": "Voila dashboard",
    "python-gradio": "Gradio app",
    "python-panel": "Panel app",
    "unknown": "Not deployed yet",
}

# Access types in the words of the dialog's Sharing section.
ACCESS_NAMES = {
    "all": "Anyone, no login required",
    "logged_in": "Everyone who can log in",
    "acl": "Only the people listed",
}
ONLY_OWNER = "Only the owner"  # "acl" with nobody listed: say who that leaves


def mode_name(app_mode: str | None) -> str:
    return APP_MODE_NAMES.get(app_mode or "unknown", app_mode or "Not deployed yet")


def access_name(access_type: str, listed: int = 1) -> str:
    """The access type in the dialog's words; `listed`: how many viewers and collaborators it has."""
    if access_type == "acl" and not listed:
        return ONLY_OWNER
    return ACCESS_NAMES.get(access_type, access_type)


def short_id(guid: str) -> str:
    """The GUID's first 8 characters, as the extension's conflict question shows them."""
    return guid[:8]


def deploy_state(db: Database, content: ContentRow) -> str:
    """What its last deploy left: tells apart items of one title, and marks a failed first publish."""
    tasks = db.content_tasks(content["guid"])
    last = tasks[-1] if tasks else None
    if last is not None and not last["finished"]:
        return "Deploying"
    failed = last is not None and bool(last["code"])
    if content["bundle_id"]:
        return "Live, last deploy failed" if failed else "Live"
    if failed:
        built_before = any(t["finished"] and not t["code"] for t in tasks)
        return "Draft only, last deploy failed" if built_before else "First publish failed"
    if tasks:
        return "Draft only"
    return "Nothing deployed"


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
        "short_id": short_id(guid),
        "title": content["title"] or content["name"],
        "type": mode_name(content["app_mode"]),
        "owner": username(db, content["owner_guid"]),
        "deployed": when(content["last_deployed_time"]) if content["bundle_id"] else "never",
        "state": deploy_state(db, content),
        "access": access_name(content["access_type"], len(db.permissions(guid))),
        "live_url": "/content/%s/" % guid,
        "item_url": "/connect/apps/%s" % guid,
        "has_live": bool(content["bundle_id"]),
        "schedule": schedule_of(db, guid),
    }


def schedule_of(db: Database, guid: str) -> dict[str, str]:
    """The item's schedule in words and its next run ({} when it has none)."""
    row = db.schedule_of(guid)
    if row is None:
        return {}
    words = schedule_rules.describe(row["type"], row["schedule"], row["start_time"], row["timezone"])
    return {"words": words, "next_run": when(row["next_run"]), "email": "mailed" if row["email"] else ""}


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

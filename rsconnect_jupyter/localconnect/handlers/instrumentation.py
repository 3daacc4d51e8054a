"""Usage metrics as Connect's instrumentation API answers them, from the visits the content pages
record (visits.py) and the sessions of Shiny apps (handlers/proxy.py): `v1/instrumentation/content/visits`
and `shiny/usage` (cursor paging), `content/hits` (one list).

Administrators see every content item's; publishers those of content they own or collaborate on;
viewers none (403), as on Connect.
"""

from __future__ import annotations

import urllib.parse
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

from .. import auth, errors, models
from ..db_visits import SHINY_DATA_VERSION, VISIT_DATA_VERSION
from .base import BaseHandler

if TYPE_CHECKING:
    from ..rows import UserRow

MAX_LIMIT = 500


def utc_text(text: str, name: str) -> str:
    """An RFC 3339 time as the database keeps times (UTC, microseconds), or a refusal."""
    try:
        moment = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        moment = None
    if moment is None or moment.tzinfo is None:
        raise errors.invalid_value("%s must be an RFC 3339 time with its offset, such as 2026-01-05T08:00:00Z." % name)
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


class InstrumentationHandler(BaseHandler):
    def reader(self) -> UserRow:
        user = self.user()
        if user["user_role"] == "viewer":
            raise errors.forbidden("A viewer may not read usage metrics: only publishers and administrators may.")
        self.state.visits.flush()  # every visit made before this request
        return user

    def content_filter(self, user: UserRow) -> list[str] | None:
        """The GUIDs asked for (`content_guid`, several joined by "|") that this user may read;
        None: every item's (an administrator who asked for none)."""
        asked = [g for g in (self.get_argument("content_guid", "") or "").split("|") if g]
        if user["user_role"] == "administrator":
            return asked or None
        mine = [c["guid"] for c in self.db.content_list() if auth.can_change(self.db, user, c)]
        return [g for g in mine if g in asked] if asked else mine

    def window(self) -> tuple[str | None, str | None]:
        start, end = self.get_argument("from", None), self.get_argument("to", None)
        return (utc_text(start, "from") if start else None, utc_text(end, "to") if end else None)

    def number(self, name: str, default: int) -> int:
        value = self.get_argument(name, None)
        if value is None or value == "":
            return default
        try:
            return int(value)
        except ValueError:
            raise errors.invalid_value("%s must be a whole number." % name) from None


class CursorPagesHandler(InstrumentationHandler):
    """Records `limit` per page (20 unless asked, at most 500), paged with the `next` and `previous`
    cursors the last page gave (ids of records), oldest first unless `asc_order=false`."""

    min_data_version = VISIT_DATA_VERSION

    def records(self, guids: list[str] | None, **query: Any) -> list[Any]:
        raise NotImplementedError

    def record_json(self, row: Any) -> dict[str, Any]:
        raise NotImplementedError

    def get(self) -> None:
        user = self.reader()
        guids = self.content_filter(user)
        start, end = self.window()
        limit = min(MAX_LIMIT, max(1, self.number("limit", 20)))
        ascending = self.get_argument("asc_order", "true").lower() != "false"
        nxt, prev = self.get_argument("next", None) or None, self.get_argument("previous", None) or None
        cursor_text = nxt or prev
        if cursor_text is not None and not cursor_text.isdigit():
            raise errors.invalid_value("next and previous must be cursors from an earlier page's paging.")
        cursor = int(cursor_text) if cursor_text else None
        forward = prev is None
        onward = ascending == forward  # reading toward higher ids
        rows: list[Any] = []
        if guids is None or guids:
            rows = self.records(
                guids,
                start=start,
                end=end,
                min_data_version=self.number("min_data_version", self.min_data_version),
                after=cursor if onward else None,
                before=None if onward else cursor,
                limit=limit + 1,
                ascending=onward,
            )
        more = len(rows) > limit
        rows = rows[:limit]
        if not forward:
            rows.reverse()
        has_next = more if forward else cursor is not None
        has_previous = cursor is not None if forward else more
        if rows:
            cursors = {
                "previous": str(rows[0]["id"]) if has_previous else None,
                "next": str(rows[-1]["id"]) if has_next else None,
            }
        else:  # past the end (or the start): the way back is the cursor that led here
            cursors = {"previous": nxt, "next": prev}
        self.send_json({"paging": self.paging(cursors), "results": [self.record_json(r) for r in rows]})

    def paging(self, cursors: dict[str, str | None]) -> dict[str, Any]:
        """Connect's paging: the cursors, and full URLs of the first, previous and next pages."""
        kept = [(k, v) for k, v in self.request.query_arguments.items() if k not in ("next", "previous")]
        base = self.server_url().rstrip("/") + self.request.path

        def url(extra: dict[str, str]) -> str:
            query = [(k, v.decode()) for k, values in kept for v in values] + list(extra.items())
            return base + ("?" + urllib.parse.urlencode(query) if query else "")

        return {
            "cursors": cursors,
            "first": url({}),
            "previous": url({"previous": cursors["previous"]}) if cursors["previous"] else None,
            "next": url({"next": cursors["next"]}) if cursors["next"] else None,
            "last": url({"last": "true"}),
        }


class VisitsHandler(CursorPagesHandler):
    def records(self, guids: list[str] | None, **query: Any) -> list[Any]:
        return self.db.visits(guids, **query)

    def record_json(self, row: Any) -> dict[str, Any]:
        return models.visit_json(row)


class ShinyUsageHandler(CursorPagesHandler):
    """Sessions of Shiny apps: each WebSocket a python-shiny app's page opens through the proxy is
    one session (Shiny runs one per connection), from its opening to its closing."""

    min_data_version = SHINY_DATA_VERSION

    def records(self, guids: list[str] | None, **query: Any) -> list[Any]:
        return self.db.shiny_sessions(guids, **query)

    def record_json(self, row: Any) -> dict[str, Any]:
        return models.shiny_session_json(row)


class HitsHandler(InstrumentationHandler):
    """Every visit in the window, as one list (Connect's hits: no paging)."""

    def get(self) -> None:
        user = self.reader()
        guids = self.content_filter(user)
        start, end = self.window()
        rows = self.db.visits(guids, start, end) if guids is None or guids else []
        self.send_json([models.hit_json(r) for r in rows])

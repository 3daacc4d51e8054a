"""What the server's own HTML pages share (sign-in, the dashboard): the signed-in person, headers
that keep published content out of them, CSRF tokens, and one page layout.

Published content runs on this server's origin, as on Connect, and the session cookie goes with
its requests (a document's images and an app's calls need it). So these pages trust only what a
script of that content cannot fake:
- a GET answers only a top-level navigation (the browser's Sec-Fetch-Dest/Mode headers, which no
  script can set), so `fetch("/connect/")` from an app gets no page, and never in a frame;
- a POST needs the page's CSRF token (bound to the session) and an Origin of this server;
- the session cookie is HttpOnly, and the app proxy removes it before a request reaches an app.
"""

from __future__ import annotations

import time
import urllib.parse
from typing import TYPE_CHECKING, Any

import tornado.web

from .. import access
from .base import BaseHandler

if TYPE_CHECKING:
    from ..rows import ContentRow, UserRow

PAGE_HEADERS = {
    "X-Frame-Options": "DENY",
    "Content-Security-Policy": "default-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'",
    "Cross-Origin-Opener-Policy": "same-origin",  # a window opened by content gets no handle on the page
    "Referrer-Policy": "same-origin",
    "X-Content-Type-Options": "nosniff",
    "Cache-Control": "no-store",
}


def local_path(target: str | None, default: str = "/connect/") -> str:
    """`target` when it is a path of this server (never another site: no open redirect)."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return default
    parsed = urllib.parse.urlsplit(target)
    if parsed.scheme or parsed.netloc:
        return default
    return target


class PageHandler(BaseHandler):
    """A page for people in a browser."""

    def set_default_headers(self) -> None:
        for name, value in PAGE_HEADERS.items():
            self.set_header(name, value)

    def is_navigation(self) -> bool:
        """A top-level navigation, as the browser reports it; clients that send no Sec-Fetch headers
        (curl, older browsers, or any browser on a plain-HTTP address other than localhost) count."""
        dest = self.request.headers.get("Sec-Fetch-Dest")
        mode = self.request.headers.get("Sec-Fetch-Mode")
        return dest in (None, "document") and mode in (None, "navigate")

    def prepare(self) -> None:
        if self.request.method in ("GET", "HEAD") and not self.is_navigation():
            raise tornado.web.HTTPError(403, "This page opens only as a page of its own.")
        if self.request.method == "POST":
            self.check_origin()

    def check_origin(self) -> None:
        """A POST is a form sent from this server's page: its Origin, and a navigation (a script's
        fetch or XHR says Sec-Fetch-Mode cors or same-origin)."""
        origin = self.request.headers.get("Origin")
        site = self.request.headers.get("Sec-Fetch-Site")
        mode = self.request.headers.get("Sec-Fetch-Mode")
        own = "%s://%s" % (self.request.protocol, self.request.host)
        if (
            (origin is not None and origin != own)
            or site not in (None, "same-origin")
            or mode not in (None, "navigate")
        ):
            raise tornado.web.HTTPError(403, "This form may only be sent from this server's own pages.")

    # -- the person signed in ------------------------------------------------------------------
    def session_id(self) -> str | None:
        return session_of(self)

    def signed_in(self) -> UserRow | None:
        """The signed-in user or None."""
        session_id = self.session_id()
        return self.state.sessions.user(session_id) if session_id else None

    def start_session(self, session_id: str) -> None:
        self.set_signed_cookie(
            self.state.cookie_name,
            session_id,
            expires=time.time() + self.state.sessions.seconds,
            httponly=True,
            samesite="Lax",
            secure=self.request.protocol == "https",
            path="/",
            version=2,
        )

    def end_session(self) -> None:
        session_id = self.session_id()
        if session_id:
            self.state.sessions.sign_out(session_id)
        self.clear_cookie(self.state.cookie_name, path="/")

    def csrf_token(self) -> str:
        session_id = self.session_id()
        return self.state.sessions.csrf_token(session_id) if session_id else ""

    def check_csrf(self) -> None:
        """A POST from a signed-in page: the form's `csrf` field must match the session."""
        session_id = self.session_id()
        token = self.get_body_argument("csrf", "")
        if not session_id or not token or not self.state.sessions.csrf_ok(session_id, token):
            raise tornado.web.HTTPError(403, "This form has expired: open the page again and retry.")

    def require_signed_in(self) -> UserRow:
        """The signed-in user; a visitor is sent to the sign-in page and comes back after."""
        user = self.signed_in()
        if user is None:
            self.redirect("/__login__?" + urllib.parse.urlencode({"next": self.request.uri or "/connect/"}))
            raise tornado.web.Finish()
        return user

    def page(self, template: str, status: int = 200, **values: Any) -> None:
        self.set_status(status)
        self.set_header("Content-Type", "text/html; charset=utf-8")
        self.render(template, csrf=self.csrf_token(), **values)

    def write_error(self, status_code: int, **kwargs: Any) -> None:
        exc = kwargs.get("exc_info", (None, None, None))[1]
        message = getattr(exc, "log_message", None) or self._reason
        self.set_header("Content-Type", "text/html; charset=utf-8")
        self.render("error.html", status=status_code, message=message, csrf="", user=None)


class LoginHandler(PageHandler):
    """/__login__: sign in with a user name and password (`rsconnect local-server set-password`)."""

    def get(self) -> None:
        self.page(
            "login.html", next=local_path(self.get_query_argument("next", None)), error="", username="", user=None
        )

    def post(self) -> None:
        username = self.get_body_argument("username", "").strip()
        password = self.get_body_argument("password", "")
        target = local_path(self.get_body_argument("next", None))
        # Published content runs on this origin, so its script can send this form (a form
        # navigation from our own Origin): login CSRF would end a signed-in viewer's session and
        # sign the browser in as the script's author. A browser (it sends Origin) signed in as
        # someone else is therefore not switched: the person signs out first.
        old = self.session_id()
        current = self.state.sessions.user(old) if old else None
        if current is not None and current["username"] != username and "Origin" in self.request.headers:
            error = "You are signed in as %s: sign out first, then sign in as another user." % current["username"]
            self.page("login.html", status=403, next=target, error=error, username=username, user=None)
            return
        found = self.state.sessions.sign_in(username, password) if username and password else None
        if found is None:
            error = "The user name or password is not right."  # the page says where passwords come from
            self.page("login.html", status=403, next=target, error=error, username=username, user=None)
            return
        if old:  # a session from before is ended, never carried over
            self.state.sessions.sign_out(old)
        _, session_id = found
        self.start_session(session_id)
        self.redirect(target)


class LogoutHandler(PageHandler):
    """/__logout__: POST only, from a page's form (a link elsewhere cannot sign anyone out)."""

    def post(self) -> None:
        self.check_csrf()
        self.end_session()
        self.redirect("/__login__")


def session_of(handler: BaseHandler) -> str | None:
    """The session id in the request's session cookie (its signature checked), or None."""
    state = handler.state
    # A published page's script can add a second cookie of this name (for another path, or for the
    # parent domain), which the server would read in place of the person's own: a session of the
    # script's author. With two, nobody is signed in.
    names = [c.split("=", 1)[0].strip() for h in handler.request.headers.get_list("Cookie") for c in h.split(";")]
    if names.count(state.cookie_name) > 1:
        return None
    value = handler.get_signed_cookie(state.cookie_name, max_age_days=state.sessions.seconds / 86400.0, min_version=2)
    return value.decode("utf-8") if value else None


def signed_in_user(handler: BaseHandler) -> UserRow | None:
    """The user of the session cookie, for handlers that are not pages (the content proxy)."""
    session_id = session_of(handler)
    return handler.state.sessions.user(session_id) if session_id else None


def content_viewer(handler: BaseHandler, content: ContentRow) -> UserRow | None:
    """Who asks for a content page: an API key (as Connect takes for programs), else the session."""
    header = handler.request.headers.get("Authorization", "")
    if header[:4].lower() == "key ":
        return handler.user()  # a wrong key is a 401, never a fall back to the session
    # A request made by another site's page (Sec-Fetch-Site same-site: a page on any port of this
    # host, which SameSite=Lax sends the cookie for; or cross-site) goes without the session unless
    # it is a top-level navigation: else such a page could send forms or calls to an app, or frame
    # content, as the viewer. Links from elsewhere (a notebook server's page) still open content.
    request = handler.request
    if request.headers.get("Sec-Fetch-Site") in ("same-site", "cross-site") and not (
        request.method in ("GET", "HEAD")
        and request.headers.get("Sec-Fetch-Mode") == "navigate"
        and request.headers.get("Sec-Fetch-Dest") == "document"
    ):
        return None
    return signed_in_user(handler)


def require_view(handler: BaseHandler, content: ContentRow, preview: bool = False) -> None:
    """Go on only if the asker may see this content (or, for a draft preview, deploy it).

    A signed-out person in a browser is sent to the sign-in page and comes back after it; anyone
    else gets a page that says why (401 or 403), never the content."""
    user = content_viewer(handler, content)
    allowed = access.can_preview if preview else access.can_view
    if allowed(handler.db, user, content):
        return
    request = handler.request
    navigation = request.headers.get("Sec-Fetch-Mode", "navigate") == "navigate"
    if user is None and request.method == "GET" and navigation and "Upgrade" not in request.headers:
        handler.redirect("/__login__?" + urllib.parse.urlencode({"next": request.uri or "/"}))
        raise tornado.web.Finish()
    if user is None:
        status, message = 401, "Sign in to see this content (or send an API key)."
    elif preview:
        status, message = 403, "Only the content's owner, collaborators and administrators may preview its drafts."
    else:
        status, message = 403, "You do not have permission to see this content: ask its owner to add you as a viewer."
    handler.clear_header("Content-Security-Policy")
    for name, value in PAGE_HEADERS.items():
        handler.set_header(name, value)
    handler.set_status(status)
    handler.set_header("Content-Type", "text/html; charset=utf-8")
    handler.render("error.html", status=status, message=message, csrf="", user=None)
    raise tornado.web.Finish()


__all__ = [
    "LoginHandler",
    "LogoutHandler",
    "PageHandler",
    "content_viewer",
    "session_of",
    "local_path",
    "require_view",
    "signed_in_user",
]

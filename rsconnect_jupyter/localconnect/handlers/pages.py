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

import asyncio
import time
import urllib.parse
from typing import TYPE_CHECKING, Any

import tornado.web

from .. import access, throttle
from .base import BaseHandler
from .cookies import KNOWN_BROWSER_DAYS, browser_id, clear_stray_copies, cookie_copies

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
        super().set_default_headers()
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
        self.clear_cookie(self.state.cookie_name, path="/", secure=self.request.protocol == "https")

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
    """/__login__: sign in with a user name and password (`rsconnect local-server set-password`).

    The form carries a token bound to the browser's own cookie (`browser_id`), which a published
    page can neither read nor replace; failed tries are slowed and then refused (throttle.py)."""

    def get(self) -> None:
        self.login_page(200, next=local_path(self.get_query_argument("next", None)), error="", username="")

    def login_page(self, status: int, **values: Any) -> None:
        token = self.state.sessions.signin_token(browser_id(self, self.state.browser_cookie))
        self.page("login.html", status=status, signin=token, user=None, **values)

    async def post(self) -> None:
        username = self.get_body_argument("username", "").strip()
        password = self.get_body_argument("password", "")
        target = local_path(self.get_body_argument("next", None))
        # Published content runs on this origin, so its script can send this form (a form
        # navigation from our own Origin): login CSRF would sign the browser in as the script's
        # author. The form's token is bound to this browser's own HttpOnly cookie, which the
        # script cannot read (the sign-in page is not readable by scripts) nor replace.
        token = self.get_body_argument("signin", "")
        copies = cookie_copies(self.request, self.state.browser_cookie)
        if len(copies) > 1:
            clear_stray_copies(self, self.state.browser_cookie)
        if len(copies) != 1 or not token or not self.state.sessions.signin_token_ok(copies[0], token):
            error = "This sign-in form has expired or was not sent from the sign-in page: sign in again here."
            self.login_page(403, next=target, error=error, username=username)
            return
        # A browser (it sends Origin) signed in as someone else is not switched: the person signs out first.
        old = self.session_id()
        current = self.state.sessions.user(old) if old else None
        if current is not None and current["username"] != username and "Origin" in self.request.headers:
            error = "You are signed in as %s: sign out first, then sign in as another user." % current["username"]
            self.login_page(403, next=target, error=error, username=username)
            return
        if not username or not password:
            self.login_page(403, next=target, error="The user name or password is not right.", username=username)
            return
        found = await self.check_password(username, password)
        if found is None:
            return
        if old:  # a session from before is ended, never carried over
            self.state.sessions.sign_out(old)
        user, session_id = found
        self.start_session(session_id)
        self.set_signed_cookie(
            self.state.known_cookie,
            user["username"],
            expires_days=KNOWN_BROWSER_DAYS,
            httponly=True,
            samesite="Lax",
            secure=self.request.protocol == "https",
            path="/",
            version=2,
        )
        self.redirect(target)

    async def check_password(self, username: str, password: str) -> tuple[UserRow, str] | None:
        """(user, session id) for the right password; otherwise the page is answered: 403, or 429
        while this account or address has failed too often. Each failure past the first few waits
        longer before its answer (a guesser gets few tries an hour)."""
        keys = throttle.keys_for(username, self.request.remote_ip or "", self.known_browser_of(username))
        wait = self.state.throttle.retry_after(keys)
        if wait is not None:
            self.set_header("Retry-After", str(wait))
            error = "Too many failed sign-ins for this user or from this address: try again in %d seconds." % wait
            self.login_page(429, next=local_path(self.get_body_argument("next", None)), error=error, username=username)
            return None
        delay = self.state.throttle.begin(keys)
        if delay:
            await asyncio.sleep(delay)
        found = self.state.sessions.sign_in(username, password)
        if found is None:
            error = "The user name or password is not right."  # the page says where passwords come from
            self.login_page(403, next=local_path(self.get_body_argument("next", None)), error=error, username=username)
            return None
        self.state.throttle.succeeded(keys)
        return found

    def known_browser_of(self, username: str) -> bool:
        """Whether this browser signed in as `username` before (the server's signed cookie says so)."""
        copies = cookie_copies(self.request, self.state.known_cookie)
        if not copies:
            return False
        value = tornado.web.decode_signed_value(
            self.application.settings["cookie_secret"],
            self.state.known_cookie,
            copies[-1],
            max_age_days=KNOWN_BROWSER_DAYS,
            min_version=2,
        )
        return value is not None and value.decode("utf-8").lower() == username.strip().lower()


class LogoutHandler(PageHandler):
    """/__logout__: POST only, from a page's form (a link elsewhere cannot sign anyone out)."""

    def post(self) -> None:
        self.check_csrf()
        self.end_session()
        self.redirect("/__login__")


def session_of(handler: BaseHandler) -> str | None:
    """The session id in the request's session cookie (its signature checked), or None.

    A published page's script can add a second cookie of this name for a longer path (and, over
    plain HTTP, on a host name, for the domain). Browsers send copies for longer paths first, so the
    server's own, for path `/`, comes last: that one counts, and the others are cleared, so a
    planted cookie neither signs the viewer out nor in as someone else."""
    state = handler.state
    copies = cookie_copies(handler.request, state.cookie_name)
    if not copies:
        return None
    if len(copies) > 1:
        clear_stray_copies(handler, state.cookie_name)
    value = tornado.web.decode_signed_value(
        handler.application.settings["cookie_secret"],
        state.cookie_name,
        copies[-1],
        max_age_days=state.sessions.seconds / 86400.0,
        min_version=2,
    )
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


def require_view(handler: BaseHandler, content: ContentRow, preview: bool = False) -> UserRow | None:
    """Go on only if the asker may see this content (or, for a draft preview, deploy it); returns
    who asks (None: nobody signed in, on content open to all).

    A signed-out person in a browser is sent to the sign-in page and comes back after it; anyone
    else gets a page that says why (401 or 403), never the content."""
    user = content_viewer(handler, content)
    allowed = access.can_preview if preview else access.can_view
    if allowed(handler.db, user, content):
        return user
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

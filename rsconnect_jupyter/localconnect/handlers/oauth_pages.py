"""The OAuth pages people see (rules in localconnect/oauth.py): the consent page of the
authorization code flow, the device code approval page, and the list of a person's signed-in
clients, where they sign one out. Signing in is the server's own page (/__login__?next=...)."""

from __future__ import annotations

import urllib.parse

import tornado.web

from .. import oauth
from .pages import PAGE_HEADERS, PageHandler

AUTHORIZE_FIELDS = (
    "response_type",
    "client_id",
    "redirect_uri",
    "code_challenge",
    "code_challenge_method",
    "state",
    "scope",
)


class AuthorizeHandler(PageHandler):
    """/__oauth__/authorize: the person signs in (if they are not), sees which client asks, and
    approves or denies; the answer goes to the client's registered redirect URI."""

    def request_args(self, source: str) -> dict[str, str]:
        read = self.get_query_argument if source == "query" else self.get_body_argument
        return {name: read(name, "") or "" for name in AUTHORIZE_FIELDS}

    def checked(self, args: dict[str, str]) -> oauth.AuthorizeRequest | None:
        """The request, or None when the page already answered (an error shown or sent back)."""
        try:
            return oauth.check_authorize(self.db, args)
        except oauth.RedirectableError as e:
            self.redirect(e.location)
        except oauth.OAuthError as e:
            self.set_status(400)
            self.render("error.html", status=400, message=e.description, csrf="", user=None)
        return None

    def get(self) -> None:
        user = self.require_signed_in()
        request = self.checked(self.request_args("query"))
        if request is None:
            return
        # The form's answer is a redirect to the client: CSP's form-action must allow its origin.
        target = urllib.parse.urlsplit(request.redirect_uri)
        self.set_header(
            "Content-Security-Policy",
            PAGE_HEADERS["Content-Security-Policy"].replace(
                "form-action 'self'", "form-action 'self' %s://%s" % (target.scheme, target.netloc)
            ),
        )
        self.page(
            "oauth_consent.html", user=user, client_name=request.client["client_name"], args=self.request_args("query")
        )

    def post(self) -> None:
        self.check_csrf()
        user = self.signed_in()
        if user is None:
            raise tornado.web.HTTPError(403, "Sign in first, then approve the sign-in again.")
        request = self.checked(self.request_args("body"))
        if request is None:
            return
        if self.get_body_argument("decision", "") != "approve":
            self.redirect(request.answer(error="access_denied", error_description="The person denied the sign-in."))
            return
        self.redirect(request.answer(code=oauth.issue_code(self.db, request, user)))


class DeviceHandler(PageHandler):
    """/__oauth__/device: the person enters (or follows a link with) the code a program shows,
    sees which client asks, and approves or denies."""

    def get(self) -> None:
        user = self.require_signed_in()
        typed = self.get_query_argument("user_code", "") or ""
        pending = oauth.device_request(self.db, typed) if typed else None
        error = "" if pending or not typed else "This code is not valid or has expired: start the sign-in again."
        self.page(
            "oauth_device.html",
            status=200 if not error else 400,
            user=user,
            user_code=pending[0] if pending else typed,
            client_name=pending[1] if pending else "",
            error=error,
            done="",
        )

    def post(self) -> None:
        self.check_csrf()
        user = self.signed_in()
        if user is None:
            raise tornado.web.HTTPError(403, "Sign in first, then enter the code again.")
        user_code = self.get_body_argument("user_code", "") or ""
        approve = self.get_body_argument("decision", "") == "approve"
        if not oauth.decide_device(self.db, user_code, user, approve):
            self.page(
                "oauth_device.html",
                status=400,
                user=user,
                user_code=user_code,
                client_name="",
                error="This code is not valid or has expired: start the sign-in again.",
                done="",
            )
            return
        done = "approved" if approve else "denied"
        self.page("oauth_device.html", user=user, user_code="", client_name="", error="", done=done)


class SignedInClientsHandler(PageHandler):
    """/connect/clients: the programs signed in as this person, each of which they may sign out."""

    def get(self) -> None:
        user = self.require_signed_in()
        self.page("oauth_clients.html", user=user, clients=oauth.signed_in_clients(self.db, user))


class SignOutClientHandler(PageHandler):
    """POST /connect/clients/ID/sign-out: end that client's tokens (only the person's own)."""

    def post(self, grant_id: str) -> None:
        self.check_csrf()
        user = self.signed_in()
        if user is None or not self.db.delete_oauth_grant(int(grant_id), user["guid"]):
            raise tornado.web.HTTPError(404, "There is no such signed-in client of yours.")
        self.redirect("/connect/clients")

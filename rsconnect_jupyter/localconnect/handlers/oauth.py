"""The OAuth endpoints programs call (rules in localconnect/oauth.py): discovery, registration,
token, device authorization and revocation. Errors are RFC 6749's `{"error", "error_description"}`;
answers holding tokens are never cached. The pages people see are in oauth_pages.py.
"""

from __future__ import annotations

import asyncio
from typing import Any

from .. import errors, oauth, throttle
from .base import BaseHandler

# Token errors that mean a guess (a code, refresh token or device code, or a client id): counted
# against the address. Waiting for approval, or a denied or expired sign-in, is no guess.
GUESSES = ("invalid_grant", "invalid_client")


class OAuthHandler(BaseHandler):
    def set_default_headers(self) -> None:
        self.set_header("Cache-Control", "no-store")
        self.set_header("Pragma", "no-cache")

    def send_oauth(self, data: Any, status: int = 200) -> None:
        self.send_json(data, status)

    def send_oauth_error(self, error: oauth.OAuthError) -> None:
        self.send_json(error.body(), error.status)

    def address_keys(self) -> list[str]:
        return ["address:" + (self.request.remote_ip or "")]

    def refused(self, limits: throttle.Throttle, what: str) -> bool:
        """Answer 429 with Retry-After while this address is over `limits`; whether it did."""
        wait = limits.retry_after(self.address_keys())
        if wait is None:
            return False
        self.set_header("Retry-After", str(wait))
        self.send_oauth_error(
            oauth.OAuthError(
                "temporarily_unavailable", "Too many %s from this address: try again in %d seconds." % (what, wait), 429
            )
        )
        return True

    def form(self, names: tuple[str, ...]) -> dict[str, str]:
        """The named fields of a form body; a field sent twice is an error (RFC 6749 3.1)."""
        if not self.request.headers.get("Content-Type", "").startswith("application/x-www-form-urlencoded"):
            raise oauth.OAuthError("invalid_request", "Send the request as application/x-www-form-urlencoded.")
        values: dict[str, str] = {}
        for name in names:
            given = self.get_body_arguments(name, strip=False)
            if len(given) > 1:
                raise oauth.OAuthError("invalid_request", "The field %s was sent more than once." % name)
            if given:
                values[name] = given[0]
        return values


class OAuthMetadataHandler(OAuthHandler):
    """/.well-known/oauth-authorization-server (RFC 8414)."""

    def get(self) -> None:
        self.send_oauth(oauth.metadata(self.server_url()))


class OAuthRegisterHandler(OAuthHandler):
    """Dynamic client registration (RFC 7591): public clients, no secret."""

    def post(self) -> None:
        limits = self.state.register_throttle
        if self.refused(limits, "client registrations"):
            return
        try:
            body = self.json_object()
        except errors.ConnectError:
            self.send_oauth_error(
                oauth.OAuthError("invalid_client_metadata", "The request body must be a JSON object.")
            )
            return
        limits.begin(self.address_keys())  # counted first, so registrations sent at once count too
        try:
            self.send_oauth(oauth.register(self.db, body), 201)
        except oauth.OAuthError as e:
            limits.forgive(self.address_keys())  # nothing was stored
            self.send_oauth_error(e)


TOKEN_FIELDS = (
    "grant_type",
    "client_id",
    "code",
    "code_verifier",
    "redirect_uri",
    "refresh_token",
    "device_code",
    "scope",
)


class OAuthTokenHandler(OAuthHandler):
    """The token endpoint. Failed guesses are slowed and then refused per address, as passwords are
    (throttle.py): each request counts as one until it proves not to be a guess."""

    async def post(self) -> None:
        limits = self.state.token_throttle
        if self.refused(limits, "failed token requests"):
            return
        delay = limits.begin(self.address_keys())
        if delay:
            await asyncio.sleep(delay)
        try:
            answer = oauth.token(self.db, self.form(TOKEN_FIELDS))
        except oauth.OAuthError as e:
            if e.error not in GUESSES:
                limits.forgive(self.address_keys())
            self.send_oauth_error(e)
            return
        limits.forgive(self.address_keys())
        self.send_oauth(answer)


class OAuthDeviceAuthorizationHandler(OAuthHandler):
    """RFC 8628 3.1: a device code for the client, a user code for the person."""

    def post(self) -> None:
        try:
            form = self.form(("client_id", "scope"))
            self.send_oauth(oauth.start_device(self.db, form.get("client_id", ""), self.server_url()))
        except oauth.OAuthError as e:
            self.send_oauth_error(e)


class OAuthRevokeHandler(OAuthHandler):
    """RFC 7009: `rsconnect logout` ends its grant here; an unknown token is no error."""

    def post(self) -> None:
        try:
            form = self.form(("token", "token_type_hint", "client_id"))
            if not form.get("token"):
                raise oauth.OAuthError("invalid_request", "Send the token to revoke.")
        except oauth.OAuthError as e:
            self.send_oauth_error(e)
            return
        oauth.revoke(self.db, form["token"])
        self.send_oauth({})

"""Every failure of a request as one of the typed errors of `exceptions.py`, with a sentence the user
can act on: Connect's `{code, error, payload}` refusals, login pages and redirects where Connect's
API should answer, and connections that give no answer."""

from __future__ import annotations

import re
from urllib.parse import urljoin, urlsplit

import requests

from ..exceptions import (
    AuthenticationError,
    ConnectAPIError,
    Fix,
    Hint,
    NotAConnectServer,
    NotFound,
    PermissionDenied,
    RSConnectError,
    ServerUnreachable,
)

# What to do about a login page where Connect's API should answer (three ways to meet one).
LOGIN_ADVICE = (
    "a proxy or single sign-on in front of Connect wants a browser login, so use an address that "
    "reaches Connect directly (ask your administrator)."
)

# Connect error codes (the `code` of `{code, error, payload}`), not HTTP statuses.
CODE_INVALID_KEY = 30
CODE_AUTH_REQUIRED = 24
CODE_NOT_FOUND = 4
CODE_NAME_IN_USE = 26
CODE_APP_MODE_CHANGE = 48


def _looks_like_html(response: requests.Response) -> bool:
    ctype = response.headers.get("Content-Type", "")
    if "html" in ctype:
        return True
    head = response.content[:200].lstrip().lower()
    return head.startswith(b"<!doctype html") or head.startswith(b"<html")


def _looks_like_login(response: requests.Response) -> bool:
    """A single sign-on or proxy login page: reached by a redirect, or a page with a password field."""
    if response.history:
        return True
    text = response.content[:20000].lower()
    return b'type="password"' in text or b"type='password'" in text or b"sign in" in text or b"log in" in text


class ErrorMapping:
    """The errors of a client of the server at `url` (a Session: the sentences name its URL)."""

    url: str
    answered: bool  # the server has answered once: a broken connection is then said differently

    def _not_json(self, response: requests.Response, method: str, path: str) -> NotAConnectServer:
        """The error for a 2xx answer that is not JSON: a login page, or not Connect at all."""
        if _looks_like_html(response) and _looks_like_login(response):
            return NotAConnectServer(
                "%s answered %s %s with a login page%s where Connect answers JSON: %s"
                % (self.url, method, path, _via(response), LOGIN_ADVICE)
            )
        if _looks_like_html(response):
            return NotAConnectServer(
                "%s answered with an HTML page where Connect answers JSON: this URL does "
                "not look like a Connect server (check the address and any sub-path)." % self.url
            )
        return NotAConnectServer(
            "%s answered %s %s with something other than JSON: this URL does not look "
            "like a Connect server." % (self.url, method, path)
        )

    def _unreachable(
        self, exc: requests.exceptions.RequestException, method: str, path: str, sending: bool
    ) -> ServerUnreachable:
        """The error for a request that got no answer."""
        if isinstance(exc, requests.exceptions.SSLError):
            return ServerUnreachable(
                "The TLS certificate of %s could not be verified (%s)" % (self.url, _reason(exc)),
                hint=Hint(Fix.TRUST_SERVER_CA),
            )
        if isinstance(exc, requests.exceptions.Timeout):
            return ServerUnreachable("%s did not answer in time: check that the server is up and try again." % self.url)
        if isinstance(exc, requests.exceptions.ConnectionError):
            if sending and self.answered:
                return ServerUnreachable(
                    "The connection to %s broke during %s %s (%s): nothing was saved here; "
                    "check that the server is up and publish again." % (self.url, method, path, _reason(exc))
                )
            return ServerUnreachable(
                "Could not connect to %s (%s): check the URL and that the server is running." % (self.url, _reason(exc))
            )
        if isinstance(exc, requests.exceptions.InvalidURL):
            return ServerUnreachable('"%s" is not a valid server URL.' % self.url)
        return ServerUnreachable(
            "The request %s %s to %s failed (%s): check the URL and try again." % (method, path, self.url, _reason(exc))
        )

    def _redirected(self, response: requests.Response, method: str, path: str) -> NotAConnectServer:
        """A write that was redirected (writes never follow redirects: a body must not go elsewhere)."""
        location = urljoin(response.url, response.headers.get("Location", ""))
        suffix = "__api__/" + path.lstrip("/")
        moved = urlsplit(location)
        if suffix in location and moved.path.endswith(suffix.split("?")[0]):
            base = location[: location.index(suffix)]
            return NotAConnectServer(
                "%s redirected %s %s to %s: use %s as the server URL." % (self.url, method, path, location, base)
            )
        return NotAConnectServer(
            "%s redirected %s %s to %s, probably a login page: %s" % (self.url, method, path, location, LOGIN_ADVICE)
        )

    def _error(self, response: requests.Response, method: str, path: str) -> RSConnectError:
        status = response.status_code
        try:
            body = response.json()
        except ValueError:
            body = None
        if not isinstance(body, dict):
            if _looks_like_html(response) and _looks_like_login(response) and status in (401, 403):
                return NotAConnectServer(
                    "%s answered %s %s with a login page (HTTP %d): %s" % (self.url, method, path, status, LOGIN_ADVICE)
                )
            if _looks_like_html(response) or status == 404:
                return NotAConnectServer(
                    "%s answered %s %s with HTTP %d and no Connect error: this URL does not "
                    "look like a Connect server (check the address and any sub-path)."
                    % (self.url, method, path, status)
                )
            return ConnectAPIError(
                "%s failed with HTTP %d: try again, or ask the server's administrator." % (path, status), status=status
            )
        code, error, payload = body.get("code"), body.get("error") or "", body.get("payload")
        detail = error.rstrip(".") or "no reason given"
        if status == 401 or code in (CODE_INVALID_KEY, CODE_AUTH_REQUIRED):
            return AuthenticationError(
                "%s rejected the API key (%s): check the key, or create a new one in "
                "Connect under your name > API Keys." % (self.url, detail),
                status=status,
                code=code,
                error=error,
                payload=payload,
            )
        if status == 403:
            return PermissionDenied(
                "Connect refused %s %s (%s): you need to be the owner or a collaborator "
                "with a publisher role." % (method, path, detail),
                status=status,
                code=code,
                error=error,
                payload=payload,
            )
        if status == 404:
            return NotFound(
                "Connect found nothing at %s (%s)." % (path, detail),
                status=status,
                code=code,
                error=error,
                payload=payload,
            )
        return ConnectAPIError(
            "Connect refused %s %s with HTTP %d, code %s: %s." % (method, path, status, code, detail),
            status=status,
            code=code,
            error=error,
            payload=payload,
        )


def _via(response: requests.Response) -> str:
    """' (via http://sso/login)' when a redirect led to the page."""
    return " (via %s)" % response.url.split("?")[0] if response.history else ""


def _reason(exc: BaseException) -> str:
    """The useful part of a requests error: 'Connection refused', 'self-signed certificate', ..."""
    text = str(exc)
    for pattern in (
        r"certificate verify failed: ([^(')\]]+)",
        r"\[Errno -?\d+\] ([^'\")\]]+)",
        r"(Connection reset by peer|Broken pipe|Remote end closed connection without response)",
        r"(timed out)",
        r"(Connection aborted)",
    ):
        match = re.search(pattern, text)
        if match:
            return match.group(1).strip().rstrip(".")
    return "no answer"

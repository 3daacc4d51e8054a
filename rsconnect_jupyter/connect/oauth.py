"""Connect's OAuth 2.1 authorization server, as a public client calls it (Connect 2026.02+; the
device grant from 2026.06): discovery (RFC 8414), registration (RFC 7591), the token endpoint,
device authorization (RFC 8628) and revocation (RFC 7009). docs/connect-api.md has the contract.

Plain functions over one requests call each: these endpoints live outside `__api__` and answer
RFC 6749's `{"error", "error_description"}`, not Connect's API errors. Tokens are never logged
and never put in an error message.
"""

from __future__ import annotations

import urllib.parse
from dataclasses import dataclass
from typing import Any

import requests

from ..exceptions import InvalidInput, RSConnectError, ServerUnreachable
from .session import _ca_file

CLIENT_NAME = "rsconnect-jupyter"
DEVICE_GRANT = "urn:ietf:params:oauth:grant-type:device_code"
TIMEOUT = 30.0


@dataclass(frozen=True)
class TLS:
    insecure: bool = False
    ca_cert: str | None = None

    def verify(self) -> bool | str:
        if self.insecure:
            return False
        return _ca_file(self.ca_cert) or True


class OAuthError(RSConnectError):
    """The authorization server's answer `error` (RFC 6749 5.2), e.g. authorization_pending."""

    def __init__(self, error: str, message: str) -> None:
        super().__init__(message)
        self.error = error


class NoOAuth(InvalidInput):
    """The server has no OAuth authorization server (Connect before 2026.02, or it is turned off)."""


def _send(method: str, url: str, tls: TLS, **kwargs: Any) -> requests.Response:
    try:
        return requests.request(method, url, verify=tls.verify(), timeout=TIMEOUT, allow_redirects=False, **kwargs)
    except requests.exceptions.SSLError:
        raise ServerUnreachable(
            "Could not verify the TLS certificate of %s: give its CA with --cacert." % _origin(url)
        ) from None
    except requests.RequestException as e:
        raise ServerUnreachable("Could not reach %s (%s)." % (_origin(url), type(e).__name__)) from None


def _origin(url: str) -> str:
    parts = urllib.parse.urlsplit(url)
    return "%s://%s" % (parts.scheme, parts.netloc)


def _json(response: requests.Response, what: str) -> dict[str, Any]:
    try:
        data = response.json()
    except ValueError:
        data = None
    if not isinstance(data, dict):
        raise RSConnectError("The server's %s answered HTTP %d without JSON." % (what, response.status_code))
    if response.status_code >= 400 or "error" in data:
        error = str(data.get("error") or "server_error")
        description = str(data.get("error_description") or "")
        raise OAuthError(error, "%s: %s" % (error, description) if description else error)
    return data


def discover(server_url: str, tls: TLS) -> dict[str, Any]:
    """The server's RFC 8414 metadata, or NoOAuth."""
    url = urllib.parse.urljoin(server_url.rstrip("/") + "/", "/.well-known/oauth-authorization-server")
    response = _send("GET", url, tls)
    try:
        data = response.json() if response.status_code == 200 else None
    except ValueError:
        data = None
    if not isinstance(data, dict) or not data.get("token_endpoint"):
        raise NoOAuth(
            "%s does not offer sign-in with Connect (OAuth came in Connect 2026.02): use an API key instead."
            % server_url
        )
    return data


def register(metadata: dict[str, Any], tls: TLS, redirect_uris: list[str]) -> str:
    """A client id from dynamic registration (a public client: no secret)."""
    endpoint = metadata.get("registration_endpoint")
    if not endpoint:
        raise NoOAuth("The server does not let programs register for sign-in: use an API key instead.")
    grants = ["authorization_code", "refresh_token"]
    if metadata.get("device_authorization_endpoint"):
        grants.append(DEVICE_GRANT)
    body = {
        "client_name": CLIENT_NAME,
        "redirect_uris": redirect_uris,
        "token_endpoint_auth_method": "none",
        "grant_types": grants,
        "response_types": ["code"],
    }
    data = _json(_send("POST", str(endpoint), tls, json=body), "client registration")
    if not data.get("client_id"):
        raise RSConnectError("The server's client registration gave no client_id.")
    return str(data["client_id"])


def token(metadata: dict[str, Any], tls: TLS, form: dict[str, str]) -> dict[str, Any]:
    """A token endpoint call; raises OAuthError with the server's `error` (authorization_pending...)."""
    data = _json(_send("POST", str(metadata["token_endpoint"]), tls, data=form), "token endpoint")
    if not data.get("access_token"):
        raise RSConnectError("The server's token endpoint gave no access token.")
    return data


def start_device(metadata: dict[str, Any], tls: TLS, client_id: str) -> dict[str, Any]:
    endpoint = metadata.get("device_authorization_endpoint")
    if not endpoint:
        raise NoOAuth("The server does not offer the device code sign-in: sign in without --use-device-code.")
    data = _json(_send("POST", str(endpoint), tls, data={"client_id": client_id}), "device authorization")
    for key in ("device_code", "user_code", "verification_uri"):
        if not data.get(key):
            raise RSConnectError("The server's device authorization gave no %s." % key)
    return data


def revoke(metadata: dict[str, Any], tls: TLS, client_id: str, token_value: str) -> bool:
    """End a token's grant where the server has a revocation endpoint; whether it did."""
    endpoint = metadata.get("revocation_endpoint")
    if not endpoint:
        return False
    response = _send("POST", str(endpoint), tls, data={"token": token_value, "client_id": client_id})
    return response.status_code == 200

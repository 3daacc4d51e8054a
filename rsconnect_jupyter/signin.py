"""Signing in to Connect instead of pasting an API key: `rsconnect login`, `logout`, and the
dialogs' "Sign in with Connect" all follow these rules (connect/oauth.py has the HTTP calls).

- The server must offer OAuth (Connect 2026.02+); else one sentence says to use an API key.
- A client registers once per saved server (its id is kept as `oauth_client_id`, as rsconnect-python
  keeps it) and again if the server forgot it.
- Two flows: the browser one (authorization code with PKCE, answered on a loopback port of this
  machine, RFC 8252, or, from the dialogs, at the Jupyter server's own callback URL, which the
  browser reaches wherever it reaches Jupyter) and the device one (RFC 8628: a code the person
  approves on the server's page, from any browser). The verifier and state stay with the caller.
- The account must be able to publish (as with an API key: `target.verify_server`).
- Tokens are saved by store.py (the keyring when one works) and refreshed on their own (tokens.py,
  which target.py calls for every request's client).
"""

from __future__ import annotations

import base64
import hashlib
import http.server
import secrets
import threading
import time
import urllib.parse
import webbrowser
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Callable

from .connect import oauth
from .exceptions import InvalidInput, RSConnectError
from .servers import ca_cert_text, check_url
from .store import Server, ServerStore
from .tokens import with_tokens

if TYPE_CHECKING:
    from .connect import User

Say = Callable[[str], None]
BROWSER_WAIT = 600.0
LOOPBACK_REDIRECT = "http://127.0.0.1/callback"


@dataclass(frozen=True)
class DeviceCode:
    """What the person needs to approve a device sign-in: show it, then `finish_device`."""

    user_code: str
    verification_uri: str
    verification_uri_complete: str
    expires_at: float
    interval: float
    device_code: str  # the program's half: never shown


@dataclass
class Pending:
    """A sign-in under way: the server, its metadata, and our registered client."""

    name: str
    url: str
    tls: oauth.TLS
    metadata: dict[str, Any]
    client_id: str
    redirect_uris: tuple[str, ...] = (LOOPBACK_REDIRECT,)

    def server(self, tokens: dict[str, Any]) -> Server:
        server = Server(
            name=self.name,
            url=self.url,
            api_key=None,
            insecure=self.tls.insecure,
            ca_cert=self.tls.ca_cert,
            oauth_client_id=self.client_id,
        )
        return with_tokens(server, tokens)


# Clients registered for a Jupyter server's callback, by (Connect URL, callback URL): one
# registration per pair for the life of this process, not one per sign-in.
_CALLBACK_CLIENTS: dict[tuple[str, str], str] = {}


def begin(
    name: str | None, url: str, insecure: bool = False, ca_cert: str | None = None, callback: str | None = None
) -> Pending:
    """Check the URL, find the server's OAuth, and have a client id (the saved one, or a new one).
    With `callback` (the Jupyter server's own redirect URI) the client registers it beside the
    loopback one, so that `rsconnect login` can use the same client later."""
    url = check_url(url)
    tls = oauth.TLS(bool(insecure), ca_cert_text(ca_cert))
    metadata = oauth.discover(url, tls)
    name = (name or "").strip() or (urllib.parse.urlsplit(url).hostname or url)
    if callback:
        uris: tuple[str, ...] = (LOOPBACK_REDIRECT, callback)
        client_id = _CALLBACK_CLIENTS.get((url, callback))
    else:
        uris = (LOOPBACK_REDIRECT,)
        saved = ServerStore().get(name)
        client_id = saved.oauth_client_id if saved and saved.url == url and saved.oauth_client_id else None
    pending = Pending(name, url, tls, metadata, client_id or "", uris)
    if not client_id:
        _register(pending)
    return pending


def _register(pending: Pending) -> None:
    try:
        pending.client_id = oauth.register(pending.metadata, pending.tls, list(pending.redirect_uris))
    except oauth.OAuthError as e:
        if e.error != "invalid_redirect_uri" or len(pending.redirect_uris) < 2:
            raise
        raise InvalidInput(
            "%s does not accept this Jupyter server's address (%s) for sign-in: sign in with a code instead."
            % (pending.url, pending.redirect_uris[-1])
        ) from None
    if len(pending.redirect_uris) > 1:
        _CALLBACK_CLIENTS[(pending.url, pending.redirect_uris[-1])] = pending.client_id


def methods(url: str, insecure: bool = False, ca_cert: str | None = None) -> dict[str, bool]:
    """Which sign-ins the server offers, from its RFC 8414 metadata (NoOAuth when it has none):
    "browser", the authorization code with PKCE (S256), and "device", the device grant."""
    metadata = oauth.discover(check_url(url), oauth.TLS(bool(insecure), ca_cert_text(ca_cert)))
    grants = metadata.get("grant_types_supported") or ["authorization_code"]  # RFC 8414's default
    browser = (
        bool(metadata.get("authorization_endpoint"))
        and bool(metadata.get("registration_endpoint"))
        and "authorization_code" in grants
        and "S256" in (metadata.get("code_challenge_methods_supported") or [])
    )
    device = bool(metadata.get("device_authorization_endpoint")) and bool(metadata.get("registration_endpoint"))
    return {"browser": browser, "device": device}


def _again_if_forgotten(pending: Pending, step: Callable[[], Any]) -> Any:
    """Run a step; if the server no longer knows our client, register again once and retry."""
    try:
        return step()
    except oauth.OAuthError as e:
        if e.error != "invalid_client":
            raise
        _register(pending)
        return step()


# -- the device flow ----------------------------------------------------------------------------
def start_device(pending: Pending) -> DeviceCode:
    data = _again_if_forgotten(pending, lambda: oauth.start_device(pending.metadata, pending.tls, pending.client_id))
    uri = str(data["verification_uri"])
    return DeviceCode(
        user_code=str(data["user_code"]),
        verification_uri=uri,
        verification_uri_complete=str(data.get("verification_uri_complete") or uri),
        expires_at=time.time() + float(data.get("expires_in") or 600),
        interval=float(data.get("interval") or 5),
        device_code=str(data["device_code"]),
    )


def poll_device(pending: Pending, code: DeviceCode) -> dict[str, Any] | None:
    """One poll: the tokens once approved, None while pending (slow_down included). Raises when
    it is denied or expired."""
    form = {"grant_type": oauth.DEVICE_GRANT, "device_code": code.device_code, "client_id": pending.client_id}
    try:
        return oauth.token(pending.metadata, pending.tls, form)
    except oauth.OAuthError as e:
        if e.error in ("authorization_pending", "slow_down"):
            return None
        if e.error == "access_denied":
            raise InvalidInput("The sign-in was denied on the server's page: run the sign-in again.") from None
        if e.error in ("expired_token", "invalid_grant"):
            raise InvalidInput("The code expired before it was approved: run the sign-in again.") from None
        raise


def wait_for_device(pending: Pending, code: DeviceCode) -> dict[str, Any]:
    interval = code.interval
    while time.time() < code.expires_at:
        time.sleep(interval)
        try:
            tokens = poll_device(pending, code)
        except oauth.OAuthError as e:
            raise RSConnectError("The server refused the sign-in (%s)." % e.error) from None
        if tokens is not None:
            return tokens
    raise InvalidInput("The code expired before it was approved: run the sign-in again.")


# -- the browser flow (authorization code with PKCE, loopback redirect) --------------------------
def _pkce() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(64)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode("ascii")).digest()).rstrip(b"=").decode("ascii")
    return verifier, challenge


class _Callback(http.server.BaseHTTPRequestHandler):
    answer: dict[str, str] | None = None
    arrived: threading.Event

    def do_GET(self) -> None:  # noqa: N802 (http.server's name)
        query = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(self.path).query))
        if urllib.parse.urlsplit(self.path).path != "/callback" or not ("code" in query or "error" in query):
            self.send_error(404)
            return
        type(self).answer = query
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.end_headers()
        done = "Signed in" if "code" in query else "Not signed in"
        self.wfile.write(
            ("<!doctype html><title>%s</title><h1>%s</h1><p>You may close this tab.</p>" % (done, done)).encode()
        )
        self.arrived.set()

    def log_message(self, format: str, *args: Any) -> None:
        pass  # the query holds the code: never logged


@dataclass(frozen=True)
class BrowserSignIn:
    """An authorization request under way. Only `url` goes to the browser: the verifier and the
    state stay with whoever receives the answer (this process)."""

    url: str
    redirect_uri: str
    state: str
    verifier: str


def start_browser(pending: Pending, redirect_uri: str) -> BrowserSignIn:
    verifier, challenge = _pkce()
    state = secrets.token_urlsafe(24)
    query = {
        "response_type": "code",
        "client_id": pending.client_id,
        "redirect_uri": redirect_uri,
        "code_challenge": challenge,
        "code_challenge_method": "S256",
        "state": state,
    }
    url = str(pending.metadata["authorization_endpoint"]) + "?" + urllib.parse.urlencode(query)
    return BrowserSignIn(url, redirect_uri, state, verifier)


def finish_browser(pending: Pending, started: BrowserSignIn, answer: dict[str, str]) -> dict[str, Any]:
    """The tokens for the answer the redirect URI received (its query), checked against our state."""
    if not secrets.compare_digest(answer.get("state", "").encode(), started.state.encode()):
        raise InvalidInput("The sign-in answer did not match this sign-in: run it again.")
    if "code" not in answer:
        if answer.get("error") == "access_denied":
            raise InvalidInput("The sign-in was denied on the server's page: run the sign-in again.")
        raise InvalidInput("The sign-in was denied (%s): run it again to retry." % answer.get("error", "no code"))
    form = {
        "grant_type": "authorization_code",
        "code": answer["code"],
        "code_verifier": started.verifier,
        "redirect_uri": started.redirect_uri,
        "client_id": pending.client_id,
    }
    return oauth.token(pending.metadata, pending.tls, form)


def browser_login(pending: Pending, say: Say, open_browser: Callable[[str], bool] = webbrowser.open) -> dict[str, Any]:
    class handler(_Callback):  # noqa: N801 (a class per sign-in: its answer is its own)
        answer: dict[str, str] | None = None
        arrived = threading.Event()

    loopback = http.server.HTTPServer(("127.0.0.1", 0), handler)
    started = start_browser(pending, "http://127.0.0.1:%d/callback" % loopback.server_address[1])
    thread = threading.Thread(target=loopback.serve_forever, daemon=True)
    thread.start()
    try:
        if open_browser(started.url):
            say("Opened your browser to sign in. Waiting for you to approve there...")
        else:
            say("Open this URL in a browser on this machine to sign in:\n\n  %s\n" % started.url)
        if not handler.arrived.wait(BROWSER_WAIT):
            raise InvalidInput("Nobody signed in within %d minutes: run the sign-in again." % (BROWSER_WAIT // 60))
    finally:
        loopback.shutdown()
        loopback.server_close()
    return finish_browser(pending, started, handler.answer or {})


# -- saving, using and ending a sign-in ------------------------------------------------------------
def save(pending: Pending, tokens: dict[str, Any], default: bool | None = None) -> tuple[Server, User]:
    """Check that the account may publish, then save the server with its tokens."""
    from .target import verify_server

    server = pending.server(tokens)
    user = verify_server(server)
    store = ServerStore()
    first = not store.list()
    store.add(server, default=default if default is not None else (True if first else None))
    return server, user


def logout(name: str) -> Server:
    """End a saved sign-in: the server revokes it where it can, and the tokens are forgotten here.
    The entry stays (its client id lets `rsconnect login` sign in again), as rsconnect-python does."""
    store = ServerStore()
    saved = store.get(name)
    if saved is None:
        raise InvalidInput('No saved server is called "%s": "rsconnect list" shows the saved servers.' % name)
    if not saved.oauth_client_id:
        raise InvalidInput(
            '"%s" uses an API key, not a sign-in: "rsconnect remove -n %s" forgets it.' % (saved.name, saved.name)
        )
    token = saved.refresh_token or saved.access_token
    if token:
        tls = oauth.TLS(saved.insecure, saved.ca_cert)
        try:
            oauth.revoke(oauth.discover(saved.url, tls), tls, saved.oauth_client_id, token)
        except RSConnectError:
            pass  # the server is away or older: forgetting the tokens here still signs this machine out
    store.forget_tokens(saved)
    return saved

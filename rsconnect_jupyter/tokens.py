"""A signed-in server's access token, refreshed on its own (signin.py signs in; target.client_for
asks here before each client it makes).

A refresh token is good once (the server rotates it), so a refresh happens under servers.json's
lock and reads the saved entry again first: another process may have refreshed meanwhile.
"""

from __future__ import annotations

import time
from typing import Any

from .connect import oauth
from .exceptions import InvalidInput
from .store import Server, ServerStore

REFRESH_MARGIN = 60.0  # refresh a token this many seconds before it expires


class SignInEnded(InvalidInput):
    """The saved sign-in no longer works (signed out on the server, a new password, expired)."""


def with_tokens(server: Server, tokens: dict[str, Any]) -> Server:
    """`server` with the tokens of a token endpoint's answer (a refresh may keep the old refresh token)."""
    expires_in = tokens.get("expires_in")
    server.access_token = str(tokens["access_token"])
    server.refresh_token = str(tokens.get("refresh_token") or "") or server.refresh_token
    server.token_expiry = time.time() + float(expires_in) if isinstance(expires_in, (int, float)) else None
    return server


def fresh(server: Server) -> bool:
    return bool(server.access_token and server.token_expiry and server.token_expiry > time.time() + REFRESH_MARGIN)


def access_token(server: Server) -> str:
    """The server's access token, refreshed first when it expires within a minute (or its expiry is
    unknown: rsconnect-python keeps none with the keyring)."""
    if fresh(server):
        return server.access_token or ""
    return refresh(server).access_token or ""


def refresh(server: Server) -> Server:
    """New tokens for a saved server, saved; raises SignInEnded when the server refuses them."""
    store = ServerStore()
    with store.locked():
        saved = store.get(server.name) or server
        if fresh(saved):
            server.access_token, server.token_expiry = saved.access_token, saved.token_expiry
            return server
        if not saved.refresh_token or not saved.oauth_client_id:
            raise SignInEnded('The sign-in to "%s" has ended: run "rsconnect login" again.' % server.name)
        tls = oauth.TLS(server.insecure, server.ca_cert)
        form = {"grant_type": "refresh_token", "refresh_token": saved.refresh_token, "client_id": saved.oauth_client_id}
        try:
            answer = oauth.token(oauth.discover(server.url, tls), tls, form)
        except oauth.OAuthError as e:
            if e.error in ("invalid_grant", "invalid_client"):
                store.forget_tokens(saved)
                raise SignInEnded(
                    'The sign-in to "%s" has ended (signed out on the server, a new password, or expired): '
                    'run "rsconnect login %s -n %s" again.' % (server.name, server.url, server.name)
                ) from None
            raise
        renewed = with_tokens(saved, answer)
        store.add(renewed, default=saved.default)
    server.access_token, server.refresh_token, server.token_expiry = (
        renewed.access_token,
        renewed.refresh_token,
        renewed.token_expiry,
    )
    server.secrets_in = renewed.secrets_in
    return server

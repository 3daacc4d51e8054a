"""The local server's OAuth 2.1 authorization server, as Connect 2026.02+ has it: the rules.

RFC 8414 discovery, RFC 7591 registration of public clients, the authorization code with PKCE
(S256 only), refresh tokens that rotate, and the RFC 8628 device grant. The handlers
(handlers/oauth.py for programs, handlers/oauth_pages.py for people) read requests and call this.

Every code and token is random, stored as a sha256 hash, and expires; a refresh token is good once,
and presenting a used one again ends its grant (someone has a stolen copy). A grant carries a stamp
of its user's password: a new password, a locked or a removed user ends its tokens.
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import time
import urllib.parse
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .db import Database
    from .rows import OAuthClientRow, UserRow

ACCESS_SECONDS = 3600
REFRESH_SECONDS = 30 * 86400
CODE_SECONDS = 120
DEVICE_SECONDS = 600
DEVICE_INTERVAL = 2
DEVICE_GRANT = "urn:ietf:params:oauth:grant-type:device_code"
GRANT_TYPES = ("authorization_code", "refresh_token", DEVICE_GRANT)
# User codes: consonants only (no words, no 0/O or 1/I), shown as ABCD-EFGH.
USER_CODE_LETTERS = "BCDFGHJKLMNPQRSTVWXZ"
MAX_CLIENT_NAME = 100
MAX_REDIRECT_URIS = 10


class OAuthError(Exception):
    """An OAuth error answer: RFC 6749's `error` code, a sentence, and the HTTP status."""

    def __init__(self, error: str, description: str, status: int = 400) -> None:
        super().__init__(description)
        self.error = error
        self.description = description
        self.status = status

    def body(self) -> dict[str, str]:
        return {"error": self.error, "error_description": self.description}


def _hash(value: str) -> str:
    return hashlib.sha256(value.encode("utf-8")).hexdigest()


def password_stamp(db: Database, user_guid: str) -> str:
    """A short digest of the user's current password hash: it changes when the password does."""
    return _hash(db.password_hash(user_guid) or "")[:16]


def metadata(base: str) -> dict[str, Any]:
    """RFC 8414 metadata; `base` is the server's URL with a trailing slash."""
    return {
        "issuer": base.rstrip("/"),
        "authorization_endpoint": base + "__oauth__/authorize",
        "token_endpoint": base + "__oauth__/token",
        "registration_endpoint": base + "__oauth__/register",
        "device_authorization_endpoint": base + "__oauth__/device_authorization",
        "revocation_endpoint": base + "__oauth__/revoke",
        "response_types_supported": ["code"],
        "grant_types_supported": list(GRANT_TYPES),
        "code_challenge_methods_supported": ["S256"],
        "token_endpoint_auth_methods_supported": ["none"],
        "revocation_endpoint_auth_methods_supported": ["none"],
    }


# -- registration (RFC 7591) -------------------------------------------------------------------
def _redirect_ok(uri: str) -> bool:
    """https anywhere, or http to this machine's loopback (RFC 8252); no fragment."""
    parts = urllib.parse.urlsplit(uri)
    if parts.fragment or not parts.netloc or parts.username or parts.password:
        return False
    return parts.scheme == "https" or (parts.scheme == "http" and parts.hostname in ("127.0.0.1", "localhost", "::1"))


def register(db: Database, body: dict[str, Any]) -> dict[str, Any]:
    """Register a public client; its answer as RFC 7591 gives it."""
    name = body.get("client_name", "")
    if not isinstance(name, str) or not name.strip() or len(name) > MAX_CLIENT_NAME:
        raise OAuthError(
            "invalid_client_metadata", "client_name must be a name of 1 to %d characters." % MAX_CLIENT_NAME
        )
    uris = body.get("redirect_uris", [])
    if not isinstance(uris, list) or len(uris) > MAX_REDIRECT_URIS or not all(isinstance(u, str) for u in uris):
        raise OAuthError("invalid_redirect_uri", "redirect_uris must be a list of up to %d URLs." % MAX_REDIRECT_URIS)
    if not all(_redirect_ok(u) for u in uris):
        raise OAuthError(
            "invalid_redirect_uri",
            "Each redirect URI must be https, or http to 127.0.0.1 or localhost, without a fragment.",
        )
    grants = body.get("grant_types", ["authorization_code"])
    if not isinstance(grants, list) or not grants or not all(g in GRANT_TYPES for g in grants):
        raise OAuthError("invalid_client_metadata", "grant_types may hold only %s." % ", ".join(GRANT_TYPES))
    if body.get("token_endpoint_auth_method", "none") != "none":
        raise OAuthError(
            "invalid_client_metadata", "Only public clients are supported: token_endpoint_auth_method none."
        )
    if "authorization_code" in grants and not uris:
        raise OAuthError("invalid_redirect_uri", "The authorization_code grant needs at least one redirect URI.")
    client_id = secrets.token_urlsafe(16)
    db.add_oauth_client(client_id, name.strip(), json.dumps(uris), json.dumps(grants))
    return {
        "client_id": client_id,
        "client_id_issued_at": int(time.time()),
        "client_name": name.strip(),
        "redirect_uris": uris,
        "grant_types": grants,
        "response_types": ["code"],
        "token_endpoint_auth_method": "none",
    }


def client(db: Database, client_id: str) -> OAuthClientRow:
    found = db.oauth_client(client_id) if client_id else None
    if found is None:
        raise OAuthError("invalid_client", "This client is not registered: register it again.", 401)
    return found


def _allows(found: OAuthClientRow, grant: str) -> bool:
    return grant in json.loads(found["grant_types"]) or (
        grant == "refresh_token" and "authorization_code" in json.loads(found["grant_types"])
    )


def redirect_matches(registered: str, given: str) -> bool:
    """The given redirect URI is a registered one; for a loopback one, on any port (RFC 8252 7.3)."""
    if registered == given:
        return True
    a, b = urllib.parse.urlsplit(registered), urllib.parse.urlsplit(given)
    loopback = a.scheme == "http" and a.hostname in ("127.0.0.1", "localhost", "::1")
    return loopback and (a.scheme, a.hostname, a.path, a.query) == (b.scheme, b.hostname, b.path, b.query)


# -- the authorization code with PKCE ------------------------------------------------------------
class AuthorizeRequest:
    """An authorization request that passed the checks: who asks, where the answer goes."""

    def __init__(self, found: OAuthClientRow, redirect_uri: str, challenge: str, state: str) -> None:
        self.client = found
        self.redirect_uri = redirect_uri
        self.challenge = challenge
        self.state = state

    def answer(self, **params: str) -> str:
        """The redirect URI with `params` and the client's state added."""
        if self.state:
            params["state"] = self.state
        sep = "&" if urllib.parse.urlsplit(self.redirect_uri).query else "?"
        return self.redirect_uri + sep + urllib.parse.urlencode(params)


class RedirectableError(OAuthError):
    """An error the client hears about at its redirect URI (the client and redirect were good)."""

    def __init__(self, request: AuthorizeRequest, error: str, description: str) -> None:
        super().__init__(error, description)
        self.location = request.answer(error=error, error_description=description)


def check_authorize(db: Database, args: dict[str, str]) -> AuthorizeRequest:
    """Check an authorization request. A bad client or redirect URI raises OAuthError (shown to the
    person, never sent to an unchecked URI); other faults raise RedirectableError."""
    found = client(db, args.get("client_id", ""))
    redirect_uri = args.get("redirect_uri", "")
    registered = json.loads(found["redirect_uris"])
    if not redirect_uri or not any(redirect_matches(r, redirect_uri) for r in registered):
        raise OAuthError("invalid_request", "The redirect URI is not one this client registered.")
    request = AuthorizeRequest(found, redirect_uri, args.get("code_challenge", ""), args.get("state", ""))
    if args.get("response_type") != "code":
        raise RedirectableError(request, "unsupported_response_type", "Only response_type=code is supported.")
    if not _allows(found, "authorization_code"):
        raise RedirectableError(
            request, "unauthorized_client", "This client did not register the authorization_code grant."
        )
    if args.get("code_challenge_method") != "S256" or not 43 <= len(request.challenge) <= 128:
        raise RedirectableError(request, "invalid_request", "PKCE is required: send a code_challenge with method S256.")
    return request


def issue_code(db: Database, request: AuthorizeRequest, user: UserRow) -> str:
    code = secrets.token_urlsafe(32)
    db.add_oauth_code(
        _hash(code),
        request.client["client_id"],
        user["guid"],
        request.redirect_uri,
        request.challenge,
        password_stamp(db, user["guid"]),
        time.time() + CODE_SECONDS,
    )
    return code


def _s256(verifier: str) -> str:
    return base64.urlsafe_b64encode(hashlib.sha256(verifier.encode("ascii")).digest()).rstrip(b"=").decode("ascii")


# -- tokens ------------------------------------------------------------------------------------
def _issue_tokens(db: Database, grant_id: int) -> dict[str, Any]:
    access, refresh = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    at = time.time()
    db.add_oauth_tokens(
        grant_id, [(_hash(access), "access", at + ACCESS_SECONDS), (_hash(refresh), "refresh", at + REFRESH_SECONDS)]
    )
    return {"access_token": access, "token_type": "Bearer", "expires_in": ACCESS_SECONDS, "refresh_token": refresh}


def _grant_for(db: Database, client_id: str, user_guid: str, stamp: str) -> int:
    user = db.user(user_guid)
    if user is None or user["locked"] or stamp != password_stamp(db, user_guid):
        raise OAuthError("invalid_grant", "The person who approved this sign-in can no longer sign in.")
    return db.add_oauth_grant(client_id, user_guid, stamp)


def token(db: Database, form: dict[str, str]) -> dict[str, Any]:
    """The token endpoint: one of the three grants."""
    grant_type = form.get("grant_type", "")
    if grant_type not in GRANT_TYPES:
        raise OAuthError("unsupported_grant_type", "grant_type must be one of %s." % ", ".join(GRANT_TYPES))
    found = client(db, form.get("client_id", ""))
    if not _allows(found, grant_type):
        raise OAuthError("unauthorized_client", "This client did not register the %s grant." % grant_type)
    if grant_type == "authorization_code":
        return _exchange_code(db, found, form)
    if grant_type == "refresh_token":
        return _refresh(db, found, form.get("refresh_token", ""))
    return _poll_device(db, found, form.get("device_code", ""))


def _exchange_code(db: Database, found: OAuthClientRow, form: dict[str, str]) -> dict[str, Any]:
    row = db.take_oauth_code(_hash(form.get("code", "")))
    invalid = OAuthError("invalid_grant", "The authorization code is not valid, was used, or expired: sign in again.")
    if row is None or row["client_id"] != found["client_id"] or float(row["expires"]) <= time.time():
        raise invalid
    if form.get("redirect_uri", "") != row["redirect_uri"]:
        raise OAuthError("invalid_grant", "redirect_uri must be the one the authorization request used.")
    if _s256(form.get("code_verifier", "")) != row["code_challenge"]:
        raise OAuthError("invalid_grant", "The code_verifier does not match the code_challenge.")
    return _issue_tokens(db, _grant_for(db, found["client_id"], str(row["user_guid"]), str(row["password_stamp"])))


def _refresh(db: Database, found: OAuthClientRow, refresh_token: str) -> dict[str, Any]:
    token_hash = _hash(refresh_token)
    held = db.oauth_token(token_hash, "refresh", time.time())
    invalid = OAuthError("invalid_grant", "The refresh token is not valid, was revoked, or expired: sign in again.")
    if held is None:
        raise invalid
    grant, user, _ = held
    if grant["client_id"] != found["client_id"]:
        raise invalid
    if not db.use_refresh_token(token_hash):
        db.delete_oauth_grant(grant["id"])  # a used refresh token again: a copy is out there
        raise invalid
    if user["locked"] or grant["password_stamp"] != password_stamp(db, user["guid"]):
        db.delete_oauth_grant(grant["id"])
        raise invalid
    return _issue_tokens(db, grant["id"])


# -- the device grant (RFC 8628) ---------------------------------------------------------------
def normal_user_code(text: str) -> str:
    """A user code as typed (any case, with or without the dash or spaces) in its stored form."""
    letters = "".join(c for c in text.upper() if c.isalpha())
    return letters[:4] + "-" + letters[4:] if len(letters) == 8 else letters


def start_device(db: Database, client_id: str, base: str) -> dict[str, Any]:
    found = client(db, client_id)
    if not _allows(found, DEVICE_GRANT):
        raise OAuthError("unauthorized_client", "This client did not register the device_code grant.")
    device_code = secrets.token_urlsafe(32)
    user_code = "".join(secrets.choice(USER_CODE_LETTERS) for _ in range(8))
    user_code = user_code[:4] + "-" + user_code[4:]
    db.add_oauth_device(_hash(device_code), user_code, client_id, time.time() + DEVICE_SECONDS, DEVICE_INTERVAL)
    verification_uri = base + "__oauth__/device"
    return {
        "device_code": device_code,
        "user_code": user_code,
        "verification_uri": verification_uri,
        "verification_uri_complete": verification_uri + "?" + urllib.parse.urlencode({"user_code": user_code}),
        "expires_in": DEVICE_SECONDS,
        "interval": DEVICE_INTERVAL,
    }


def device_request(db: Database, user_code: str) -> tuple[str, str] | None:
    """(the user code, the client's name) of a pending, unexpired device request, or None."""
    row = db.oauth_device_by_user_code(normal_user_code(user_code))
    if row is None or row["status"] != "pending" or row["expires"] <= time.time():
        return None
    found = db.oauth_client(row["client_id"])
    return row["user_code"], found["client_name"] if found else ""


def decide_device(db: Database, user_code: str, user: UserRow, approve: bool) -> bool:
    """Approve or deny a pending device request; False when there is none (expired, decided)."""
    pending = device_request(db, user_code)
    if pending is None:
        return False
    status = "approved" if approve else "denied"
    return db.decide_oauth_device(pending[0], status, user["guid"], password_stamp(db, user["guid"]))


def _poll_device(db: Database, found: OAuthClientRow, device_code: str) -> dict[str, Any]:
    device_hash = _hash(device_code)
    row = db.oauth_device(device_hash)
    if row is None or row["client_id"] != found["client_id"]:
        raise OAuthError("invalid_grant", "The device code is not valid: start the sign-in again.")
    at = time.time()
    if row["expires"] <= at:
        db.delete_oauth_device(device_hash)
        raise OAuthError("expired_token", "The device code expired: start the sign-in again.")
    if row["status"] == "denied":
        db.delete_oauth_device(device_hash)
        raise OAuthError("access_denied", "The sign-in was denied.")
    if row["status"] == "pending":
        db.polled_oauth_device(device_hash, at)
        if at - row["last_poll"] < row["interval"] - 0.5:  # half a second of slack for timers
            raise OAuthError("slow_down", "Polling too often: wait %d seconds more between requests." % 5)
        raise OAuthError("authorization_pending", "Waiting for the person to approve the sign-in.")
    db.delete_oauth_device(device_hash)  # approved: the code gives tokens once
    return _issue_tokens(db, _grant_for(db, found["client_id"], str(row["user_guid"]), row["password_stamp"]))


# -- using and ending tokens -------------------------------------------------------------------
def user_for_bearer(db: Database, access_token: str) -> UserRow | None:
    """The user of an unexpired access token whose grant still holds, or None."""
    held = db.oauth_token(_hash(access_token), "access", time.time())
    if held is None:
        return None
    grant, user, _ = held
    if user["locked"] or grant["password_stamp"] != password_stamp(db, user["guid"]):
        return None
    return user


def revoke(db: Database, token_value: str) -> None:
    """RFC 7009: end the grant of an access or refresh token (an unknown token is no error)."""
    grant_id = db.oauth_token_grant(_hash(token_value))
    if grant_id is not None:
        db.delete_oauth_grant(grant_id)


def signed_in_clients(db: Database, user: UserRow) -> list[dict[str, str | int]]:
    return db.oauth_grants_of(user["guid"], password_stamp(db, user["guid"]))

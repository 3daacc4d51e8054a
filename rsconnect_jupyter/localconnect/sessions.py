"""Browser sessions: the server's secret, sign-in, session ids and CSRF tokens.

A session id is random; the cookie holds it signed with the server's secret (tornado's signed
cookies), and the database holds only its sha256 with an expiry. So a cookie of another server,
a forged or an altered one fails the signature, an expired or signed-out one is not in the
database, and every sign-in gets a new id (a cookie planted before sign-in is never promoted).
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
import time
from typing import TYPE_CHECKING

from . import passwords

if TYPE_CHECKING:
    from .db import Database
    from .rows import UserRow

SESSION_HOURS = 8.0


def load_secret(path: str) -> bytes:
    """The server's secret, created on first start (0600). A new secret signs everyone out."""
    try:
        with open(path, "rb") as f:
            secret = f.read().strip()
        if len(secret) >= 32:
            return secret
    except FileNotFoundError:
        pass
    secret = secrets.token_urlsafe(48).encode("ascii")
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(secret + b"\n")
    os.chmod(path, 0o600)
    return secret


def cookie_name(port: int, https: bool = False, kind: str = "session") -> str:
    """Browsers share cookies between ports of one host: each server's cookies have names of their
    own. Over HTTPS they take the `__Host-` prefix: the browser then keeps them to this host and the
    path `/`, so a published page's script cannot add a copy for another path or a parent domain."""
    name = "rsconnect_local_%s_%d" % (kind, port)
    return "__Host-" + name if https else name


def _id_hash(session_id: str) -> str:
    return hashlib.sha256(session_id.encode("utf-8")).hexdigest()


class Sessions:
    def __init__(self, db: Database, secret: bytes, hours: float = SESSION_HOURS) -> None:
        self.db = db
        self.secret = secret
        self.seconds = hours * 3600

    def sign_in(self, username: str, password: str) -> tuple[UserRow, str] | None:
        """(user, new session id) when the name and password match an unlocked user, else None."""
        user = self.db.user_by_name(username)
        stored = self.db.password_hash(user["guid"]) if user else None
        if not passwords.verify(password, stored) or user is None or user["locked"]:
            return None
        session_id = secrets.token_urlsafe(32)
        self.db.add_session(_id_hash(session_id), user["guid"], time.time() + self.seconds)
        return user, session_id

    def user(self, session_id: str) -> UserRow | None:
        user = self.db.session_user(_id_hash(session_id), time.time())
        return None if user is None or user["locked"] else user

    def sign_out(self, session_id: str) -> None:
        self.db.delete_session(_id_hash(session_id))

    def csrf_token(self, session_id: str) -> str:
        """The token a page's forms carry: bound to the session, so it is useless with another."""
        return hmac.new(self.secret, b"csrf:" + session_id.encode("utf-8"), hashlib.sha256).hexdigest()

    def csrf_ok(self, session_id: str, token: str) -> bool:
        return hmac.compare_digest(self.csrf_token(session_id), token)

    def signin_token(self, browser_id: str) -> str:
        """The sign-in form's token: bound to the browser's own HttpOnly cookie (set before any
        published page of this server runs a script), so a form a published page sends lacks it."""
        return hmac.new(self.secret, b"signin:" + browser_id.encode("utf-8"), hashlib.sha256).hexdigest()

    def signin_token_ok(self, browser_id: str, token: str) -> bool:
        return hmac.compare_digest(self.signin_token(browser_id), token)


def set_password(db: Database, username: str, password: str) -> UserRow:
    """Set (or change) a user's password; raises PasswordError or LookupError with what to do."""
    user = db.user_by_name(username)
    if user is None:
        raise LookupError("There is no user named %r: create one with `rsconnect local-server add-user`." % username)
    passwords.check_new(password)
    db.set_password_hash(user["guid"], passwords.hash_password(password))
    return user

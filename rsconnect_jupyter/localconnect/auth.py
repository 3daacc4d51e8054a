"""API keys and who may do what.

Keys are random, shown once, and stored only as sha256 hashes. Roles follow Connect:
administrators see and change everything; the owner and collaborators (permission role "owner",
shown as app_role "editor") may change and deploy content; viewers may not publish.
"""

from __future__ import annotations

import hashlib
import secrets
import uuid
from typing import TYPE_CHECKING, Literal, cast

from . import errors, oauth

if TYPE_CHECKING:
    from .db import Database
    from .rows import ContentRow, UserRow

ROLES = ("administrator", "publisher", "viewer")

# Connect's app_role of a user on a content item.
AppRole = Literal["owner", "editor", "viewer", "none"]


def new_key() -> str:
    return secrets.token_urlsafe(24)


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def create_user(db: Database, username: str, role: str) -> tuple[UserRow, str]:
    """Create a user with one API key; return (user, key)."""
    if role not in ROLES:
        raise ValueError("role must be one of %s" % ", ".join(ROLES))
    if db.user_by_name(username):
        raise ValueError("a user named %r already exists" % username)
    guid = str(uuid.uuid4())
    db.add_user(guid, username, role)
    key = new_key()
    db.add_key(guid, hash_key(key))
    return cast("UserRow", db.user(guid)), key  # just added


def user_for_header(db: Database, header: str | None) -> UserRow:
    """The user of an `Authorization: Key <key>` (or `Bearer <OAuth access token>`) header, or a
    ConnectError (401)."""
    if not header:
        raise errors.ConnectError(
            401, errors.AUTH_REQUIRED, "You must be authenticated to perform this operation: send an API key."
        )
    scheme, _, key = header.partition(" ")
    if scheme.lower() == "bearer" and key.strip():  # an OAuth access token (localconnect/oauth.py)
        bearer = oauth.user_for_bearer(db, key.strip())
        if bearer is None:
            raise errors.ConnectError(401, errors.INVALID_KEY, "The access token is invalid or expired: sign in again.")
        return bearer
    if scheme.lower() != "key" or not key.strip():
        raise errors.ConnectError(401, errors.INVALID_KEY, "The API key is invalid or expired.")
    user = db.user_by_key_hash(hash_key(key.strip()))
    if user is None:
        raise errors.ConnectError(401, errors.INVALID_KEY, "The API key is invalid or expired.")
    if user["locked"]:
        raise errors.ConnectError(401, errors.INVALID_KEY, "This user is locked.")
    return user


def app_role(db: Database, user: UserRow, content: ContentRow) -> AppRole:
    """Connect's app_role of a user on a content item: owner, editor, viewer or none."""
    if content["owner_guid"] == user["guid"]:
        return "owner"
    role = db.permission_role(content["guid"], user["guid"])
    if role == "owner":
        return "editor"
    if role == "viewer":
        return "viewer"
    return "viewer" if user["user_role"] == "administrator" else "none"


def can_see(db: Database, user: UserRow, content: ContentRow) -> bool:
    return user["user_role"] == "administrator" or app_role(db, user, content) != "none"


def can_change(db: Database, user: UserRow, content: ContentRow) -> bool:
    """Change settings, upload bundles, deploy, set environment variables."""
    if user["user_role"] == "administrator":
        return True
    if user["user_role"] == "viewer":
        return False
    return app_role(db, user, content) in ("owner", "editor")


def require_publisher(user: UserRow) -> None:
    if user["user_role"] not in ("administrator", "publisher"):
        raise errors.ConnectError(
            403, errors.PERMISSION, "You don't have permission to publish: your role is %s." % user["user_role"]
        )

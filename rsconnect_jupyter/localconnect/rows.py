"""The shapes of the rows `db.py` returns (one TypedDict per table, columns as db_schema.py's SCHEMA declares them).

SQLite gives INTEGER columns as int and TEXT columns as str; a column without NOT NULL may be None.
"""

from __future__ import annotations

from typing import TypedDict


class UserRow(TypedDict):
    id: int
    guid: str
    username: str
    user_role: str  # "administrator", "publisher" or "viewer"
    created_time: str
    locked: int  # 0 or 1


class ContentRow(TypedDict):
    id: int
    guid: str
    name: str
    title: str | None
    description: str
    access_type: str
    owner_guid: str
    app_mode: str
    bundle_id: str | None  # the live bundle, as text
    py_version: str | None
    created_time: str
    last_deployed_time: str


class PermissionRow(TypedDict):
    id: int
    content_guid: str
    principal_guid: str
    role: str  # "owner" (a collaborator) or "viewer"


class BundleRow(TypedDict):
    id: int
    content_guid: str
    created_time: str
    created_by: str | None
    size: int
    archive_md5: str
    archive_sha1: str
    app_mode: str | None
    py_version: str | None
    primary_file: str | None


class TaskRow(TypedDict):
    id: str
    content_guid: str
    bundle_id: str | None
    user_guid: str | None
    output: list[str]  # decoded from the column's JSON text
    finished: int  # 0 or 1
    code: int
    error: str
    created_time: str


class UnfinishedTaskRow(TypedDict):
    id: str
    output: str  # the column's JSON text, as stored


class VanityRow(TypedDict):
    content_guid: str
    path: str  # "/q4/"
    created_time: str


class TagRow(TypedDict):
    id: int
    name: str
    parent_id: int | None
    created_time: str
    updated_time: str


class OAuthClientRow(TypedDict):
    client_id: str
    client_name: str
    redirect_uris: str  # JSON list
    grant_types: str  # JSON list
    created_time: str


class OAuthDeviceRow(TypedDict):
    device_hash: str
    user_code: str
    client_id: str
    expires: float
    interval: float
    last_poll: float
    status: str  # "pending", "approved" or "denied"
    user_guid: str | None
    password_stamp: str


class OAuthGrantRow(TypedDict):
    id: int
    client_id: str
    user_guid: str
    password_stamp: str
    created_time: str
    last_used_time: str


class VisitRow(TypedDict):
    id: int
    content_guid: str
    user_guid: str | None
    bundle_id: str | None
    variant_key: str | None
    rendering_id: str | None
    path: str
    query: str | None
    user_agent: str | None
    time: str  # UTC, RFC 3339 with microseconds
    data_version: int


class ShinySessionRow(TypedDict):
    id: int
    content_guid: str
    user_guid: str | None
    started: str  # UTC, RFC 3339 with microseconds
    ended: str | None
    data_version: int

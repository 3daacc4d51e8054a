"""The shapes of Connect's JSON, as docs/connect-api.md and tests/fixtures/connect-api/ show it.

total=False: older servers leave fields out, and the local server returns the ones this client reads.
"""

from __future__ import annotations

from typing import NamedTuple, TypedDict


class ContentItem(TypedDict, total=False):
    """`v1/content/{guid}`: a content item (many more fields exist; these are the ones read here)."""

    guid: str
    id: str  # numeric, as a string
    name: str
    title: str | None
    description: str
    access_type: str  # "all", "logged_in" or "acl"
    app_mode: str  # "unknown" until the first deploy
    app_role: str  # this user's role on the item: "owner", "editor", "viewer" or "none"
    owner_guid: str
    bundle_id: str | None  # None until deployed
    content_url: str
    dashboard_url: str
    created_time: str
    last_deployed_time: str
    py_version: str | None
    locked: bool  # a locked item refuses deploys; locked_message says why
    locked_message: str
    owner: ContentOwner  # with include=owner
    tags: list[Tag]  # with include=tags


class ContentOwner(TypedDict, total=False):
    guid: str
    username: str
    first_name: str
    last_name: str


class Tag(TypedDict, total=False):
    id: str
    name: str
    parent_id: str | None


class Lockfile(NamedTuple):
    """`GET v1/content/{guid}/lockfile`: the text, and the Python version it was made with."""

    text: str
    python: str | None


class User(TypedDict, total=False):
    """`v1/user`: the user that owns the API key."""

    guid: str
    username: str
    email: str
    first_name: str
    last_name: str
    user_role: str  # "administrator", "publisher" or "viewer"
    confirmed: bool
    locked: bool
    created_time: str
    updated_time: str
    active_time: str | None


class PythonInstallation(TypedDict, total=False):
    version: str
    cluster_name: str
    image_name: str


class PythonSettings(TypedDict, total=False):
    """`v1/server_settings/python`."""

    installations: list[PythonInstallation]
    api_enabled: bool


class BundleMetadata(TypedDict, total=False):
    source: str | None
    source_repo: str | None
    source_branch: str | None
    source_commit: str | None
    archive_md5: str
    archive_sha1: str


class BundleItem(TypedDict, total=False):
    """`v1/content/{guid}/bundles/{id}`: an uploaded bundle (a version of the content's source)."""

    id: str
    content_guid: str
    created_time: str
    active: bool  # the live one
    size: int
    py_version: str | None
    metadata: BundleMetadata


class DeployStarted(TypedDict):
    """The answer of `POST v1/content/{guid}/deploy`."""

    task_id: str


class Task(TypedDict, total=False):
    """`v1/tasks/{id}`: pass `last` as the next `first`; `finished` with a non-zero `code` failed."""

    id: str
    output: list[str]
    finished: bool
    code: int
    error: str
    last: int
    result: object


class EnvironmentVariable(TypedDict):
    """One entry of the body of `PATCH|PUT v1/content/{guid}/environment` (None deletes it)."""

    name: str
    value: str | None

"""Connect's JSON shapes for the rows of `db.py` (the keys of tests/fixtures/connect-api/)."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from typing import Any, TypedDict

from .rows import BundleRow, ContentRow, PermissionRow, ShinySessionRow, TagRow, UserRow, VanityRow, VisitRow

APP_MODE_ORDINALS = {
    "unknown": 0,
    "shiny": 1,
    "rmd-shiny": 2,
    "rmd-static": 3,
    "static": 4,
    "api": 5,
    "tensorflow-saved-model": 6,
    "jupyter-static": 7,
    "python-api": 8,
    "python-dash": 9,
    "python-streamlit": 10,
    "python-bokeh": 11,
    "python-fastapi": 12,
    "quarto-shiny": 13,
    "quarto-static": 14,
    "python-shiny": 15,
    "jupyter-voila": 16,
}

# Settings Connect returns on every content item that this server does not manage.
_UNMANAGED = (
    "connection_timeout",
    "read_timeout",
    "init_timeout",
    "idle_timeout",
    "max_processes",
    "min_processes",
    "max_conns_per_process",
    "load_factor",
    "cpu_request",
    "cpu_limit",
    "memory_request",
    "memory_limit",
    "amd_gpu_limit",
    "nvidia_gpu_limit",
    "service_account_name",
    "default_image_name",
    "default_environment_guid",
    "default_r_environment_management",
    "default_py_environment_management",
    "cluster_name",
    "image_name",
    "environment_guid",
    "r_version",
    "r_environment_management",
    "quarto_version",
    "node_version",
    "run_as",
)


class UserJSON(TypedDict):
    guid: str
    username: str
    email: str
    first_name: str
    last_name: str
    user_role: str
    created_time: str
    updated_time: str
    active_time: str
    confirmed: bool
    locked: bool


class ApplicationJSON(TypedDict):
    id: int
    guid: str
    name: str
    title: str | None
    description: str
    url: str
    app_mode: int  # APP_MODE_ORDINALS
    owner_guid: str
    bundle_id: int | None
    py_version: str | None
    created_time: str
    last_deployed_time: str


class BundleMetadataJSON(TypedDict):
    source: str | None  # "git" for a bundle made from a repository
    source_repo: str | None
    source_branch: str | None
    source_commit: str | None
    archive_md5: str
    archive_sha1: str


class BundleJSON(TypedDict):
    created_by_name: str | None
    created_by_user: bool
    id: str
    content_guid: str
    created_time: str
    created_by: str | None
    cluster_name: None
    image_name: None
    environment_guid: None
    r_version: None
    r_environment_management: None
    py_version: str | None
    py_environment_management: bool | None
    quarto_version: None
    active: bool
    size: int
    metadata: BundleMetadataJSON


class TaskJSON(TypedDict):
    id: str
    output: list[str]
    finished: bool
    code: int
    error: str
    last: int
    result: None


class PermissionJSON(TypedDict):
    id: str
    content_guid: str
    principal_guid: str
    principal_type: str
    role: str


def user_json(user: UserRow) -> UserJSON:
    return {
        "guid": user["guid"],
        "username": user["username"],
        "email": "%s@localhost" % user["username"],
        "first_name": user["username"],
        "last_name": "",
        "user_role": user["user_role"],
        "created_time": user["created_time"],
        "updated_time": user["created_time"],
        "active_time": user["created_time"],
        "confirmed": True,
        "locked": bool(user["locked"]),
    }


def content_json(
    content: ContentRow,
    server_url: str,
    app_role: str,
    owner: UserRow | None = None,
    lock: tuple[bool, str] = (False, ""),
) -> dict[str, Any]:
    """Connect's content item: the unmanaged settings as null, the "owner" object when given;
    `lock` is (locked, locked_message)."""
    guid = content["guid"]
    data: dict[str, Any] = {key: None for key in _UNMANAGED}
    data.update(
        {
            "guid": guid,
            "name": content["name"],
            "title": content["title"],
            "description": content["description"],
            "access_type": content["access_type"],
            "created_time": content["created_time"],
            "last_deployed_time": content["last_deployed_time"],
            "bundle_id": content["bundle_id"],
            "app_mode": content["app_mode"],
            "content_category": "",
            "parameterized": False,
            "py_version": content["py_version"],
            "py_environment_management": True if content["py_version"] else None,
            "run_as_current_user": False,
            "owner_guid": content["owner_guid"],
            "content_url": "%scontent/%s/" % (server_url, guid),
            "dashboard_url": "%sconnect/#/apps/%s" % (server_url, guid),
            "app_role": app_role,
            "id": str(content["id"]),
            "locked": lock[0],
            "locked_message": lock[1],
            "draft_marker_enabled": False,
            "metrics_collection_enabled": False,
            "notify_on_share": False,
            "otel_enabled": False,
            "public_content_status": None,
        }
    )
    if owner is not None:
        data["owner"] = {
            "guid": owner["guid"],
            "username": owner["username"],
            "first_name": owner["username"],
            "last_name": "",
        }
    return data


def application_json(content: ContentRow, server_url: str) -> ApplicationJSON:
    """The legacy `applications/{id}` object (Connect's v0 content)."""
    return {
        "id": content["id"],
        "guid": content["guid"],
        "name": content["name"],
        "title": content["title"],
        "description": content["description"],
        "url": "%scontent/%s/" % (server_url, content["guid"]),
        "app_mode": APP_MODE_ORDINALS.get(content["app_mode"], 0),
        "owner_guid": content["owner_guid"],
        "bundle_id": int(content["bundle_id"]) if content["bundle_id"] else None,
        "py_version": content["py_version"],
        "created_time": content["created_time"],
        "last_deployed_time": content["last_deployed_time"],
    }


def bundle_json(
    bundle: BundleRow,
    active_bundle_id: int | str | None,
    creator: UserRow | None = None,
    source: Mapping[str, Any] | None = None,
) -> BundleJSON:
    """`source`: the repository, branch and commit of a bundle made from git (db_repositories.py)."""
    return {
        "created_by_name": creator["username"] if creator else None,
        "created_by_user": creator is not None,
        "id": str(bundle["id"]),
        "content_guid": bundle["content_guid"],
        "created_time": bundle["created_time"],
        "created_by": bundle["created_by"],
        "cluster_name": None,
        "image_name": None,
        "environment_guid": None,
        "r_version": None,
        "r_environment_management": None,
        "py_version": bundle["py_version"],
        "py_environment_management": True if bundle["py_version"] else None,
        "quarto_version": None,
        "active": str(bundle["id"]) == str(active_bundle_id),
        "size": bundle["size"],
        "metadata": {
            "source": "git" if source else None,
            "source_repo": source["repository"] if source else None,
            "source_branch": source["branch"] if source else None,
            "source_commit": source["commit_sha"] if source else None,
            "archive_md5": bundle["archive_md5"],
            "archive_sha1": bundle["archive_sha1"],
        },
    }


def task_json(task_id: str, output: list[str], finished: bool | int, code: int, error: str, first: int = 0) -> TaskJSON:
    return {
        "id": task_id,
        "output": output[first:],
        "finished": bool(finished),
        "code": code,
        "error": error,
        "last": len(output),
        "result": None,
    }


def permission_json(row: PermissionRow) -> PermissionJSON:
    return {
        "id": str(row["id"]),
        "content_guid": row["content_guid"],
        "principal_guid": row["principal_guid"],
        "principal_type": "user",
        "role": row["role"],
    }


def vanity_json(row: VanityRow) -> dict[str, str]:
    return {"content_guid": row["content_guid"], "path": row["path"], "created_time": row["created_time"]}


def tag_json(row: TagRow) -> dict[str, str | None]:
    """Connect's tag: ids as strings (fixture v1_tags_33.json)."""
    return {
        "id": str(row["id"]),
        "name": row["name"],
        "parent_id": str(row["parent_id"]) if row["parent_id"] is not None else None,
        "created_time": row["created_time"],
        "updated_time": row["updated_time"],
    }


def variant_key(content_guid: str) -> str:
    """The key of a content item's one variant (a notebook's: its schedules, runs and visits)."""
    return hashlib.sha256(("variant\0" + content_guid).encode()).hexdigest()[:8]


def visit_json(row: VisitRow) -> dict[str, Any]:
    """A visit as `v1/instrumentation/content/visits` lists it (ids as text, as Connect's reference has them)."""
    return {
        "content_guid": row["content_guid"],
        "user_guid": row["user_guid"],
        "variant_key": row["variant_key"],
        "rendering_id": row["rendering_id"],
        "bundle_id": row["bundle_id"],
        "time": row["time"],
        "data_version": row["data_version"],
        "path": row["path"],
        "user_agent": row["user_agent"],
    }


def shiny_session_json(row: ShinySessionRow) -> dict[str, Any]:
    """A Shiny session as `v1/instrumentation/shiny/usage` lists it."""
    return {
        "content_guid": row["content_guid"],
        "user_guid": row["user_guid"],
        "started": row["started"],
        "ended": row["ended"],
        "data_version": row["data_version"],
    }


def hit_json(row: VisitRow) -> dict[str, Any]:
    """A visit as `v1/instrumentation/content/hits` lists it."""
    return {
        "id": str(row["id"]),
        "user_guid": row["user_guid"],
        "content_guid": row["content_guid"],
        "timestamp": row["time"],
        "data": {"path": row["path"], "query": row["query"], "user_agent": row["user_agent"]},
    }


def package_json(name: str, version: str, python_version: str) -> dict[str, Any]:
    """A Python package of a content item's environment (`v1/content/{guid}/packages`)."""
    return {"language": "python", "language_version": python_version, "name": name, "version": version, "hash": None}


def server_package_json(name: str, version: str, bundle: BundleRow, content: ContentRow) -> dict[str, Any]:
    """A package as `v1/packages` lists it: with the bundle and content that use it."""
    return {
        **package_json(name, version, bundle["py_version"] or ""),
        "bundle_id": str(bundle["id"]),
        "app_id": str(content["id"]),
        "app_guid": content["guid"],
        "content_id": str(content["id"]),
        "content_guid": content["guid"],
    }

"""Connect's JSON shapes for the rows of `db.py` (the keys of ../shared/connect-api/fixtures/)."""

APP_MODE_ORDINALS = {
    "unknown": 0, "shiny": 1, "rmd-shiny": 2, "rmd-static": 3, "static": 4, "api": 5, "tensorflow-saved-model": 6,
    "jupyter-static": 7, "python-api": 8, "python-dash": 9, "python-streamlit": 10, "python-bokeh": 11,
    "python-fastapi": 12, "quarto-shiny": 13, "quarto-static": 14, "python-shiny": 15, "jupyter-voila": 16,
}

# Settings Connect returns on every content item that this server does not manage.
_UNMANAGED = (
    "connection_timeout", "read_timeout", "init_timeout", "idle_timeout", "max_processes", "min_processes",
    "max_conns_per_process", "load_factor", "cpu_request", "cpu_limit", "memory_request", "memory_limit",
    "amd_gpu_limit", "nvidia_gpu_limit", "service_account_name", "default_image_name",
    "default_environment_guid", "default_r_environment_management", "default_py_environment_management",
    "cluster_name", "image_name", "environment_guid", "r_version", "r_environment_management",
    "quarto_version", "node_version", "run_as", "locked_message",
)


def user_json(user):
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


def content_json(content, server_url, app_role, owner=None):
    guid = content["guid"]
    data = {key: None for key in _UNMANAGED}
    data.update({
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
        "locked": False,
        "draft_marker_enabled": False,
        "metrics_collection_enabled": False,
        "notify_on_share": False,
        "otel_enabled": False,
        "public_content_status": None,
    })
    if owner is not None:
        data["owner"] = {"guid": owner["guid"], "username": owner["username"],
                         "first_name": owner["username"], "last_name": ""}
    return data


def application_json(content, server_url):
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


def bundle_json(bundle, active_bundle_id, creator=None):
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
            "source": None, "source_repo": None, "source_branch": None, "source_commit": None,
            "archive_md5": bundle["archive_md5"],
            "archive_sha1": bundle["archive_sha1"],
        },
    }


def task_json(task_id, output, finished, code, error, first=0):
    return {
        "id": task_id,
        "output": output[first:],
        "finished": bool(finished),
        "code": code,
        "error": error,
        "last": len(output),
        "result": None,
    }


def permission_json(row):
    return {
        "id": str(row["id"]),
        "content_guid": row["content_guid"],
        "principal_guid": row["principal_guid"],
        "principal_type": "user",
        "role": row["role"],
    }

"""The publish flow, the one place that knows it (the CLI and the notebook handlers call it).

    (resolve the server) -> check the input -> check server and key -> (snapshot, Python check)
    -> build the bundle -> resolve the target -> set environment variables -> upload -> deploy
    -> follow the task -> save the record

Callers hand it option objects (options.py) and nothing else; every check of the input runs
here, once. Nothing changes on the server before the bundle is built and every check has
passed, and the deployment record is written only after the task succeeded, so a failure
leaves state as it was.

This module is the flow's front door; the code lives in one module per job:
publish_flow.py (`publish()` with a `Publication`, following the task, writing the record, the
environment snapshot), publish_notebooks.py (notebooks and HTML files), publish_apps.py (APIs and
apps from a directory, and existing manifests), and target.py (which server, which content).
publish_apps.py is imported when one of its names is first used (`__getattr__` below): a
notebook's deploy does not need it, and every module costs the CLI start-up time.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .publish_flow import (
    DEFAULT_TASK_TIMEOUT,
    POLL_WAIT,
    Deployment,
    Publication,
    check_request,
    environment_snapshot,
    follow_task,
    log_snapshot,
    publish,
    task_timeout,
)
from .publish_notebooks import check_notebook, publish_html, publish_notebook, publish_voila
from .target import (
    DEPLOYER_APP_ROLES,
    ENV_NAME,
    GUID_RE,
    PUBLISHER_ROLES,
    check_can_deploy,
    check_environment_name,
    check_python_version,
    choose_server,
    client_for,
    create_content,
    default_title,
    environment_values,
    find_content,
    get_content,
    name_from_title,
    unique_name,
    validate_title,
    verify_server,
)

if TYPE_CHECKING:
    from .publish_apps import (
        app_deployed_path,
        app_files,
        check_app,
        check_manifest,
        manifest_title,
        publish_app,
        publish_manifest,
    )

_FROM_PUBLISH_APPS = frozenset(
    {
        "app_deployed_path",
        "app_files",
        "check_app",
        "check_manifest",
        "manifest_title",
        "publish_app",
        "publish_manifest",
    }
)


def __getattr__(name: str) -> object:
    """publish_apps.py's names, imported on first use (PEP 562)."""
    if name not in _FROM_PUBLISH_APPS:
        raise AttributeError("module %r has no attribute %r" % (__name__, name))
    from . import publish_apps

    value: object = getattr(publish_apps, name)
    globals()[name] = value  # next time, found without this function
    return value


# The publish flow's own names, and target.py's that callers (the CLI, the handlers, tests) reach here.
__all__ = [
    "DEFAULT_TASK_TIMEOUT",
    "DEPLOYER_APP_ROLES",
    "ENV_NAME",
    "GUID_RE",
    "POLL_WAIT",
    "PUBLISHER_ROLES",
    "Deployment",
    "Publication",
    "app_deployed_path",
    "app_files",
    "check_app",
    "check_can_deploy",
    "check_environment_name",
    "check_manifest",
    "check_notebook",
    "check_python_version",
    "check_request",
    "choose_server",
    "client_for",
    "create_content",
    "default_title",
    "environment_snapshot",
    "environment_values",
    "find_content",
    "follow_task",
    "get_content",
    "log_snapshot",
    "manifest_title",
    "name_from_title",
    "publish",
    "publish_app",
    "publish_html",
    "publish_manifest",
    "publish_notebook",
    "publish_voila",
    "task_timeout",
    "unique_name",
    "validate_title",
    "verify_server",
]

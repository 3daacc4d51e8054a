"""Runtime caches as Connect shows them (`GET/DELETE v1/system/caches/runtime`): the Python
environments this server built, one cache per Python version, named as Connect names a cache of
native execution (`{"language": "Python", "version": "3.11.2", "image_name": "Local"}`).

Deleting a cache removes its environments that no content's live bundle runs in, with the lock
and the folder rules of environments.py (a deploy that wants one again builds it again); one in
use is kept and said so in the task's log. Nothing is removed while a deploy is going on,
and a cache whose every environment is in use is refused (errors.in_use).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Callable

from . import content_envs, environments, errors

if TYPE_CHECKING:
    from .db import Database
    from .layout import Layout
    from .tasks import Task

LANGUAGE = "Python"
IMAGE_NAME = "Local"  # native execution: no off-host image


def caches(layout: Layout) -> list[dict[str, str]]:
    versions = {environments.python_version_of(k) for k in environments.built(layout.environments)}
    ordered = sorted(versions, key=lambda v: tuple(int(p) for p in v.split(".") if p.isdigit()))
    return [{"language": LANGUAGE, "version": v, "image_name": IMAGE_NAME} for v in ordered]


def deploying(db: Database) -> bool:
    """Whether a bundle that is not live is being deployed (its environment may not be in use yet);
    a run of a live bundle runs in an environment that is in use anyway."""
    for row in db.unfinished_task_bundles():
        content = db.content(row["content_guid"]) if row["content_guid"] else None
        if content is not None and content["bundle_id"] != row["bundle_id"]:
            return True
    return False


@dataclass
class Plan:
    """What deleting one cache does: the environments it removes and those it keeps (in use)."""

    version: str
    remove: list[str] = field(default_factory=list)
    keep: dict[str, list[str]] = field(default_factory=dict)  # key -> GUIDs of the content using it


def plan(db: Database, layout: Layout, language: str, version: str, image_name: str) -> Plan:
    """The plan to delete the cache, or the refusal Connect would answer (unknown cache, in use)."""
    name = "%s %s (%s)" % (language, version, image_name)
    keys = [k for k in environments.built(layout.environments) if environments.python_version_of(k) == version]
    if language.lower() != LANGUAGE.lower() or image_name.lower() != IMAGE_NAME.lower() or not keys:
        raise errors.not_found("Runtime cache %s" % name)
    if deploying(db):
        raise errors.in_use("A deploy is going on: delete the runtime cache %s when it has finished." % name)
    users = content_envs.in_use(db, layout)
    result = Plan(version)
    for key in keys:
        if key in users:
            result.keep[key] = users[key]
        else:
            result.remove.append(key)
    if not result.remove:
        guids = sorted({g for found in result.keep.values() for g in found})
        raise errors.in_use(
            "The runtime cache %s is in use by content %s: delete that content, or redeploy it with "
            "another Python, first." % (name, ", ".join(guids))
        )
    return result


def destroy(db: Database, layout: Layout, todo: Plan, task: Task, retire: Callable[[str], None]) -> None:
    """Carry out a plan in a task's log, checking again that each environment is unused;
    `retire(python)` stops what the server keeps running in an environment (its render worker)."""
    task.log("Deleting runtime cache...")
    try:
        for key in todo.remove:
            users = content_envs.in_use(db, layout).get(key)
            if users:  # went live meanwhile
                task.log("Kept the environment %s: content %s runs in it." % (key, ", ".join(users)))
                continue
            retire(environments.venv_python(os.path.join(layout.environments, key)))
            if environments.remove(layout.environments, key):
                task.log("Removed the environment %s." % key)
    except OSError as e:
        task.finish(1, "Deleting the runtime cache failed: %s." % e)
        return
    for key, guids in todo.keep.items():
        task.log("Kept the environment %s: content %s runs in it." % (key, ", ".join(guids)))
    task.log("Successfully deleted runtime cache")
    task.finish(0)

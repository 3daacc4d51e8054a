"""Git-backed content: `v1/content/{guid}/repository` (GET, PUT, PATCH, DELETE) and
`v1/content/{guid}/repository/bundle` (POST: a bundle from the repository now), as on Connect.

The body is `{"repository", "branch", "directory", "polling"}` (rsconnect-python and posit-sdk send
these); the answer adds `last_known_commit` and `last_error`. Fetching runs off the event loop.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any, Callable, TypeVar

from .. import errors, git_content
from ..git_repos import Location, RepositoryRefused, shown
from .base import BaseHandler

if TYPE_CHECKING:
    from ..db_repositories import RepositoryRow
    from ..rows import BundleRow, ContentRow, UserRow

T = TypeVar("T")
FIELDS = ("repository", "branch", "directory", "polling")
BUNDLE_FIELDS = ("repository", "ref", "directory")


def repository_json(row: RepositoryRow) -> dict[str, Any]:
    return {
        "repository": shown(row["repository"]),
        "branch": row["branch"],
        "directory": row["directory"],
        "polling": bool(row["polling"]),
        "last_known_commit": row["last_known_commit"],
        "last_error": row["last_error"],
    }


def checked(body: dict[str, Any], allowed: tuple[str, ...]) -> dict[str, Any]:
    """The fields sent, each of its type; an unknown field is refused, never dropped."""
    unknown = sorted(k for k in body if k not in allowed)
    if unknown:
        raise errors.bad_json("Unknown field(s): %s. Send %s." % (", ".join(unknown), ", ".join(allowed)))
    for key, value in body.items():
        if key == "polling":
            if not isinstance(value, bool):
                raise errors.invalid_value("polling must be true or false.")
        elif not isinstance(value, str) or not value.strip():
            raise errors.invalid_value("%s must be a non-empty string." % key)
    return body


class _RepositoryBase(BaseHandler):
    async def off_loop(self, work: Callable[[], T]) -> T:
        """Run a fetch in a thread; a refusal is a 400 with its one sentence."""
        try:
            return await asyncio.get_running_loop().run_in_executor(None, work)
        except RepositoryRefused as e:
            raise errors.invalid_value(e.message) from None

    def stored(self, guid: str) -> RepositoryRow:
        row = self.db.repository(guid)
        if row is None:
            raise errors.not_found("A repository of content %s" % guid)
        return row


class RepositoryHandler(_RepositoryBase):
    def get(self, guid: str) -> None:
        self.content_for(self.user(), guid)
        self.send_json(repository_json(self.stored(guid)))

    async def put(self, guid: str) -> None:
        user = self.user()
        content = self.content_for(user, guid, change=True)
        body = checked(self.json_object(), FIELDS)
        if "repository" not in body:
            raise errors.invalid_value('Send {"repository": "https://...", "branch": "main", "directory": "."}.')
        location = Location(body["repository"], body.get("branch", "main"), body.get("directory", "."))
        await self.off_loop(
            lambda: git_content.set_repository(self.state, content, user, location, body.get("polling", False))
        )
        self.send_json(repository_json(self.stored(guid)))

    async def patch(self, guid: str) -> None:
        user = self.user()
        content = self.content_for(user, guid, change=True)
        row = self.stored(guid)
        body = checked(self.json_object(), FIELDS)
        before = git_content.location_of(row)
        location = Location(
            body.get("repository", before.repository),
            body.get("branch", before.ref),
            body.get("directory", before.directory),
        )
        polling = body.get("polling", bool(row["polling"]))
        if location != before:  # it moves: fetched and checked as a PUT is
            await self.off_loop(lambda: git_content.set_repository(self.state, content, user, location, polling))
        else:
            self.db.set_polling(guid, polling)
        self.send_json(repository_json(self.stored(guid)))

    def delete(self, guid: str) -> None:
        self.content_for(self.user(), guid, change=True)
        self.stored(guid)
        self.db.delete_repository(guid)
        self.state.repositories.forget(guid)
        self.send_no_content()


class RepositoryBundleHandler(_RepositoryBase):
    async def post(self, guid: str) -> None:
        user = self.user()
        content = self.content_for(user, guid, change=True)
        body = checked(self.json_object(), BUNDLE_FIELDS)
        row = self.db.repository(guid)
        if row is None and "repository" not in body:
            raise errors.invalid_value(
                "This content has no repository: send the repository's URL, or set it with PUT .../repository."
            )
        before = git_content.location_of(row) if row else Location(body["repository"], "main", ".")
        location = Location(
            body.get("repository", before.repository),
            body.get("ref", before.ref),
            body.get("directory", before.directory),
        )
        bundle, task = await self.off_loop(lambda: git_content.bundle_on_request(self.state, content, user, location))
        self.send_json(
            {
                "bundle_id": str(bundle["id"]),
                "task_id": task.id,
                "location": {
                    "repository": shown(location.repository),
                    "ref": location.ref,
                    "directory": location.directory,
                },
            },
            status=202,
        )


async def newest_git_bundle(handler: BaseHandler, content: ContentRow, user: UserRow) -> BundleRow:
    """For `POST .../deploy {"bundle_id": null}` on git-backed content (handlers/tasks.py)."""
    try:
        return await asyncio.get_running_loop().run_in_executor(
            None, git_content.newest_bundle, handler.state, content, user
        )
    except RepositoryRefused as e:
        raise errors.invalid_value(e.message) from None

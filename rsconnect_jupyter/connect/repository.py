"""Git-backed content: `v1/content/{guid}/repository` (GET, PUT, PATCH, DELETE) and
`v1/content/{guid}/repository/bundle` (POST), the calls rsconnect-python 1.32 and posit-sdk 0.17 make
(fixture v1_content_<guid>_repository.json)."""

from __future__ import annotations

from typing import TypedDict, cast

from ..exceptions import NotFound
from .session import Session
from .types import DeployStarted


class _RepositoryRequired(TypedDict):
    repository: str
    branch: str
    directory: str
    polling: bool


class RepositoryInfo(_RepositoryRequired, total=False):
    """Where the content comes from; Connect adds the last commit it fetched and the last error."""

    last_known_commit: str
    last_error: str


class RepositoryBundle(TypedDict):
    """`POST .../repository/bundle`: the bundle made from the repository and the task that made it."""

    bundle_id: str
    task_id: str
    location: dict[str, str]


class RepositoryAPI(Session):
    """A content item's git repository."""

    def repository_get(self, guid: str) -> RepositoryInfo | None:
        """The content's repository, or None when it is not git-backed (Connect answers 404)."""
        try:
            return cast(RepositoryInfo, self.get("v1/content/%s/repository" % guid))
        except NotFound:
            return None

    def repository_set(self, guid: str, repository: str, branch: str, directory: str, polling: bool) -> RepositoryInfo:
        """Create or replace the content's repository (PUT)."""
        body = {"repository": repository, "branch": branch, "directory": directory, "polling": polling}
        return cast(RepositoryInfo, self.request("PUT", "v1/content/%s/repository" % guid, json=body))

    def repository_update(self, guid: str, **fields: object) -> RepositoryInfo:
        """Change some of repository, branch, directory and polling (PATCH)."""
        return cast(RepositoryInfo, self.request("PATCH", "v1/content/%s/repository" % guid, json=fields))

    def repository_delete(self, guid: str) -> None:
        self.request("DELETE", "v1/content/%s/repository" % guid)

    def repository_bundle(self, guid: str, ref: str | None = None) -> RepositoryBundle:
        """Have the server fetch the repository now and make a bundle of it (at `ref`, else its branch)."""
        body = {"ref": ref} if ref else {}
        return cast(RepositoryBundle, self.request("POST", "v1/content/%s/repository/bundle" % guid, json=body))

    def content_answers(self, url: str) -> int | None:
        """The HTTP status of a GET of a content URL with this client's key (None: no answer): the
        check rsconnect-python makes after `deploy git`, since Connect starts an app on first use."""
        import requests

        try:
            response = self.session.get(url, verify=self.verify, timeout=self.timeout, allow_redirects=True)
        except requests.RequestException:
            return None
        response.close()
        return response.status_code

    def deploy_from_repository(self, guid: str, activate: bool = True) -> str:
        """Deploy git-backed content from its repository (`bundle_id` null, as rsconnect-python sends);
        returns the task id."""
        body: dict[str, object] = {"bundle_id": None}
        if not activate:
            body["activate"] = False
        return cast(DeployStarted, self.request("POST", "v1/content/%s/deploy" % guid, json=body))["task_id"]

"""Git-backed content, as rsconnect-python 1.32 has it: `deploy git` (new or updated content that the
server clones from a repository and deploys from the manifest.json in one of its folders) and
`content repository` (show, set, remove, redeploy).

Connect does the cloning: the client only tells it where (`v1/content/{guid}/repository`) and
deploys (`POST .../deploy` without a bundle id, as rsconnect-python does). A repository, branch or
folder the server cannot use is refused by the server in one sentence, shown as it is; content this
publish created is removed again then.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from .exceptions import ConnectAPIError, DeployFailed, InvalidInput, NotFound, RSConnectError
from .options import ContentOptions, Feedback, Target
from .publish_flow import (
    Deployment,
    _remove_empty_content,
    check_drafts,
    check_request,
    draft_url,
    follow_task,
    task_timeout,
)
from .target import Log, check_can_deploy, client_of, create_content, get_content, verify_server

if TYPE_CHECKING:
    from .connect import ConnectClient, ContentItem
    from .connect.repository import RepositoryInfo
    from .versions import Content

GIT_MODE = "git"  # what Deployment.app_mode says until the server has read the manifest


@dataclass(frozen=True)
class GitSource:
    """Where git-backed content comes from: the repository's URL, its branch, the folder that holds
    manifest.json ("." for the top), and whether the server looks for new commits on its own."""

    repository: str
    branch: str = "main"
    directory: str = "."
    polling: bool = True


def git_title(repository: str, directory: str) -> str:
    """The title new content gets: the repository's name, and the folder (rsconnect-python's rule)."""
    name = repository.rstrip("/").split("/")[-1]
    name = name[:-4] if name.endswith(".git") else name
    folder = directory.strip("/")
    return "%s/%s" % (name, folder) if folder and folder != "." else name


def checked_source(source: GitSource) -> GitSource:
    """The source as the server is told it: a URL with a scheme, a branch, a folder without slashes
    at its ends ("." for the top)."""
    url = source.repository.strip()
    if not urlsplit(url).scheme or "://" not in url:
        raise InvalidInput(
            "%r is not a repository URL: give its full address, such as https://git.example.com/you/reports.git." % url
        )
    if not source.branch.strip():
        raise InvalidInput("The branch is empty: name the branch to deploy from, such as main.")
    folder = source.directory.strip().strip("/") or "."
    return replace(source, repository=url, branch=source.branch.strip(), directory=folder)


def _refused(e: ConnectAPIError, client: ConnectClient) -> RSConnectError:
    """The server's refusal of a repository, as the sentence it wrote."""
    if e.status == 404:
        return InvalidInput(
            "%s does not take git-backed content (no repository API): ask its administrator to enable Git." % client.url
        )
    if e.status == 400 and e.error:
        return InvalidInput(e.error)
    return e


def point_at(client: ConnectClient, guid: str, source: GitSource) -> RepositoryInfo:
    """Set the content's repository: PATCH when it has one, else PUT (as rsconnect-python does)."""
    try:
        if client.repository_get(guid) is not None:
            return client.repository_update(
                guid,
                repository=source.repository,
                branch=source.branch,
                directory=source.directory,
                polling=source.polling,
            )
        return client.repository_set(guid, source.repository, source.branch, source.directory, source.polling)
    except ConnectAPIError as e:
        raise _refused(e, client) from e


def publish_git(
    target: Target,
    source: GitSource,
    content_options: ContentOptions | None = None,
    feedback: Feedback | None = None,
    *,
    verify: bool = True,
) -> Deployment:
    """`deploy git`: new content (or the content `target.app_id` names) deployed by the server from
    the repository; follows the deploy task, then (unless `verify` is off) checks that the content,
    or the draft, answers. No deployment record: there is no local file."""
    options = check_request(target, content_options or ContentOptions())
    source = checked_source(source)
    feedback = feedback or Feedback()
    log = feedback.log
    timeout = task_timeout()
    client = client_of(target.server)
    log("Checking %s ..." % client.url)
    if options.draft:
        check_drafts(client)
    user = verify_server(client)
    content: ContentItem | None = None
    if target.app_id and not target.new:
        content = get_content(client, target.app_id)
        check_can_deploy(content, user, content.get("app_mode") or "unknown", client)
    created = content is None
    if content is None:
        content = create_content(client, options.title or git_title(source.repository, source.directory), user, log)
    elif options.title and content.get("title") != options.title:
        content = client.content_update(content["guid"], title=options.title)
    guid = content["guid"]
    try:
        log("Pointing %s at %s, branch %s, folder %s ..." % (guid, source.repository, source.branch, source.directory))
        point_at(client, guid, source)
        if options.environment:
            log("Setting environment variables: %s." % ", ".join(sorted(options.environment)))
            client.environment_patch(guid, options.environment)
        log("Deploying from the repository%s ..." % (" as a draft" if options.draft else ""))
        task_id = client.deploy_from_repository(guid, activate=not options.draft)
    except (RSConnectError, KeyboardInterrupt) as e:
        if created:
            _remove_empty_content(client, guid, log, timeout=3 if isinstance(e, KeyboardInterrupt) else 10)
        raise
    follow_task(client, task_id, log, timeout=timeout, dashboard_url=content.get("dashboard_url"))
    content = client.content_get(guid)
    bundle_id = _newest_bundle(client, guid) if options.draft else str(content.get("bundle_id") or "") or None
    deployment = Deployment(
        server_url=client.url,
        content_guid=guid,
        content_id=str(content.get("id")),
        content_url=content.get("content_url"),
        dashboard_url=content.get("dashboard_url"),
        title=content.get("title"),
        app_mode=str(content.get("app_mode") or GIT_MODE),
        bundle_id=bundle_id,
        task_id=task_id,
        draft_url=draft_url(content, bundle_id) if options.draft and bundle_id else None,
    )
    if verify:
        check_answers(client, deployment)
    if options.sharing:
        from .sharing import apply_after_deploy

        apply_after_deploy(client, guid, deployment.content_url, options.sharing, log)
    return deployment


def check_answers(client: ConnectClient, deployment: Deployment) -> None:
    """rsconnect-python's check after `deploy git`: the content (or the draft) answers its URL."""
    url = deployment.draft_url or deployment.content_url
    status = client.content_answers(str(url)) if url else None
    if status is None or status >= 500:
        answer = "did not answer" if status is None else "answers HTTP %d" % status
        raise DeployFailed(
            "The deploy finished, but %s %s: the content may not have started; see its logs at %s/logs "
            "(or leave this check out with --no-verify)." % (url, answer, deployment.dashboard_url)
        )


def _newest_bundle(client: ConnectClient, guid: str) -> str | None:
    ids = [int(b["id"]) for b in client.bundle_list(guid) if str(b.get("id", "")).isdigit()]
    return str(max(ids)) if ids else None


# ---------------------------------------------------------------------------------------------
# `content repository`


def show(content: Content) -> RepositoryInfo:
    """The content's repository; refused when it is not git-backed."""
    found = content.client.repository_get(content.guid)
    if found is None:
        raise NotFound(
            "%s is not git-backed: deploy a repository with `rsconnect deploy git`, or point this content at "
            "one with `rsconnect content repository set`." % (content.item.get("title") or content.guid)
        )
    return found


def set_source(content: Content, changes: dict[str, Any]) -> RepositoryInfo:
    """Change the repository's URL, branch, folder or polling (the server fetches it again when it
    moves); content without a repository gets one, which needs the URL."""
    client = content.client
    current = client.repository_get(content.guid)
    if not changes:
        raise InvalidInput("Nothing to change: give --repository, --branch, --directory or --polling/--no-polling.")
    try:
        if current is None:
            if "repository" not in changes:
                raise InvalidInput(
                    "%s has no repository yet: give its URL with --repository."
                    % (content.item.get("title") or content.guid)
                )
            source = checked_source(
                GitSource(
                    changes["repository"],
                    changes.get("branch", "main"),
                    changes.get("directory", "."),
                    changes.get("polling", True),
                )
            )
            return client.repository_set(
                content.guid, source.repository, source.branch, source.directory, source.polling
            )
        merged = GitSource(
            changes.get("repository", current["repository"]),
            changes.get("branch", current["branch"]),
            changes.get("directory", current["directory"]),
        )
        source = checked_source(merged)
        sent: dict[str, Any] = {k: getattr(source, k) for k in ("repository", "branch", "directory") if k in changes}
        if "polling" in changes:
            sent["polling"] = bool(changes["polling"])
        return client.repository_update(content.guid, **sent)
    except ConnectAPIError as e:
        raise _refused(e, client) from e


def remove(content: Content) -> None:
    """The content stays as deployed; the server stops following the repository."""
    show(content)
    content.client.repository_delete(content.guid)


def redeploy(content: Content, ref: str | None, log: Log) -> tuple[str, Content]:
    """Fetch the repository now (at `ref`, else its branch), make a bundle of it and deploy it;
    follows both tasks. Returns the new bundle's id and the content after."""
    from .versions import Content as Found

    show(content)
    client = content.client
    log("Fetching the repository of %s ..." % (content.item.get("title") or content.guid))
    try:
        made = client.repository_bundle(content.guid, ref)
    except ConnectAPIError as e:
        raise _refused(e, client) from e
    dashboard = content.item.get("dashboard_url")
    follow_task(client, made["task_id"], log, dashboard_url=dashboard)
    bundle_id = str(made["bundle_id"])
    log("Deploying bundle %s ..." % bundle_id)
    follow_task(client, client.deploy(content.guid, bundle_id), log, dashboard_url=dashboard)
    return bundle_id, Found(client, client.content_get(content.guid))

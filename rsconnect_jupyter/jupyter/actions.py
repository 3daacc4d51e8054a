"""What each route does, in plain Python: read the saved servers, call the publishing core,
shape the answer for the browser. Runs in worker threads (it does network and disk I/O).

The browser never sees an API key: servers go out through `public_server()` only.
"""

from __future__ import annotations

import logging
import traceback
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Callable, TypedDict

from .. import deploy, environment, signin, store
from ..exceptions import Fix, InvalidField, NotFound, PermissionDenied, RSConnectError
from ..options import CheckOptions, ContentOptions, EnvironmentOptions, Feedback, FilesOptions, NotebookOptions, Target
from .wording import DIALOG_ADVICE, for_dialog, offers_new_location

if TYPE_CHECKING:
    from ..connect import User
    from ..deploy import Deployment
    from ..snapshot import Snapshot
    from .paths import RootFolder

log = logging.getLogger(__name__)


class PublicServer(TypedDict):
    """A saved server as the browser sees it: never its API key or certificate text."""

    name: str
    url: str
    insecure: bool
    ca_cert: str | None
    has_api_key: bool  # has a credential: an API key, or the tokens of a sign-in
    signs_in_with: str  # "API key" or "OAuth"


def public_server(server: store.Server) -> PublicServer:
    return {
        "name": server.name,
        "url": server.url,
        "insecure": bool(server.insecure),
        "ca_cert": _ca_cert_label(server.ca_cert),
        "has_api_key": bool(server.api_key or server.access_token or server.refresh_token),
        "signs_in_with": server.signs_in_with,
    }


def _ca_cert_label(ca_cert: str | None) -> str | None:
    # A saved CA is PEM text (rsconnect-python's layout; older saves may hold a path): never show the text.
    if not ca_cert:
        return None
    return "(certificate text)" if "-----BEGIN" in ca_cert else ca_cert


def describe_error(exc: BaseException) -> str:
    """One sentence for the dialog. Unexpected errors keep their traceback in the server log only."""
    if isinstance(exc, RSConnectError):
        return for_dialog(exc)
    log.error(
        "rsconnect_jupyter: unexpected error\n%s",
        "".join(traceback.format_exception(type(exc), exc, exc.__traceback__)),
    )
    return (
        "Publishing failed with an unexpected error (%s); see the Jupyter server's log for details."
        % type(exc).__name__
    )


def saved_server(name: str) -> store.Server:
    server = store.ServerStore().get(name)
    if server is None:
        raise InvalidField('No saved server is called "%s"; add it again.' % name)
    return server


def list_servers() -> list[PublicServer]:
    return [public_server(s) for s in store.ServerStore().list()]


def user_summary(user: User | None) -> dict[str, Any]:
    found: Mapping[str, Any] = user or {}
    return {k: found.get(k) for k in ("username", "user_role", "first_name", "last_name") if k in found}


def add_server(name: str, url: str, api_key: str, insecure: bool = False, ca_cert: str | None = None) -> dict[str, Any]:
    """The core's "add a server" (servers.add_server: the URL, the CA, the key and its role are
    checked before anything is saved), answered as the browser may see it."""
    from ..servers import add_server

    added = add_server(name, url, api_key, insecure=insecure, ca_cert=ca_cert)
    return {"server": public_server(added.server), "user": user_summary(added.user)}


def start_sign_in(
    name: str, url: str, insecure: bool = False, ca_cert: str | None = None
) -> tuple[signin.Pending, signin.DeviceCode]:
    """The dialogs' "Sign in with Connect": the device flow, so that it works where the browser
    cannot reach this Jupyter server's loopback (JupyterHub). The browser gets the code to show;
    the device code and the tokens stay here."""
    pending = signin.begin(name or None, url, insecure=insecure, ca_cert=ca_cert)
    return pending, signin.start_device(pending)


def finish_sign_in(pending: signin.Pending, code: signin.DeviceCode) -> dict[str, Any]:
    """Wait for the person to approve, then save the server (as `rsconnect login` does)."""
    tokens = signin.wait_for_device(pending, code)
    server, user = signin.save(pending, tokens)
    return {"server": public_server(server), "user": user_summary(user)}


def sign_in_methods(url: str, insecure: bool = False, ca_cert: str | None = None) -> dict[str, bool]:
    """Which "Sign in with Connect" buttons the dialog offers for this server (its RFC 8414 metadata)."""
    return signin.methods(url, insecure=insecure, ca_cert=ca_cert)


def start_browser_sign_in(
    name: str, url: str, callback: str, insecure: bool = False, ca_cert: str | None = None
) -> tuple[signin.Pending, signin.BrowserSignIn]:
    """The authorization code flow, answered at this Jupyter server's `callback` URL: the browser
    gets the authorization URL only; the PKCE verifier and the state stay here."""
    pending = signin.begin(name or None, url, insecure=insecure, ca_cert=ca_cert, callback=callback)
    return pending, signin.start_browser(pending, callback)


def finish_browser_sign_in(
    pending: signin.Pending, started: signin.BrowserSignIn, answer: dict[str, str]
) -> dict[str, Any]:
    """Exchange the code the callback received, then save the server (as `rsconnect login` does)."""
    server, user = signin.save(pending, signin.finish_browser(pending, started, answer))
    return {"server": public_server(server), "user": user_summary(user)}


def remove_server(name: str) -> dict[str, str]:
    if not store.ServerStore().remove(name):
        raise InvalidField('No saved server is called "%s".' % name)
    return {"removed": name}


def verify_server(name: str) -> dict[str, Any]:
    return {"server": public_server(saved_server(name)), "user": user_summary(deploy.verify_server(saved_server(name)))}


def search_content(name: str, title: str) -> dict[str, list[dict[str, Any]]]:
    found = deploy.find_content(saved_server(name), title)
    keys = (
        "guid",
        "id",
        "title",
        "name",
        "app_mode",
        "content_url",
        "dashboard_url",
        "owner_guid",
        "app_role",
        "last_deployed_time",
    )
    return {"content": [{k: item.get(k) for k in keys} for item in found]}


def list_versions(name: str, guid: str) -> dict[str, Any]:
    """The source versions of the content this notebook was published to (newest first)."""
    from .. import versions

    content = versions.content_of(saved_server(name), guid)
    return {"title": content.item.get("title"), "versions": versions.as_json(versions.versions(content))}


def activate_version(name: str, guid: str, bundle_id: str, log: Callable[[str], None]) -> dict[str, Any]:
    """Make a version live (a rollback, or a draft going live); follows its task into the job's log."""
    from .. import versions

    after = versions.activate(versions.content_of(saved_server(name), guid), bundle_id, log)
    return {"content_url": after.item.get("content_url"), "bundle_id": bundle_id}


def remove_version(name: str, guid: str, bundle_id: str) -> dict[str, Any]:
    from .. import versions

    versions.remove(versions.content_of(saved_server(name), guid), bundle_id)
    return {"removed": bundle_id}


def kernel_code(notebook_path: str, force_generate: bool = False) -> dict[str, str]:
    import os

    return {"code": environment.kernel_code(os.path.dirname(notebook_path), force_generate=force_generate)}


def check_environment_names(values: Iterable[str]) -> None:
    for name in values:
        deploy.check_environment_name(name)  # the CLI's rule for -E


@dataclass(frozen=True)
class NotebookPublish:
    """A publish as the dialog asks for it, built once by the handler from the request's fields.

    `new` and `app_id` are never both set: the core refuses that (target.check_target), for the
    CLI and the dialogs alike.
    """

    notebook_path: str
    rendering: NotebookOptions
    files: FilesOptions
    content: ContentOptions
    env: EnvironmentOptions
    new: bool = False
    app_id: str | None = None
    dashboard: bool = False  # "Interactive dashboard (Voila)": jupyter-voila instead of `rendering`
    # The dialogs ask for strict checks first, and for warnings only after "Publish anyway".
    before_upload: CheckOptions = field(default_factory=CheckOptions)


def publish(request: NotebookPublish, server: store.Server, feedback: Feedback) -> dict[str, Any]:
    """Publish a notebook; `feedback` hears its log and the bundle's build and upload byte counts
    (the job keeps them)."""
    target = Target(server=server, app_id=request.app_id, new=request.new)
    try:
        if request.dashboard:
            deployment = deploy.publish_voila(
                target,
                request.notebook_path,
                request.files,
                request.content,
                request.env,
                feedback,
                request.before_upload,
            )
        else:
            deployment = deploy.publish_notebook(
                target,
                request.notebook_path,
                request.rendering,
                request.files,
                request.content,
                request.env,
                feedback,
                request.before_upload,
            )
    except (PermissionDenied, NotFound) as exc:
        # The content this notebook remembers is gone or not this user's: say how to go on.
        if request.app_id and not offers_new_location(exc):
            raise RSConnectError(for_dialog(exc).rstrip(".") + NEW_LOCATION_ADVICE) from exc
        raise
    return deployment_json(deployment)


NEW_LOCATION_ADVICE = "; or %s." % DIALOG_ADVICE[Fix.PUBLISH_COPY]


def deployment_json(deployment: Deployment) -> dict[str, Any]:
    keys = (
        "server_url",
        "content_guid",
        "content_id",
        "content_url",
        "dashboard_url",
        "title",
        "app_mode",
        "bundle_id",
        "draft_url",
    )
    return {k: getattr(deployment, k, None) for k in keys}


def parse_snapshot(snapshot: object) -> Snapshot:
    """The kernel's snapshot (the parsed JSON object, or its text) checked by the core."""
    import json

    text = snapshot if isinstance(snapshot, str) else json.dumps(snapshot)
    return environment.parse_snapshot(text)


def write_manifest(
    notebook_path: str,
    snapshot: Snapshot,
    extra_files: Sequence[str],
    rendering: NotebookOptions,
    overwrite: bool,
    root: RootFolder,
) -> dict[str, list[str]]:
    """manifest.json (and requirements.txt when missing) beside the notebook, for git-backed publishing."""
    import os

    from .. import project_files
    from ..bundle import write_notebook_manifest

    if os.path.exists(os.path.join(os.path.dirname(notebook_path), "manifest.json")) and not overwrite:
        raise InvalidField("manifest.json already exists beside the notebook; confirm to replace it.")
    written = write_notebook_manifest(
        notebook_path,
        project_files.complete(snapshot, os.path.dirname(notebook_path)),  # uv.lock and the others, as publish
        extra_files=extra_files,
        hide_all_input=rendering.hide_all_input,
        hide_tagged_input=rendering.hide_tagged_input,
        overwrite=overwrite,
    )
    return {"written": [root.relative(os.path.realpath(str(p))) for p in written]}

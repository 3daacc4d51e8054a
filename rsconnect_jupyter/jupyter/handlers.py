"""Tornado handlers behind the nbextension, one route per action, under {base_url}/rsconnect_jupyter/.

Each handler reads its input, calls `actions` in a worker thread, and answers JSON. Errors
answer `{"message": "<one sentence>"}`: 400 for anything the user can fix (an `RSConnectError`),
500 otherwise (the traceback stays in the server log). Authentication and the XSRF check come
from Jupyter's APIHandler, which `load_handlers` mixes in (notebook 6 or jupyter_server's, see
__init__).
"""

from __future__ import annotations

import asyncio
import functools
import json
import os
from collections.abc import Awaitable
from typing import TYPE_CHECKING, Any, Callable, TypeVar

from tornado import web

from .. import deploy
from ..exceptions import InvalidField, RSConnectError
from ..options import (
    CheckOptions,
    ContentOptions,
    EnvironmentOptions,
    Feedback,
    FilesOptions,
    NotebookOptions,
    ServerChoice,
    SharingOptions,
    Target,
)
from ..progress import ProgressCallback
from . import actions
from .fields import Fields
from .jobs import JOBS, REQUESTS
from .paths import RootFolder, list_folder_files

if TYPE_CHECKING:
    _Handler = web.RequestHandler  # the APIHandler this mixin is combined with at run time
else:
    _Handler = object

T = TypeVar("T")
Method = TypeVar("Method", bound=Callable[..., Awaitable[None]])


class JSONHandlerMixin(_Handler):
    """Shared plumbing; comes first in the MRO so its write_error wins (no tracebacks to the browser)."""

    contents_manager: Any  # Jupyter's, from the APIHandler

    def write_error(self, status_code: int, **kwargs: Any) -> None:
        message = self._reason or "Request failed."
        exc = (kwargs.get("exc_info") or (None, None, None))[1]
        if isinstance(exc, web.HTTPError) and exc.log_message:
            message = exc.log_message
        self.set_header("Content-Type", "application/json")
        self.finish(json.dumps({"message": message}))

    @property
    def root(self) -> RootFolder:
        return RootFolder(self.contents_manager.root_dir)

    def fields(self, *known: str) -> Fields:
        """The body's fields; one not in `known` is refused (docs/internals.md: never dropped)."""
        try:
            body = json.loads(self.request.body.decode("utf-8") or "null")
        except ValueError:
            raise InvalidField("The request body is not valid JSON.") from None
        return Fields(body, known)

    async def run(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """Run blocking work off the event loop."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(REQUESTS, lambda: fn(*args, **kwargs))

    async def respond(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> None:
        try:
            result = await self.run(fn, *args, **kwargs)
        except RSConnectError as exc:  # the user can fix it: a 400 with its sentence
            return self.fail(400, actions.describe_error(exc))
        except Exception as exc:  # noqa: BLE001 - reported as one sentence, logged in full
            return self.fail(500, actions.describe_error(exc))
        self.answer(result)

    def answer(self, result: Any, status: int = 200) -> None:
        self.set_status(status)
        self.set_header("Content-Type", "application/json")
        self.finish(json.dumps(result))

    def fail(self, status: int, message: str) -> None:
        self.answer({"message": message}, status)


def guarded(method: Method) -> Method:
    """Turn errors raised while reading input into a 400 with their sentence."""

    @functools.wraps(method)
    async def wrapper(self: JSONHandlerMixin, *args: Any, **kwargs: Any) -> None:
        try:
            return await method(self, *args, **kwargs)
        except RSConnectError as exc:  # a bad field or path, or a snapshot the kernel printed that cannot be read
            self.fail(400, actions.describe_error(exc))

    return wrapper  # type: ignore[return-value]


class ServersHandler(JSONHandlerMixin):
    @web.authenticated
    @guarded
    async def get(self) -> None:
        await self.respond(lambda: {"servers": actions.list_servers()})


class AddServerHandler(JSONHandlerMixin):
    @web.authenticated
    @guarded
    async def post(self) -> None:
        # Translation only: the URL, the CA (a path or PEM text) and the key's role are the core's
        # rules (servers.add_server), the same as `rsconnect add`.
        f = self.fields("url", "name", "api_key", "tls", "ca_cert")
        url = f.string("url")
        name = f.string("name", required=False, default="") or url
        tls = f.string("tls", required=False, default="system", choices={"system", "ca_bundle", "insecure"})
        ca_cert = f.string("ca_cert", required=False, default="", max_length=256 * 1024) if tls == "ca_bundle" else ""
        if tls == "ca_bundle" and not ca_cert:
            raise InvalidField("Give the CA certificate (its path on the Jupyter server, or its PEM text).")
        await self.respond(
            actions.add_server, name, url, f.string("api_key"), insecure=(tls == "insecure"), ca_cert=ca_cert or None
        )


class SignInHandler(JSONHandlerMixin):
    """Start "Sign in with Connect" (the device flow): answers the code for the dialog to show and
    a job that the browser polls while this server waits for the approval. No token is sent."""

    @web.authenticated
    @guarded
    async def post(self) -> None:
        f = self.fields("url", "name", "tls", "ca_cert")
        url = f.string("url")
        tls = f.string("tls", required=False, default="system", choices={"system", "ca_bundle", "insecure"})
        ca_cert = f.string("ca_cert", required=False, default="", max_length=256 * 1024) if tls == "ca_bundle" else ""
        if tls == "ca_bundle" and not ca_cert:
            raise InvalidField("Give the CA certificate (its path on the Jupyter server, or its PEM text).")
        name = f.string("name", required=False, default="")
        pending, code = await self.run(
            actions.start_sign_in, name, url, insecure=(tls == "insecure"), ca_cert=ca_cert or None
        )
        job = JOBS.start(lambda log_line: actions.finish_sign_in(pending, code), actions.describe_error)
        self.answer(
            {
                "job_id": job.id,
                "user_code": code.user_code,
                "verification_uri": code.verification_uri_complete,
            },
            status=202,
        )


class RemoveServerHandler(JSONHandlerMixin):
    @web.authenticated
    @guarded
    async def post(self) -> None:
        await self.respond(actions.remove_server, self.fields("server").string("server"))


class VerifyServerHandler(JSONHandlerMixin):
    @web.authenticated
    @guarded
    async def post(self) -> None:
        await self.respond(actions.verify_server, self.fields("server").string("server"))


class SearchContentHandler(JSONHandlerMixin):
    @web.authenticated
    @guarded
    async def post(self) -> None:
        f = self.fields("server", "title")
        await self.respond(actions.search_content, f.string("server"), f.string("title"))


class FolderFilesHandler(JSONHandlerMixin):
    """Files beside the notebook that may go along as extra files."""

    @web.authenticated
    @guarded
    async def get(self) -> None:
        from .. import project_files

        notebook = self.root.notebook(self.get_query_argument("path", ""))

        def answer() -> dict[str, Any]:
            # requirements.txt, pylock.toml, uv.lock or pyproject.toml: the dialog's "use the folder's file"
            source = project_files.source_file(os.path.dirname(notebook))
            return {
                "files": list_folder_files(notebook),
                "has_requirements": source is not None,
                "packages_file": source,
            }

        await self.respond(answer)


class KernelCodeHandler(JSONHandlerMixin):
    """The stdlib-only snippet the browser runs in the notebook's kernel for the environment snapshot."""

    @web.authenticated
    @guarded
    async def get(self) -> None:
        notebook = self.root.notebook(self.get_query_argument("path", ""))
        force = self.get_query_argument("force_generate", "false").lower() in ("1", "true", "yes")
        await self.respond(actions.kernel_code, notebook, force)


PUBLISH_FIELDS = (
    "server",
    "notebook_path",
    "mode",
    "environment",
    "snapshot",
    "title",
    "sharing",
    "new",
    "app_id",
    "extra_files",
    "force_generate",
    "hide_all_input",
    "hide_tagged_input",
    "draft",
    "strict",
)


def read_publish_request(root: RootFolder, f: Fields) -> actions.NotebookPublish:
    """The publish the dialog asks for, every field read (in the order the dialog lists them); the
    rules (new or update, title, sharing) are the core's, the CLI's too (deploy.check_request)."""
    notebook = root.notebook(f.string("notebook_path"))
    mode = f.string("mode", choices={"static", "jupyter-static", "jupyter-voila"})
    env = f.string_map("environment")
    actions.check_environment_names(env)
    snapshot = f.body.get("snapshot")  # the kernel's printed text, or its parsed JSON object
    if snapshot is not None and not isinstance(snapshot, (str, dict)):
        raise InvalidField("The field 'snapshot' must be the kernel's output text or a JSON object.")
    title = f.string("title", required=False, default=None)
    sharing = read_sharing(f.object("sharing"))
    new = f.boolean("new")
    app_id = f.string("app_id", required=False, default=None, max_length=64)
    extra_files = tuple(root.extra_file(notebook, p) for p in f.string_list("extra_files"))
    force_generate = f.boolean("force_generate")
    rendering = NotebookOptions(
        static=(mode == "static"),
        hide_all_input=f.boolean("hide_all_input"),
        hide_tagged_input=f.boolean("hide_tagged_input"),
    )
    content = deploy.check_request(
        Target(server=ServerChoice(), app_id=app_id, new=new),
        ContentOptions(title=title, environment=env, sharing=sharing, draft=f.boolean("draft")),
    )
    return actions.NotebookPublish(
        notebook_path=notebook,
        rendering=rendering,
        files=FilesOptions(extra_files=extra_files),
        content=content,
        env=EnvironmentOptions(
            force_generate=force_generate, snapshot=None if snapshot is None else actions.parse_snapshot(snapshot)
        ),
        new=new,
        app_id=app_id,
        dashboard=(mode == "jupyter-voila"),
        before_upload=CheckOptions(strict=f.boolean("strict")),
    )


SHARING_FIELDS = {"access", "viewers", "collaborators", "vanity", "tags"}


def read_sharing(body: dict[str, Any] | None) -> SharingOptions:
    """The dialog's Sharing section as given (what is not given stays as the content has it);
    the core checks it (sharing.checked)."""
    if not body:
        return SharingOptions()
    f = Fields(body, SHARING_FIELDS, what="sharing field")
    return SharingOptions(
        access=f.string("access", required=False, default="") or None,
        viewers=tuple(f.string_list("viewers")),
        collaborators=tuple(f.string_list("collaborators")),
        vanity=f.string("vanity", required=False, default="") or None,
        tags=tuple(f.string_list("tags")),
    )


def scrubbed_values(request: actions.NotebookPublish) -> list[str]:
    """Environment variable values long enough to scrub from a job's log without blanking
    ordinary words (a value like "1" or "true" is no secret and would mangle every line)."""
    return [v for v in request.content.environment.values() if isinstance(v, str) and len(v) >= 8]


class PublishHandler(JSONHandlerMixin):
    """Start a publish job; the browser then polls /jobs/{id} for its log and result."""

    @web.authenticated
    @guarded
    async def post(self) -> None:
        f = self.fields(*PUBLISH_FIELDS)
        name = f.string("server")
        request = read_publish_request(self.root, f)
        server = await self.run(actions.saved_server, name)  # no such server: a 400, from guarded

        def work(log_line: Callable[[str], None], progress: ProgressCallback) -> dict[str, Any]:
            return actions.publish(request, server, Feedback(log=log_line, progress=progress))

        job = JOBS.start(
            work,
            actions.describe_error,
            secrets=[server.api_key, server.access_token, server.refresh_token, *scrubbed_values(request)],
            with_progress=True,
        )
        self.answer({"job_id": job.id}, status=202)


class VersionsHandler(JSONHandlerMixin):
    """The source versions of the content the notebook was published to."""

    @web.authenticated
    @guarded
    async def post(self) -> None:
        f = self.fields("server", "guid")
        await self.respond(actions.list_versions, f.string("server"), f.string("guid", max_length=64))


class ActivateVersionHandler(JSONHandlerMixin):
    """Make a version live: a job, followed like a publish (its task's log streams to the dialog)."""

    @web.authenticated
    @guarded
    async def post(self) -> None:
        f = self.fields("server", "guid", "bundle_id")
        name, guid, bundle_id = (
            f.string("server"),
            f.string("guid", max_length=64),
            f.string("bundle_id", max_length=32),
        )
        server = await self.run(actions.saved_server, name)

        def work(log_line: Callable[[str], None]) -> dict[str, Any]:
            return actions.activate_version(name, guid, bundle_id, log_line)

        job = JOBS.start(
            work, actions.describe_error, secrets=[server.api_key, server.access_token, server.refresh_token]
        )
        self.answer({"job_id": job.id}, status=202)


class RemoveVersionHandler(JSONHandlerMixin):
    @web.authenticated
    @guarded
    async def post(self) -> None:
        f = self.fields("server", "guid", "bundle_id")
        await self.respond(
            actions.remove_version,
            f.string("server"),
            f.string("guid", max_length=64),
            f.string("bundle_id", max_length=32),
        )


class JobHandler(JSONHandlerMixin):
    @web.authenticated
    async def get(self, job_id: str) -> None:
        job = JOBS.get(job_id)
        if job is None:
            return self.fail(404, "This publishing job is unknown (was the Jupyter server restarted?); publish again.")
        try:
            cursor = int(self.get_query_argument("cursor", "0"))
        except ValueError:
            return self.fail(400, "The cursor must be a whole number.")
        self.answer(job.state(cursor))


class ManifestHandler(JSONHandlerMixin):
    """Write manifest.json (and requirements.txt when missing) beside the notebook."""

    @web.authenticated
    @guarded
    async def post(self) -> None:
        f = self.fields("notebook_path", "snapshot", "extra_files", "hide_all_input", "hide_tagged_input", "overwrite")
        notebook = self.root.notebook(f.string("notebook_path"))
        snapshot = f.body.get("snapshot")
        if snapshot is None:
            raise InvalidField("The field 'snapshot' is missing: run the environment snapshot in the kernel first.")
        parsed = actions.parse_snapshot(snapshot)
        extra = [self.root.extra_file(notebook, p) for p in f.string_list("extra_files")]
        rendering = NotebookOptions(
            hide_all_input=f.boolean("hide_all_input"), hide_tagged_input=f.boolean("hide_tagged_input")
        )
        await self.respond(
            actions.write_manifest, notebook, parsed, extra, rendering, overwrite=f.boolean("overwrite"), root=self.root
        )


ROUTES: list[tuple[str, type[JSONHandlerMixin]]] = [
    ("servers", ServersHandler),
    ("servers/add", AddServerHandler),
    ("servers/signin", SignInHandler),
    ("servers/remove", RemoveServerHandler),
    ("servers/verify", VerifyServerHandler),
    ("content/search", SearchContentHandler),
    ("files", FolderFilesHandler),
    ("environment", KernelCodeHandler),
    ("publish", PublishHandler),
    ("content/versions", VersionsHandler),
    ("content/activate", ActivateVersionHandler),
    ("content/remove-version", RemoveVersionHandler),
    (r"jobs/([0-9a-f]{32})", JobHandler),
    ("manifest", ManifestHandler),
]

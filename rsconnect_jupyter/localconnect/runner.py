"""Deploying a bundle: a background job per deploy whose progress is the task's log.

Jobs run on a small thread pool, never on the IOLoop. Each app mode has a builder that turns an
extracted bundle into something to serve; a bundle goes live only when its builder succeeds, so a
failed deploy leaves the previous bundle live. App modes that run a process (APIs, dashboards)
will get their own builder plus a process supervisor here.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import signal
import subprocess
import threading
import time
import uuid
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import IO, TYPE_CHECKING, Any, Protocol, TypedDict, cast

from . import apps, bundles, content_envs, environments, interpreters, jsonlimits, renderers
from .db_schema import now
from .settings import env_number
from .tasks import INTERRUPTED, LIVE_LINE

if TYPE_CHECKING:
    from .db import Database
    from .layout import Layout
    from .render_worker import RenderRequest
    from .rows import BundleRow, ContentRow, UserRow
    from .tasks import Task, Tasks

log = logging.getLogger("localconnect.runner")

SUPPORTED = ("static", "jupyter-static") + apps.APP_MODES
# Notebooks nest deeper than manifests (outputs hold JSON of their own: widget state, Plotly figures).
NOTEBOOK_MAX_DEPTH = 256


class DeployStepFailed(Exception):
    pass


class DeployLog(Protocol):
    """Where a deploy step writes its lines: the deploy's Task, or _Collect outside a deploy."""

    def log(self, line: str) -> None: ...


class RenderWorkerSettings(TypedDict):
    max_workers: int
    idle_seconds: float


def _render_worker_settings() -> RenderWorkerSettings:
    """How many render workers may live at once, and after how long unused they stop (env overrides)."""
    return {
        "max_workers": env_number("RSCONNECT_LOCAL_RENDER_WORKERS", 3, int, minimum=1),
        "idle_seconds": env_number("RSCONNECT_LOCAL_RENDER_IDLE_SECONDS", 600.0, float, minimum=0.5),
    }


class Runner:
    def __init__(
        self,
        db: Database,
        layout: Layout,
        tasks: Tasks,
        interpreter_list: list[interpreters.Interpreter],
        limits: bundles.BundleLimits,
        render_timeout: float = 600,
        app_start_timeout: float = 120,
    ) -> None:
        self.db = db
        self.layout = layout
        self.tasks = tasks
        self.interpreters = interpreter_list
        self.limits = limits  # {"max_files": ..., "max_unpacked": ...}
        self.render_timeout = render_timeout
        self.pool = ThreadPoolExecutor(max_workers=4, thread_name_prefix="deploy")
        self._procs: set[subprocess.Popen[bytes]] = set()
        self._procs_lock = threading.Lock()
        self._content_locks: dict[str, threading.Lock] = {}
        self.stopping = False
        self.apps = apps.Apps(start_timeout=app_start_timeout)
        self.renderers = renderers.RenderWorkers(**_render_worker_settings())

    # -- public --------------------------------------------------------------------------------
    def deploy(self, content: ContentRow, bundle: BundleRow, user: UserRow, activate: bool = True) -> Task:
        task = self.tasks.create(content["guid"], bundle["id"], user["guid"])
        self.pool.submit(self._job, task, content["guid"], bundle["id"], activate)
        return task

    def stop(self) -> None:
        """Kill every command a deploy is running (the server is stopping)."""
        self.stopping = True
        self.apps.stop_all()
        self.renderers.stop()  # workers kill their kernels
        with self._procs_lock:
            procs = list(self._procs)
        for proc in procs:
            try:
                os.killpg(proc.pid, signal.SIGKILL)
            except Exception:
                proc.kill()

    # -- the job -------------------------------------------------------------------------------
    def _content_lock(self, guid: str) -> threading.Lock:
        return self._content_locks.setdefault(guid, threading.Lock())

    def _job(self, task: Task, guid: str, bundle_id: int, activate: bool) -> None:
        try:
            with self._content_lock(guid):  # one deploy of a content item at a time
                if self.stopping:
                    raise DeployStepFailed(INTERRUPTED)
                self._deploy(task, guid, bundle_id, activate)
            task.finish(0)
        except Exception as e:
            if self.stopping:  # killed by the stop, not a failure of the bundle
                task.finish(1, INTERRUPTED)
            else:
                self._fail(task, e)

    def _fail(self, task: Task, e: Exception) -> None:
        if isinstance(e, bundles.BundleRefused):
            task.finish(1, e.message)
        elif isinstance(e, (DeployStepFailed, environments.EnvironmentError_, apps.AppFailed)):
            task.finish(1, str(e))
        else:  # a bug: say so in the task, keep the server up
            log.error("deploy task %s failed", task.id, exc_info=e)
            task.finish(1, "The local server failed to deploy: %s: %s" % (type(e).__name__, e))

    def _deploy(self, task: Task, guid: str, bundle_id: int, activate: bool) -> None:
        bundle = self.db.bundle(guid, bundle_id)
        if bundle is None or self.db.content(guid) is None:
            raise DeployStepFailed("The content or its bundle was deleted.")
        task.log("Deploying bundle %s of content %s." % (bundle_id, guid))
        archive = self.layout.bundle_archive(guid, bundle_id)
        final = self.layout.bundle_dir(guid, bundle_id)
        work = "%s.new-%s" % (final, uuid.uuid4().hex[:8])
        unpacked = self.layout.bundle_unpacked(guid, bundle_id)
        try:
            try:  # the upload unpacked it as it arrived (intake.py): the first deploy takes that folder
                os.rename(unpacked, work)
                task.log("Taking the bundle as it was unpacked on arrival.")
            except FileNotFoundError:
                # A later deploy (a version made live again): one pass over the archive; extract
                # checks every member as the upload's check did.
                task.log("Extracting the bundle.")
                bundles.extract(archive, work, **self.limits)
            manifest = bundles.manifest_in(work)
            mode = manifest["metadata"]["appmode"]
            if mode not in SUPPORTED:
                raise DeployStepFailed(
                    "App mode %r is not supported yet by the local server (it can deploy %s)."
                    % (mode, " and ".join(SUPPORTED))
                )
            if mode == "static":
                primary, py_version = self._build_static(task, manifest, work), None
            elif mode in apps.APP_MODES:
                primary, py_version, venv = self._build_app(task, manifest, work)
            else:
                primary, py_version = self._build_notebook(task, manifest, work, guid)
            self.db.update_bundle(bundle_id, primary_file=primary, py_version=py_version)
            if not activate:
                task.log("Bundle %s is built; it was not activated, as asked." % bundle_id)
            # Swap the folder in; the live bundle changes only now.
            old = None
            if os.path.exists(final):
                old = "%s.new-old-%s" % (final, uuid.uuid4().hex[:8])
                os.rename(final, old)
            os.rename(work, final)
            if old:
                shutil.rmtree(old, ignore_errors=True)
        except BaseException:
            shutil.rmtree(work, ignore_errors=True)
            raise
        if activate and mode in apps.APP_MODES:
            # The new process must answer before the content switches to it; the old one keeps
            # serving meanwhile, and on failure.
            app = self.apps.start(self.launch(guid, bundle_id, mode, final, venv, primary), task.log)
            if self.stopping:
                self.apps.stop_all()
                raise DeployStepFailed(INTERRUPTED)
            self.apps.switch(app)
        if activate:
            fields = {"bundle_id": str(bundle_id), "app_mode": mode, "last_deployed_time": now()}
            if py_version:
                fields["py_version"] = py_version
            self.db.update_content(guid, **fields)
            task.log(LIVE_LINE % bundle_id)

    # -- static ---------------------------------------------------------------------------------
    def _build_static(self, task: DeployLog, manifest: dict[str, Any], folder: str) -> str:
        meta = manifest["metadata"]
        primary = meta.get("primary_html") or meta.get("entrypoint")
        if not primary:
            candidates = [n for n in sorted(os.listdir(folder)) if n.endswith((".html", ".htm"))]
            primary = "index.html" if "index.html" in candidates else (candidates[0] if candidates else None)
        path = bundles.safe_join(folder, primary) if primary else None
        if not path or not os.path.isfile(path):
            raise DeployStepFailed("The bundle's primary HTML file %r is not in the bundle." % primary)
        task.log("Serving %s." % primary)
        return primary

    # -- jupyter-static --------------------------------------------------------------------------
    def _build_notebook(self, task: DeployLog, manifest: dict[str, Any], folder: str, guid: str) -> tuple[str, str]:
        meta = manifest["metadata"]
        entry = meta.get("entrypoint") or meta.get("primary_rmd")
        notebook = bundles.safe_join(folder, entry) if entry else None
        if not notebook or not os.path.isfile(notebook):
            raise DeployStepFailed("The bundle's notebook %r (metadata.entrypoint) is not in the bundle." % entry)
        try:  # nbformat's parser recurses per level: a hostile notebook must not crash the worker
            with open(notebook, "rb") as f:
                jsonlimits.check_depth(f.read(), NOTEBOOK_MAX_DEPTH)
        except jsonlimits.JSONRefused as e:
            raise DeployStepFailed("The notebook %r cannot be rendered: %s." % (entry, e)) from None
        output = os.path.splitext(notebook)[0] + ".html"
        answer, interp = self.render_notebook(task, manifest, folder, guid, notebook, output)
        if answer.get("status") != 0 or not os.path.isfile(output):
            content = self.db.content(guid)
            kept = "the previous bundle stays live" if content and content["bundle_id"] else "nothing was deployed"
            failed = (answer.get("error") or "Rendering the notebook failed").rstrip(". ")
            raise DeployStepFailed("%s; %s." % (failed, kept))
        return os.path.relpath(output, folder).replace(os.sep, "/"), interp.version

    def render_notebook(
        self, task: DeployLog, manifest: dict[str, Any], folder: str, guid: str, notebook: str, output: str
    ) -> tuple[dict[str, Any], interpreters.Interpreter]:
        """Run the bundle's notebook into `output` in the environment its manifest asks for (made
        when missing), with the content's variables: for a deploy and for a scheduled run (renders.py).
        Returns the worker's answer (status 0 when the HTML was written) and the Python it ran on."""
        interp = self._interpreter(task, manifest)
        requirements = self._requirements(task, manifest, folder)
        venv = environments.ensure(
            self.layout.environments,
            interp,
            requirements,
            task.log,
            self._run(task),
            installer=environments.installer_of(manifest),
        )
        jupyter = manifest.get("jupyter") or {}
        request: RenderRequest = {
            "notebook": notebook,
            "output": output,
            "cwd": folder,
            "timeout": self.render_timeout,
            "hide_all_input": bool(jupyter.get("hide_all_input")),
            "hide_tagged_input": bool(jupyter.get("hide_tagged_input")),
            "env": self.db.env_values(guid),
        }  # values reach the kernel; they are never logged
        try:
            answer = self.renderers.render(environments.venv_python(venv), request, task.log)
        except renderers.WorkerGone as e:
            raise DeployStepFailed(
                INTERRUPTED if self.stopping else "The notebook's render worker stopped twice; see the server's log."
            ) from e
        return dict(answer), interp

    # -- APIs and apps ----------------------------------------------------------------------------
    def _interpreter(self, task: DeployLog, manifest: dict[str, Any]) -> interpreters.Interpreter:
        python = manifest.get("python") or {}
        requested = python.get("version")
        available = ", ".join(i.version for i in self.interpreters) or "none"
        if not requested:
            raise DeployStepFailed(
                "The bundle's manifest.json has no python.version; this server has Python %s." % available
            )
        task.log("Bundle requested Python version %s." % requested)
        requires = interpreters.requires_of(manifest)
        interp = interpreters.choose(self.interpreters, requested, requires)
        if interp is None:
            raise DeployStepFailed(interpreters.no_match(self.interpreters, requested, requires))
        task.log("Using Python %s (%s)." % (interp.version, interp.path))
        return interp

    def _requirements(self, task: DeployLog, manifest: dict[str, Any], folder: str) -> bytes:
        package_file, requirements = content_envs.requirements_in(manifest, folder)
        if requirements is not None:
            return requirements
        task.log("The bundle has no %s: the environment gets only what the server needs to run it." % package_file)
        return b""

    def _build_app(self, task: DeployLog, manifest: dict[str, Any], folder: str) -> tuple[str, str, str]:
        mode = manifest["metadata"]["appmode"]
        entry = (manifest["metadata"].get("entrypoint") or "").strip()
        if mode == "jupyter-voila":
            notebook = bundles.safe_join(folder, entry) if entry else folder  # none: the folder's notebooks
            if not notebook or not os.path.exists(notebook):
                raise DeployStepFailed("The bundle's notebook %r (metadata.entrypoint) is not in the bundle." % entry)
        elif not entry:
            raise DeployStepFailed("The bundle's manifest.json has no metadata.entrypoint (module or module:object).")
        if mode in ("python-streamlit", "python-bokeh", "python-gradio", "python-panel"):
            script = bundles.safe_join(folder, apps.script_path(entry))
            if not script or not os.path.isfile(script):
                raise DeployStepFailed(
                    "The bundle's script %r (metadata.entrypoint) is not in the bundle." % apps.script_path(entry)
                )
        task.log("App mode %s, entrypoint %s." % (mode, entry))
        interp = self._interpreter(task, manifest)
        requirements = self._requirements(task, manifest, folder)
        extras = apps.SERVER_PACKAGES[mode]
        if extras:
            task.log("The server adds %s to the environment to serve the app." % ", ".join(extras))
        venv = environments.ensure(
            self.layout.environments,
            interp,
            requirements,
            task.log,
            self._run(task),
            extras=extras,
            installer=environments.installer_of(manifest),
        )
        return entry, interp.version, venv

    def environment_of(self, guid: str, bundle_id: str) -> tuple[str, str] | None:
        """(folder, Python version) of the environment a built bundle runs in, found again from its
        manifest as its deploy chose it; None for static content, or when it is gone."""
        folder = self.layout.bundle_dir(guid, bundle_id)
        if not os.path.isfile(os.path.join(folder, "manifest.json")):
            return None
        manifest = bundles.manifest_in(folder)
        mode = manifest["metadata"]["appmode"]
        if mode == "static":
            return None
        quiet = _Collect([])
        try:
            interp = self._interpreter(quiet, manifest)
        except DeployStepFailed:
            return None  # the Python it was built with is no longer offered
        extras = apps.SERVER_PACKAGES[mode] if mode in apps.APP_MODES else environments.NOTEBOOK_EXTRAS
        key = environments.env_key(
            interp.version,
            self._requirements(quiet, manifest, folder),
            extras,
            environments.installer_of(manifest),
        )
        venv = os.path.join(self.layout.environments, key)
        return (venv, interp.version) if os.path.isdir(venv) else None

    def _app_env(self, guid: str) -> dict[str, str]:
        env = dict(os.environ)
        env.update(self.db.env_values(guid))  # values reach the app; they are never logged
        for name in ("JUPYTER_PATH", "VIRTUAL_ENV", "PYTHONPATH"):
            env.pop(name, None)
        return env

    def launch(
        self, guid: str, bundle_id: int | str, mode: str, folder: str, venv: str, entrypoint: str
    ) -> apps.AppLaunch:
        """How to start a bundle's app: its built folder and environment, the content's variables
        and its log file (a deploy, a start after a restart, and a draft's check all start so)."""
        return apps.AppLaunch(
            guid=guid,
            bundle_id=bundle_id,
            mode=mode,
            folder=folder,
            venv_bin=os.path.dirname(environments.venv_python(venv)),
            entrypoint=entrypoint,
            env=self._app_env(guid),
            log_path=self._app_log(guid, bundle_id),
        )

    def _app_log(self, guid: str, bundle_id: int | str) -> str:
        # One file per start, named by the start's time in milliseconds: two starts of a bundle
        # within one second (a stop, then the next request) keep their own logs and jobs.
        name = "bundle-%s-%d.log" % (bundle_id, time.time() * 1000)
        return os.path.join(self.layout.content_dir(guid), "app-logs", name)

    def start_live_app(self, guid: str) -> apps.AppProcess | None:
        """Start the live bundle's app after a server restart (the first request asks for it).

        Returns the AppProcess, or None when the content is not an app. Its output goes to the
        content's app log; the server log gets one line.
        """
        with self.apps.guid_lock(guid):
            app = self.apps.get(guid)
            if app is not None:
                return app
            content = self.db.content(guid)
            if content is None or content["app_mode"] not in apps.APP_MODES or not content["bundle_id"]:
                return None
            bundle_id = content["bundle_id"]
            folder = self.layout.bundle_dir(guid, bundle_id)
            with open(os.path.join(folder, "manifest.json"), encoding="utf-8") as f:
                manifest = json.load(f)
            lines: list[str] = []
            task = _Collect(lines)
            try:
                with self._content_lock(guid):
                    app = self.apps.get(guid)  # a deploy may have started it meanwhile
                    if app is not None:
                        return app
                    entry, _, venv = self._build_app(task, manifest, folder)
                    launch = self.launch(guid, bundle_id, content["app_mode"], folder, venv, entry)
                    app = self.apps.start(launch, task.log)
                    self.apps.switch(app)
            except Exception as e:
                log.error("could not start the app of content %s: %s", guid, e)
                raise
            log.info("started the app of content %s (bundle %s) on port %d", guid, bundle_id, app.port)
            return app

    def _run(self, task: DeployLog) -> environments.RunCommand:
        """A function that runs a command, streaming its output lines into the task's log."""

        def run(argv: Sequence[str], env: Mapping[str, str] | None = None, cwd: str | None = None) -> int:
            proc = subprocess.Popen(
                argv,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                stdin=subprocess.PIPE,
                env=env,
                cwd=cwd,
                start_new_session=True,
            )
            with self._procs_lock:
                self._procs.add(proc)
            try:
                for raw in cast(IO[bytes], proc.stdout):  # a pipe: stdout=PIPE
                    line = raw.decode("utf-8", "replace").rstrip()
                    if line:
                        task.log(line)
                return proc.wait()
            finally:
                with self._procs_lock:
                    self._procs.discard(proc)
                if proc.stdin:
                    proc.stdin.close()

        return run


class _Collect:
    """A stand-in task for starting an app outside a deploy: keeps the lines in a list."""

    def __init__(self, lines: list[str]) -> None:
        self.lines = lines

    def log(self, line: str) -> None:
        self.lines.append(str(line))

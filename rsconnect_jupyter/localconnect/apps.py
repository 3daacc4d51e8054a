"""Python APIs and apps: one process per live content item on a private 127.0.0.1 port.

The runner starts a process for a deploy (`start`), waits until it answers, then `switch`es the
content to it; the old process is stopped once its in-flight requests are done (at most a grace
period), so a redeploy loses no request. The proxy (handlers.py) asks `get` for the live process.
Processes run in their own session (process group), so stopping the server stops them and their
children. After a server restart, apps start again lazily, on their first request.

An app's output goes through a pipe to a thread of the server that writes its log file and
rotates it at APP_LOG_MAX_BYTES, keeping APP_LOG_KEEP older files (`.1` is the newest of them):
an app that prints in a loop cannot fill the disk, and its latest lines are always kept.
"""

from __future__ import annotations

import http.client
import logging
import os
import signal
import socket
import subprocess
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import IO, cast

from . import app_exits
from .settings import env_number

log = logging.getLogger("localconnect.apps")

APP_MODES = (
    "python-api",
    "python-fastapi",
    "python-dash",
    "python-streamlit",
    "python-bokeh",
    "python-shiny",
    "jupyter-voila",
    "python-gradio",
    "python-panel",
)
# Packages the server adds to the content's environment to serve it (unpinned: a pin in
# requirements.txt wins).
SERVER_PACKAGES: dict[str, tuple[str, ...]] = {
    "python-api": ("waitress",),
    "python-dash": ("waitress",),
    "python-fastapi": ("uvicorn",),
    "python-streamlit": (),
    "python-bokeh": (),
    "python-shiny": (),  # shiny brings uvicorn
    "jupyter-voila": ("ipykernel",),  # the notebook's kernel
    "python-gradio": (),
    "python-panel": (),
}
# Modes whose process checks the Host and Origin it is called with against its own address.
OWN_HOST_MODES = ("python-streamlit", "python-bokeh", "jupyter-voila", "python-panel")
APPHOST = os.path.join(os.path.dirname(os.path.abspath(__file__)), "apphost.py")
APP_LOG_MAX_BYTES = 10 * 1024 * 1024  # per file; env RSCONNECT_APP_LOG_MAX_BYTES (read at each app start)
APP_LOG_KEEP = 3  # older files kept beside it; env RSCONNECT_APP_LOG_KEEP
# A Voila page's kernel runs until the page says goodbye; a page that never connects to it (a
# fetch without a browser) or a browser that vanished leaves it: Voila culls such kernels, with no
# connection, after this many idle seconds. Env RSCONNECT_VOILA_IDLE_SECONDS (read at each start).
VOILA_IDLE_SECONDS = 600


class AppFailed(Exception):
    pass


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def script_path(entrypoint: str) -> str:
    """Streamlit, Bokeh, Gradio and Panel run a script: `app.py`, or a module name `app` (`app:obj` too)."""
    if entrypoint.endswith(".py"):
        return entrypoint
    return entrypoint.split(":", 1)[0].replace(".", "/") + ".py"


def health_path(mode: str, prefix: str) -> str:
    """The path a starting app is asked for until it answers (below the prefix unless stripped).

    Voila renders the notebook, and starts a kernel, for its root: its own script is cheaper."""
    if mode == "jupyter-voila":
        return prefix + "voila/static/voila.js"
    return prefix


def command(mode: str, python: str, entrypoint: str, port: int, prefix: str) -> tuple[list[str], bool]:
    """(argv, strip_prefix): the proxy strips `prefix` from paths when strip_prefix is true."""
    if mode == "python-api":
        return [python, APPHOST, "wsgi", entrypoint, str(port), prefix], False
    if mode == "python-dash":
        return [python, APPHOST, "dash", entrypoint, str(port), prefix], False
    if mode == "python-fastapi":
        return [python, APPHOST, "asgi", entrypoint, str(port), prefix], True
    if mode == "python-streamlit":
        return [
            python,
            "-m",
            "streamlit",
            "run",
            script_path(entrypoint),
            "--server.port",
            str(port),
            "--server.address",
            "127.0.0.1",
            "--server.headless",
            "true",
            "--server.baseUrlPath",
            prefix.strip("/"),
            "--browser.gatherUsageStats",
            "false",
            "--server.fileWatcherType",
            "none",
        ], False
    if mode in ("python-bokeh", "python-panel"):
        # Panel serves its apps with Bokeh's server, and takes the same options.
        return [
            python,
            "-m",
            "bokeh" if mode == "python-bokeh" else "panel",
            "serve",
            script_path(entrypoint),
            "--port",
            str(port),
            "--address",
            "127.0.0.1",
            "--allow-websocket-origin",
            "127.0.0.1:%d" % port,
            "--prefix",
            prefix.rstrip("/"),
        ], False
    if mode == "python-shiny":
        # Shiny's pages use relative URLs: the proxy strips the prefix, uvicorn's root_path says it.
        return [python, APPHOST, "asgi", shiny_entrypoint(entrypoint), str(port), prefix], True
    if mode == "jupyter-voila":
        # metadata.entrypoint is the notebook; empty (rsconnect-python's --multi-notebook) serves
        # the folder's notebooks.
        idle = env_number("RSCONNECT_VOILA_IDLE_SECONDS", VOILA_IDLE_SECONDS, minimum=1)
        return [
            python,
            "-m",
            "voila",
            *([entrypoint] if entrypoint else []),
            "--no-browser",
            "--port=%d" % port,
            "--Voila.ip=127.0.0.1",
            "--base_url=%s" % prefix,
            "--MappingKernelManager.cull_idle_timeout=%d" % idle,
            "--MappingKernelManager.cull_interval=%d" % max(1, min(60, idle // 2)),
        ], False
    if mode == "python-gradio":
        # The script runs as __main__ with GRADIO_SERVER_NAME/PORT/ROOT_PATH set, so its own
        # launch() serves on our port under the prefix, which the proxy strips.
        return [python, APPHOST, "gradio", entrypoint, str(port), prefix], True
    raise AppFailed("App mode %r cannot run as a process." % mode)


def shiny_entrypoint(entrypoint: str) -> str:
    """`app`, `app:app` or `app.py` (rsconnect-python writes the module form) as MODULE:OBJECT."""
    if entrypoint.endswith(".py"):
        entrypoint = entrypoint[: -len(".py")].replace("/", ".")
    return entrypoint if ":" in entrypoint else entrypoint + ":app"


def log_limits() -> tuple[int, int]:
    """(bytes per file, older files kept); the environment wins over the defaults."""
    return (
        env_number("RSCONNECT_APP_LOG_MAX_BYTES", APP_LOG_MAX_BYTES, minimum=1024),
        env_number("RSCONNECT_APP_LOG_KEEP", APP_LOG_KEEP),
    )


class RotatingLog:
    """A log file that moves to `.1` (`.1` to `.2`, ...) before a write would take it past `max_bytes`."""

    def __init__(self, path: str, max_bytes: int, keep: int) -> None:
        self.path, self.max_bytes, self.keep = path, max_bytes, keep
        self.file = open(path, "ab")
        self.size = self.file.tell()

    def write(self, data: bytes) -> None:
        while data:
            room = self.max_bytes - self.size
            if room <= 0:
                self.rotate()
                continue
            piece = data[:room]
            if len(data) > room:
                cut = piece.rfind(b"\n") + 1  # a line stays whole in one file when it fits
                if cut and self.size + cut <= self.max_bytes:
                    piece = piece[:cut]
            self.file.write(piece)
            self.file.flush()  # readers (the deploy's task log, a user's tail) see lines at once
            self.size += len(piece)
            data = data[len(piece) :]
            if data:
                self.rotate()

    def rotate(self) -> None:
        self.file.close()
        if self.keep:
            for n in range(self.keep - 1, 0, -1):
                if os.path.exists("%s.%d" % (self.path, n)):
                    os.replace("%s.%d" % (self.path, n), "%s.%d" % (self.path, n + 1))
            os.replace(self.path, self.path + ".1")
        self.file = open(self.path, "wb")  # with no older files kept, start the file again
        self.size = 0

    def close(self) -> None:
        self.file.close()


def copy_output(pipe: IO[bytes], log_file: RotatingLog) -> None:
    """Copy an app's output from its pipe into its rotating log until the app closes it."""
    writable = True
    try:
        while True:
            data = os.read(pipe.fileno(), 65536)
            if not data:
                break
            if writable:
                try:
                    log_file.write(data)
                except (OSError, ValueError) as e:  # a full disk: the app keeps running, its output is lost
                    log.warning("the output of an app could not be written to %s: %s", log_file.path, e)
                    writable = False  # but the pipe is still drained, so the app never blocks on it
    except OSError:
        pass
    finally:
        pipe.close()
        log_file.close()


class AppProcess:
    def __init__(
        self,
        guid: str,
        bundle_id: int | str,
        mode: str,
        port: int,
        strip_prefix: bool,
        proc: subprocess.Popen[bytes],
        log_path: str,
    ) -> None:
        self.guid = guid
        self.bundle_id = str(bundle_id)
        self.mode = mode
        self.port = port
        self.strip_prefix = strip_prefix
        self.proc = proc
        self.log_path = log_path
        self.inflight = 0  # requests and websockets the proxy has open to it (IOLoop thread only)

    @property
    def prefix(self) -> str:
        return "/content/%s/" % self.guid

    def alive(self) -> bool:
        return self.proc.poll() is None

    def answers(self) -> bool:
        """True when GET of its root answers with a status below 500."""
        path = health_path(self.mode, "/" if self.strip_prefix else self.prefix)
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=5)
        try:
            conn.request("GET", path, headers={"Host": "127.0.0.1:%d" % self.port})
            return conn.getresponse().status < 500
        except (OSError, http.client.HTTPException):
            return False
        finally:
            conn.close()

    def terminate(self, timeout: float = 10) -> None:
        if self.proc.poll() is not None:
            return
        try:
            os.killpg(self.proc.pid, signal.SIGTERM)
        except OSError:
            self.proc.terminate()
        try:
            self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            try:
                os.killpg(self.proc.pid, signal.SIGKILL)
            except OSError:
                self.proc.kill()
            self.proc.wait()


@dataclass(frozen=True)
class AppLaunch:
    """What `Apps.start` runs: the content's bundle (`folder`, extracted), its app mode and
    entrypoint, the environment's bin folder, the process's environment variables, its log file."""

    guid: str
    bundle_id: int | str
    mode: str
    folder: str
    venv_bin: str
    entrypoint: str
    env: Mapping[str, str]
    log_path: str


class Apps:
    def __init__(self, start_timeout: float = 120, grace: float = 30) -> None:
        self.start_timeout = start_timeout
        self.grace = grace
        self._live: dict[str, AppProcess] = {}
        self._starting: set[AppProcess] = set()  # every process not yet stopped, to stop at shutdown
        self._lock = threading.Lock()
        self._guid_locks: dict[str, threading.Lock] = {}
        self.stopping = False

    def guid_lock(self, guid: str) -> threading.Lock:
        with self._lock:
            return self._guid_locks.setdefault(guid, threading.Lock())

    def get(self, guid: str) -> AppProcess | None:
        proc = self._live.get(guid)
        return proc if proc is not None and proc.alive() else None

    def start(self, launch: AppLaunch, say: Callable[[str], None]) -> AppProcess:
        """Start the app and wait until it answers; `say(line)` gets its output meanwhile.

        Raises AppFailed (after stopping it) when it exits or does not answer in time.
        """
        guid, mode, venv_bin, log_path = launch.guid, launch.mode, launch.venv_bin, launch.log_path
        python = os.path.join(venv_bin, "python")
        port = free_port()
        prefix = "/content/%s/" % guid
        argv, strip = command(mode, python, launch.entrypoint, port, prefix)
        env = dict(launch.env)
        env["PATH"] = venv_bin + os.pathsep + env.get("PATH", "")
        env["VIRTUAL_ENV"] = os.path.dirname(venv_bin)
        env["PYTHONUNBUFFERED"] = "1"
        env.pop("PYTHONPATH", None)
        env.pop("PYTHONHOME", None)
        if mode == "python-dash":
            env["DASH_REQUESTS_PATHNAME_PREFIX"] = prefix
            env["DASH_ROUTES_PATHNAME_PREFIX"] = prefix
        env["CONNECT_CONTENT_GUID"] = guid
        shown = " ".join(os.path.basename(a) if a in (python, APPHOST) else a for a in argv[:4])
        say("Starting the app: %s ..." % shown)
        os.makedirs(os.path.dirname(log_path), exist_ok=True)
        out = RotatingLog(log_path, *log_limits())  # one log file (and its rotations) per process start
        try:
            proc = subprocess.Popen(
                argv,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                cwd=launch.folder,
                env=env,
                start_new_session=True,
            )
        except BaseException:
            out.close()
            raise
        threading.Thread(
            target=copy_output, args=(cast(IO[bytes], proc.stdout), out), daemon=True, name="app-log-%s" % guid[:8]
        ).start()
        app = AppProcess(guid, launch.bundle_id, mode, port, strip, proc, log_path)
        with open(log_path + ".pid", "w") as f:  # so a server that was killed can clean up at next start
            f.write(str(proc.pid))
        with self._lock:
            self._starting.add(app)
        # Follow its output into the task log until it answers.
        deadline = time.time() + self.start_timeout
        pos = 0
        while True:
            pos = self._follow(log_path, pos, say)
            if self.stopping:
                self._stop(app)
                raise AppFailed("The local server is stopping.")
            if not app.alive():
                time.sleep(0.2)
                self._follow(log_path, pos, say)
                code = proc.wait()
                self._forget(app)
                raise AppFailed("The app exited with status %d while starting; see its output above." % code)
            if app.answers():
                self._follow(log_path, pos, say)
                say("The app answers on its private port.")
                return app
            if time.time() > deadline:
                self._follow(log_path, pos, say)
                self._stop(app)
                raise AppFailed("The app did not answer within %d seconds; see its output above." % self.start_timeout)
            time.sleep(0.25)

    @staticmethod
    def _follow(path: str, pos: int, say: Callable[[str], None]) -> int:
        try:
            with open(path, "rb") as f:
                if os.fstat(f.fileno()).st_size < pos:
                    return 0  # rotated meanwhile: follow the new file from its start
                f.seek(pos)
                data = f.read()
        except OSError:
            return pos
        # Only whole lines, unless the process is done with them.
        end = data.rfind(b"\n") + 1
        for raw in data[:end].splitlines():
            line = raw.decode("utf-8", "replace").rstrip()
            if line:
                say(line)
        return pos + end

    def switch(self, app: AppProcess) -> None:
        """Make `app` the live process of its content; stop the previous one after its requests."""
        with self._lock:
            old = self._live.get(app.guid)
            self._live[app.guid] = app
        if old is not None and old is not app:
            threading.Thread(target=self._retire, args=(old,), daemon=True).start()

    def _retire(self, app: AppProcess) -> None:
        deadline = time.time() + self.grace
        time.sleep(0.5)
        while app.inflight > 0 and time.time() < deadline and app.alive():
            time.sleep(0.2)
        self._stop(app)

    def _stop(self, app: AppProcess) -> None:
        try:
            app.terminate()
        finally:
            self._forget(app)

    def _forget(self, app: AppProcess) -> None:
        app_exits.write_exit(app.log_path, app.proc.poll())
        try:
            os.unlink(app.log_path + ".pid")
        except OSError:
            pass
        with self._lock:
            self._starting.discard(app)
            if self._live.get(app.guid) is app:
                del self._live[app.guid]

    def stop(self, guid: str) -> None:
        """The content was deleted."""
        with self._lock:
            app = self._live.pop(guid, None)
        if app is not None:
            self._stop(app)

    def stop_all(self) -> None:
        self.stopping = True
        with self._lock:
            apps = set(self._starting) | set(self._live.values())
        threads = [threading.Thread(target=self._stop, args=(a,)) for a in apps]
        for t in threads:
            t.start()
        for t in threads:
            t.join()


def kill_leftovers(content_root: str) -> None:
    """At start: stop app processes a killed server left running (their pid files remain)."""
    if not os.path.isdir(content_root):
        return
    for guid in os.listdir(content_root):
        logs = os.path.join(content_root, guid, "app-logs")
        for name in os.listdir(logs) if os.path.isdir(logs) else ():
            if not name.endswith(".pid"):
                continue
            path = os.path.join(logs, name)
            try:
                with open(path) as f:
                    pid = int(f.read().strip())
                with open("/proc/%d/cmdline" % pid, "rb") as f:
                    ours = guid.encode() in f.read()  # every app's command line names its prefix
                if ours:  # the pid was not reused by something else
                    log.info("stopping the app process %d of content %s left by a previous run", pid, guid)
                    os.killpg(pid, signal.SIGKILL)
            except (OSError, ValueError):
                pass
            try:
                os.unlink(path)
            except OSError:
                pass

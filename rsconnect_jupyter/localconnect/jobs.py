"""A content item's jobs, as Connect's `v1/content/{guid}/jobs` shows them, from what this server has.

A job here is either
- a deploy task (tasks.py, the `tasks` table): its log is the task's output; its tag says what the
  deploy built: `build_jupyter` (a notebook rendered), `python_restore` (an app's environment, and
  the app started), `unknown` (static files); or
- a start of an app's process (apps.py): its log is the process's own log file,
  DATA/content/GUID/app-logs/bundle-ID-TIME.log, and that file's rotations (`.3` ... `.1`, oldest
  first); its tag is Connect's `run_*` tag of the app mode.

What the server does not record is null: no job has a queue, image, cluster, variant or heartbeat;
a job's pid is known only while it runs (a deploy runs in the server's own process), and its end
time is the task's end (or, for an app process, when the server stopped it: apps.py writes
LOG.exit with the exit code and the time). A task's exit code is 0 (deployed) or 1 (failed); an app
process that ended without the server stopping it has no recorded exit. Log entries carry no timestamp (the server keeps
lines, not times); an app writes stdout and stderr into one file, so its lines are all `stdout`,
and a failed task's last line (its error) is `stderr`.

Keys are 16 letters and digits derived from the task's id (itself random) or the log file's name:
stable, unique within a content item, and revealing neither.

The API for the pages (the dashboard) and handlers/jobs.py; none of them checks who asks (the
caller does, as for reading the content):
    list_jobs(state, guid) -> list[Job]              newest first; [] for unknown content
    find_job(state, guid, key) -> Job | None
    job_log(state, guid, key, max_lines=5000) -> list[LogEntry]   raises NoSuchJob
    log_of(state, job, max_lines=5000) -> list[LogEntry]           a listed job's log, oldest line first
    stop_job(state, job) -> None                     stops a running app process (blocks up to ~10 s)
`Job.json()` and `LogEntry.json()` are Connect's JSON shapes.
"""

from __future__ import annotations

import getpass
import hashlib
import os
import re
import signal
import socket
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Literal, TypedDict

from . import app_exits, apps

if TYPE_CHECKING:
    from .state import State

# Connect answers at most this many log lines (the `maxLogLines` query argument asks for fewer).
MAX_LOG_LINES = 5000

ACTIVE, FINISHED = 0, 1  # Connect's job status: 0 active, 1 finished (2, finalized, is not used here)

# Connect's job tags for the process of each app mode (posit-sdk-py's JobTag). Gradio has none
# there: its processes are `unknown`.
RUN_TAGS = {
    "python-api": "run_python_api",
    "python-fastapi": "run_fastapi_app",
    "python-dash": "run_dash_app",
    "python-streamlit": "run_streamlit",
    "python-bokeh": "run_bokeh_app",
    "python-shiny": "run_pyshiny_app",
    "jupyter-voila": "run_voila_app",
}
APP_LOG_NAME = re.compile(r"^bundle-(\d+)-(\d+)\.log$")
_KEY_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"

Kind = Literal["task", "app"]


class JobJSON(TypedDict):
    """One job as Connect answers it (fixtures v1_content_<guid>_jobs*.json): ids are strings."""

    id: str | None
    ppid: str | None
    pid: str | None
    key: str
    remote_id: str | None
    app_id: str
    content_id: str
    content_guid: str
    variant_id: str | None
    bundle_id: str | None
    start_time: str
    end_time: str | None
    last_heartbeat_time: str | None
    queued_time: str | None
    queue_name: str | None
    tag: str
    exit_code: int | None
    status: int
    hostname: str
    cluster: str | None
    image: str | None
    run_as: str | None


class LogEntryJSON(TypedDict):
    source: str  # "stdout" or "stderr"
    timestamp: str | None
    data: str


@dataclass(frozen=True)
class Job:
    key: str
    kind: Kind  # "task": a deploy; "app": one start of the app's process
    content_id: int
    content_guid: str
    bundle_id: str | None
    tag: str
    start_time: str  # RFC 3339, UTC
    status: int  # ACTIVE or FINISHED
    exit_code: int | None
    pid: int | None  # while it runs
    number: int | None  # a task's row number (Connect's numeric job id); None for app processes
    task_id: str | None = None  # the deploy task (never shown in the API: task ids are private)
    log_path: str | None = None  # an app process's current log file
    end_time: str | None = None  # RFC 3339, UTC; None while it runs or when not recorded

    @property
    def active(self) -> bool:
        return self.status == ACTIVE

    def json(self) -> JobJSON:
        return {
            "id": None if self.number is None else str(self.number),
            "ppid": str(os.getpid()) if self.kind == "app" and self.active else None,
            "pid": None if self.pid is None else str(self.pid),
            "key": self.key,
            "remote_id": None,
            "app_id": str(self.content_id),
            "content_id": str(self.content_id),
            "content_guid": self.content_guid,
            "variant_id": None,
            "bundle_id": self.bundle_id,
            "start_time": self.start_time,
            "end_time": self.end_time,
            "last_heartbeat_time": None,
            "queued_time": None,
            "queue_name": None,
            "tag": self.tag,
            "exit_code": self.exit_code,
            "status": self.status,
            "hostname": _HOSTNAME,
            "cluster": None,
            "image": None,
            "run_as": _RUN_AS,
        }


@dataclass(frozen=True)
class LogEntry:
    source: str  # "stdout" or "stderr"
    data: str
    timestamp: str | None = None  # the server keeps no time per line

    def json(self) -> LogEntryJSON:
        return {"source": self.source, "timestamp": self.timestamp, "data": self.data}


class NoSuchJob(LookupError):
    """The content item has no job with that key."""


def _run_as() -> str | None:
    try:
        return getpass.getuser()  # jobs run as the server's user
    except Exception:  # no name for this uid (a container): say nothing rather than guess
        return None


_HOSTNAME = socket.gethostname()
_RUN_AS = _run_as()


def make_key(*parts: str) -> str:
    """16 letters and digits from a hash of `parts` (stable, and revealing nothing of them)."""
    number = int.from_bytes(hashlib.sha256("\0".join(parts).encode("utf-8")).digest(), "big")
    chars = []
    for _ in range(16):
        number, digit = divmod(number, len(_KEY_ALPHABET))
        chars.append(_KEY_ALPHABET[digit])
    return "".join(chars)


def rfc3339(seconds: float) -> str:
    return datetime.fromtimestamp(seconds, timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def task_tag(app_mode: str | None) -> str:
    if app_mode == "jupyter-static":
        return "build_jupyter"
    if app_mode in apps.APP_MODES:
        return "python_restore"
    return "unknown"


# -- listing ------------------------------------------------------------------------------------
def list_jobs(state: State, guid: str) -> list[Job]:
    """The content's jobs, newest first ([] when there is no such content)."""
    content = state.db.content(guid)
    if content is None:
        return []
    modes = {str(b["id"]): b["app_mode"] for b in state.db.bundles(guid)}
    found = _task_jobs(state, guid, content["id"], modes) + _app_jobs(state, guid, content["id"], modes)
    found.sort(key=lambda j: (j.start_time, j.kind == "app", j.number or 0, j.key), reverse=True)
    return found


def find_job(state: State, guid: str, key: str) -> Job | None:
    return next((j for j in list_jobs(state, guid) if j.key == key), None)


def _task_jobs(state: State, guid: str, content_id: int, modes: dict[str, str | None]) -> list[Job]:
    found = []
    for row in state.db.content_tasks(guid):
        finished = bool(row["finished"])
        bundle_id = row["bundle_id"]
        found.append(
            Job(
                key=make_key("task", row["id"]),
                kind="task",
                content_id=content_id,
                content_guid=guid,
                bundle_id=bundle_id,
                tag=task_tag(modes.get(bundle_id or "")),
                start_time=row["created_time"],
                status=FINISHED if finished else ACTIVE,
                exit_code=int(row["code"]) if finished else None,
                pid=None if finished else os.getpid(),  # a deploy runs in the server's process
                number=int(row["number"]),
                task_id=row["id"],
                end_time=row.get("end_time") if finished else None,
            )
        )
    return found


def _app_jobs(state: State, guid: str, content_id: int, modes: dict[str, str | None]) -> list[Job]:
    folder = os.path.join(state.layout.content_dir(guid), "app-logs")
    try:
        names = os.listdir(folder)
    except OSError:
        return []
    content = state.db.content(guid)
    live = state.runner.apps.get(guid)
    found = []
    for name in names:
        m = APP_LOG_NAME.match(name)
        if not m:
            continue
        path = os.path.join(folder, name)
        bundle_id, started = m.group(1), int(m.group(2))
        if started > 10**11:  # milliseconds (runner._app_log); folders from before hold seconds
            started //= 1000
        if live is not None and live.log_path == path:
            pid: int | None = live.proc.pid
        else:
            pid = running_pid(path, guid)
        mode = modes.get(bundle_id) or (content["app_mode"] if content else None)
        exit_code, end_time = (None, None) if pid is not None else app_exits.read_exit(path)
        found.append(
            Job(
                key=make_key("app", guid, name),
                kind="app",
                content_id=content_id,
                content_guid=guid,
                bundle_id=bundle_id,
                tag=RUN_TAGS.get(mode or "", "unknown"),
                start_time=rfc3339(started),
                status=ACTIVE if pid is not None else FINISHED,
                exit_code=exit_code,
                pid=pid,
                number=None,
                log_path=path,
                end_time=end_time,
            )
        )
    return found


def running_pid(log_path: str, guid: str) -> int | None:
    """The pid of the app process writing `log_path`, while it runs (apps.py keeps LOG.pid until it
    has stopped the process); None once it is gone."""
    try:
        with open(log_path + ".pid") as f:
            pid = int(f.read().strip())
    except (OSError, ValueError):
        return None
    return pid if is_app_process(pid, guid) else None


def is_app_process(pid: int, guid: str) -> bool:
    """Whether `pid` runs an app of content `guid` (every app's command line names its prefix; a pid
    reused by another program, or an exited process not yet reaped, does not)."""
    try:
        with open("/proc/%d/cmdline" % pid, "rb") as f:
            return guid.encode() in f.read()
    except FileNotFoundError:
        if os.path.isdir("/proc"):
            return False
    except OSError:
        return False
    try:  # no /proc (macOS): whether the process exists at all
        os.kill(pid, 0)
        return True
    except OSError:
        return False


# -- logs -----------------------------------------------------------------------------------------
def job_log(state: State, guid: str, key: str, max_lines: int = MAX_LOG_LINES) -> list[LogEntry]:
    """The job's last `max_lines` log lines, oldest first. Raises NoSuchJob."""
    job = find_job(state, guid, key)
    if job is None:
        raise NoSuchJob(key)
    return log_of(state, job, max_lines)


def log_of(state: State, job: Job, max_lines: int = MAX_LOG_LINES) -> list[LogEntry]:
    max_lines = max(0, min(max_lines, MAX_LOG_LINES))
    if max_lines == 0:
        return []
    if job.kind == "task":
        got = state.tasks.state(job.task_id or "")
        if got is None:
            return []
        _, output, finished, code, error = got
        entries = [LogEntry("stdout", line) for line in output]
        if finished and code and error and output and output[-1] == error:
            entries[-1] = LogEntry("stderr", error)  # the failure the task ended with
        return entries[-max_lines:]
    path = job.log_path or ""
    _, keep = apps.log_limits()
    rotations = ["%s.%d" % (path, n) for n in range(max(keep, 0), 0, -1)]  # oldest first
    return [LogEntry("stdout", line) for line in tail_lines([*rotations, path], max_lines)]


def tail_lines(paths: list[str], limit: int) -> list[str]:
    """The last `limit` lines of the files `paths` (oldest first) read as one; missing files are skipped."""
    lines: list[str] = []
    for path in reversed(paths):
        need = limit - len(lines)
        if need <= 0:
            break
        lines = _file_tail(path, need) + lines
    return lines


def _file_tail(path: str, limit: int) -> list[str]:
    """The last `limit` lines of one file, read backwards in blocks (a log may be large)."""
    blocks: list[bytes] = []  # newest first
    newlines = 0
    try:
        with open(path, "rb") as f:
            pos = f.seek(0, os.SEEK_END)
            while pos > 0 and newlines <= limit:
                step = min(64 * 1024, pos)
                pos -= step
                f.seek(pos)
                block = f.read(step)
                blocks.append(block)
                newlines += block.count(b"\n")
    except OSError:  # not there (fewer rotations), or rotated away meanwhile
        return []
    raw = b"".join(reversed(blocks)).split(b"\n")
    if raw and raw[-1] == b"":
        raw.pop()  # the file's last newline ends a line, it starts none
    if pos > 0:
        raw = raw[1:]  # the first piece is the end of a line we did not read whole
    return [line.decode("utf-8", "replace").rstrip("\r") for line in raw[-limit:]]


# -- stopping -----------------------------------------------------------------------------------
def stop_job(state: State, job: Job, timeout: float = 10) -> None:
    """Stop a running app process (blocks until it has stopped, at most about `timeout` seconds).

    The live process of the content goes through apps.py (the next request starts it again, as
    after a restart); a process that is starting or retiring is signalled directly."""
    if job.kind != "app" or job.pid is None:
        raise ValueError("only a running app process can be stopped")
    live = state.runner.apps.get(job.content_guid)
    if live is not None and live.log_path == job.log_path:
        state.runner.apps.stop(job.content_guid)
        return
    pid = job.pid
    for sig, wait in ((signal.SIGTERM, timeout), (signal.SIGKILL, 5.0)):
        if not is_app_process(pid, job.content_guid):
            return
        try:
            os.killpg(pid, sig)
        except OSError:
            return
        deadline = time.monotonic() + wait
        while time.monotonic() < deadline and is_app_process(pid, job.content_guid):
            time.sleep(0.1)

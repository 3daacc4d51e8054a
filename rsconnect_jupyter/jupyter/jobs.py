"""Background publish jobs: run in a thread pool, never on the Tornado event loop.

The browser starts a job, then polls its log with a cursor (the number of lines it has seen),
and the bundle's progress (the latest build or upload byte counts: numbers only, never text).
Secrets handed to a job are scrubbed from every log line as a second line of defence.
"""

from __future__ import annotations

import itertools
import logging
import threading
import uuid
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Callable, TypedDict

from ..exceptions import Hint
from ..progress import ProgressUpdate

Log = Callable[[str], None]
# A job's work: work(log) or, started `with_progress`, work(log, progress); returns JSON-able data.
Work = Callable[..., Any]
DescribeError = Callable[[BaseException], str]


class ProgressState(TypedDict):
    phase: str
    done: int
    total: int


class JobState(TypedDict):
    """What /jobs/{id} answers."""

    id: str
    lines: list[str]
    cursor: int
    finished: bool
    result: Any
    error: str | None
    fix: str | None  # the error's hint (exceptions.Fix), for the dialog to offer that control
    progress: ProgressState | None


# Two pools, so that quick calls (list, verify, search) never wait behind long publishes.
REQUESTS = ThreadPoolExecutor(max_workers=4, thread_name_prefix="rsconnect-jupyter-request")
PUBLISHES = ThreadPoolExecutor(max_workers=4, thread_name_prefix="rsconnect-jupyter-publish")
MAX_KEPT_JOBS = 50
log = logging.getLogger(__name__)


class Job:
    def __init__(self, secrets: Iterable[str | None] = ()) -> None:
        self.id = uuid.uuid4().hex
        self._lock = threading.Lock()
        self._lines: list[str] = []
        self._secrets = [s for s in secrets if s]
        self.finished = False
        self.result: Any = None
        self.error: str | None = None
        self.fix: str | None = None
        self._progress: ProgressState | None = None

    def scrub(self, message: object) -> str:
        text = str(message)
        for secret in self._secrets:
            text = text.replace(secret, "***")
        return text

    def log(self, message: object) -> None:
        text = self.scrub(message)
        with self._lock:
            self._lines.extend(text.splitlines() or [""])

    def progress(self, update: ProgressUpdate) -> None:
        """Keep the latest byte counts of the bundle's build or upload, for the dialog's bar."""
        state: ProgressState = {"phase": str(update.phase), "done": int(update.done), "total": int(update.total)}
        with self._lock:
            self._progress = state

    def state(self, cursor: int = 0) -> JobState:
        with self._lock:
            cursor = max(0, min(cursor, len(self._lines)))
            return {
                "id": self.id,
                "lines": self._lines[cursor:],
                "cursor": len(self._lines),
                "finished": self.finished,
                "result": self.result,
                "error": self.error,
                "fix": self.fix,
                "progress": self._progress,
            }

    def run(self, work: Work, describe_error: DescribeError, with_progress: bool = False) -> None:
        """work(log) -> JSON-able result (work(log, progress) when `with_progress`);
        describe_error(exc) -> one sentence."""
        try:
            result = work(self.log, self.progress) if with_progress else work(self.log)
        except BaseException as exc:  # every failure must reach the dialog as a sentence
            message = self.scrub(describe_error(exc))  # the dialog shows it: scrubbed like the log
            self.log(message)
            hint = getattr(exc, "hint", None)
            with self._lock:
                self.error = message
                self.fix = hint.fix.value if isinstance(hint, Hint) else None
                self.finished = True
        else:
            with self._lock:
                self.result = result
                self.finished = True


class JobRegistry:
    def __init__(self) -> None:
        self._jobs: dict[str, tuple[int, Job]] = {}
        self._order = itertools.count()
        self._lock = threading.Lock()

    def start(
        self, work: Work, describe_error: DescribeError, secrets: Iterable[str | None] = (), with_progress: bool = False
    ) -> Job:
        job = Job(secrets)
        with self._lock:
            self._jobs[job.id] = (next(self._order), job)
            if len(self._jobs) > MAX_KEPT_JOBS:
                # forget the oldest finished jobs
                for key, (_, old) in sorted(self._jobs.items(), key=lambda kv: kv[1][0]):
                    if len(self._jobs) <= MAX_KEPT_JOBS:
                        break
                    if old.finished:
                        del self._jobs[key]
        PUBLISHES.submit(job.run, work, describe_error, with_progress)
        return job

    def get(self, job_id: str) -> Job | None:
        with self._lock:
            entry = self._jobs.get(job_id)
        return entry[1] if entry else None


JOBS = JobRegistry()

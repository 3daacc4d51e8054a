"""The server's render workers: one long-lived process per content environment (render_worker.py).

A worker pays the nbconvert import and a kernel start ahead of the deploys that use it. At most
`max_workers` live at once (the least recently used idle one is stopped to make room; when all are
busy a new environment waits), and one unused for `idle_seconds` is stopped. A worker that died
is replaced by a fresh one; a render cut off by a worker's death runs once more in a fresh one.
"""

from __future__ import annotations

import collections
import itertools
import json
import logging
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from typing import IO, TYPE_CHECKING, cast

if TYPE_CHECKING:
    import queue

    from .render_worker import RenderAnswer, RenderRequest

log = logging.getLogger("localconnect.render")


class WorkerGone(Exception):
    pass


class Worker:
    """One render worker process and the renders waiting for its answers."""

    def __init__(self, python: str) -> None:
        env = dict(os.environ)
        env.pop("JUPYTER_PATH", None)
        self.python = python
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "rsconnect_jupyter.localconnect.render_worker", "--python", python],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            env=env,
            start_new_session=True,
        )
        self.busy = 0
        self.last_used = time.monotonic()
        self._ids = itertools.count(1)
        self._waiting: dict[int, queue.Queue[RenderAnswer | None]] = {}
        self._lock = threading.Lock()
        self._gone = False
        threading.Thread(target=self._read, daemon=True, name="render-worker-%d" % self.proc.pid).start()

    def alive(self) -> bool:
        running = self.proc.poll() is None  # first: a dead worker is reaped, its pid no zombie
        return running and not self._gone

    def _read(self) -> None:
        for raw in cast(IO[bytes], self.proc.stdout):  # a pipe: stdout=PIPE
            try:
                message = json.loads(raw)
            except ValueError:
                continue
            with self._lock:
                answers = self._waiting.get(message.get("id"))
            if answers is not None:
                answers.put(message)
        with self._lock:
            self._gone = True
            waiting = list(self._waiting.values())
        for answers in waiting:
            answers.put(None)

    def render(self, request: RenderRequest, log_line: Callable[[str], None]) -> RenderAnswer:
        """Send one render and follow it; returns the final answer ({"status", "error"})."""
        import queue

        answers: queue.Queue[RenderAnswer | None] = queue.Queue()
        with self._lock:
            if self._gone:
                raise WorkerGone()
            rid = next(self._ids)
            self._waiting[rid] = answers
        try:
            stdin = cast(IO[bytes], self.proc.stdin)  # a pipe: stdin=PIPE
            try:
                stdin.write((json.dumps(dict(request, id=rid)) + "\n").encode("utf-8"))
                stdin.flush()
            except (BrokenPipeError, OSError, ValueError) as e:
                raise WorkerGone() from e
            while True:
                message = answers.get()
                if message is None:
                    raise WorkerGone()
                if "log" in message:
                    log_line(message["log"])
                else:
                    return message
        finally:
            with self._lock:
                self._waiting.pop(rid, None)

    def stop(self, wait: float = 3.0) -> None:
        """Close its stdin (it kills its kernels and exits); kill it if it takes longer than `wait`."""
        try:
            cast(IO[bytes], self.proc.stdin).close()
        except Exception:
            pass
        try:
            self.proc.wait(wait)
        except subprocess.TimeoutExpired:
            try:
                if hasattr(os, "killpg"):
                    os.killpg(self.proc.pid, signal.SIGKILL)
                else:
                    self.proc.kill()
            except (ProcessLookupError, PermissionError):
                pass
            self.proc.wait()


class RenderWorkers:
    def __init__(self, max_workers: int = 3, idle_seconds: float = 600) -> None:
        self.max_workers = max_workers
        self.idle_seconds = idle_seconds
        self._workers: collections.OrderedDict[str, Worker] = collections.OrderedDict()  # least recently used first
        self._cond = threading.Condition()
        self._stopping = False
        threading.Thread(target=self._reap, daemon=True, name="render-workers-idle").start()

    def render(self, python: str, request: RenderRequest, log_line: Callable[[str], None]) -> RenderAnswer:
        """Run a notebook in the worker of `python`'s environment; returns {"status", "error"}.

        Raises WorkerGone when the workers are stopping (or a fresh worker died too).
        """
        for attempt in (1, 2):
            worker = self._acquire(python)
            try:
                return worker.render(request, log_line)
            except WorkerGone:
                if self._stopping or attempt == 2:
                    raise
                log.warning("render worker %d for %s stopped unexpectedly", worker.proc.pid, python)
                log_line("The render worker stopped unexpectedly; running the notebook again in a fresh one.")
            finally:
                self._release(worker)
        raise AssertionError("not reached: the second attempt returns or raises")  # for mypy's return check

    def pids(self) -> dict[str, int]:
        with self._cond:
            return {python: w.proc.pid for python, w in self._workers.items()}

    def stop(self) -> None:
        """Stop every worker (they kill their kernels); renders in progress end with WorkerGone."""
        with self._cond:
            self._stopping = True
            workers = list(self._workers.values())
            self._workers.clear()
            self._cond.notify_all()
        threads = [threading.Thread(target=w.stop) for w in workers]
        for t in threads:
            t.start()
        for t in threads:
            t.join()

    def retire(self, python: str) -> None:
        """Stop the worker of `python`'s environment, which is being removed (one rendering now
        stops when it is done); the next render there starts a fresh one."""
        with self._cond:
            worker = self._workers.pop(python, None)
            self._cond.notify_all()
        if worker is not None and worker.busy == 0:
            worker.stop()

    def _acquire(self, python: str) -> Worker:
        evicted: list[Worker] = []
        with self._cond:
            while True:
                if self._stopping:
                    raise WorkerGone()
                worker = self._workers.get(python)
                if worker is not None and not worker.alive():
                    del self._workers[python]
                    if worker.busy == 0:
                        evicted.append(worker)
                    worker = None
                if worker is None and len(self._workers) < self.max_workers:
                    worker = self._workers[python] = Worker(python)
                if worker is not None:
                    break
                idle = [w for w in self._workers.values() if w.busy == 0]
                if idle:  # the least recently used idle worker makes room
                    del self._workers[idle[0].python]
                    evicted.append(idle[0])
                    continue
                self._cond.wait()
            self._workers.move_to_end(python)
            worker.busy += 1
            worker.last_used = time.monotonic()
        for w in evicted:
            threading.Thread(target=w.stop, daemon=True).start()
        return worker

    def _release(self, worker: Worker) -> None:
        with self._cond:
            worker.busy -= 1
            worker.last_used = time.monotonic()
            if self._workers.get(worker.python) is not worker and worker.busy == 0:
                threading.Thread(target=worker.stop, daemon=True).start()  # replaced while it rendered
            self._cond.notify_all()

    def _reap(self) -> None:
        while True:
            time.sleep(max(0.2, min(30.0, self.idle_seconds / 4.0)))
            now = time.monotonic()
            with self._cond:
                if self._stopping:
                    return
                stale = [w for w in self._workers.values() if w.busy == 0 and now - w.last_used > self.idle_seconds]
                for w in stale:
                    del self._workers[w.python]
                self._cond.notify_all()
            for w in stale:
                log.info("stopping the render worker of %s (unused for %d s)", w.python, self.idle_seconds)
                w.stop()
